/**
 * Interop of our data channels (SCTP + DCEP) with werift 0.25.2's data channel
 * stack (RTCSctpTransport + RTCDataChannel, its own DCEP), over a real UDP
 * socket pair on 127.0.0.1 with no DTLS, in both roles.
 */
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { RTCDataChannel } from 'werift';
import type { DataChannel } from './data-channel.js';
import type { DataChannelTransport } from './data-channel-transport.js';
import { Ppid } from './dcep.js';
import { once, pattern } from './pair.test-util.js';
import {
  bindLoopback,
  lossFilter,
  portOf,
  tsfuUdpPeer,
  type WeriftPeer,
  weriftUdpPeer,
} from './udp.test-util.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Setup {
  ours: DataChannelTransport;
  werift: WeriftPeer;
}

/**
 * `ourRole` is our DTLS role: as client we use even ids and wait for werift's
 * INIT (werift is then ICE-controlling, odd ids); as server we use odd ids and
 * send INIT ourselves.
 */
async function setup(
  ourRole: 'client' | 'server',
  loss = 0,
  seed = 1,
): Promise<Setup & { dropped: () => number }> {
  const sw: Socket = await bindLoopback();
  const filter = lossFilter(loss, seed);
  const weriftFilter = lossFilter(loss, seed + 1000);
  const { transport: ours, socket } = await tsfuUdpPeer(sw, { dtlsRole: ourRole }, filter.pass);
  const werift = await weriftUdpPeer(sw, portOf(socket), ourRole === 'client', weriftFilter.pass);
  cleanups.push(async () => {
    ours.association.abort();
    await werift.sctp.stop().catch(() => {});
    socket.close();
    sw.close();
  });
  const opened = once(ours, 'open');
  if (ourRole === 'server') ours.connect();
  await opened;
  if (werift.sctp.sctp.state !== 'connected') await werift.sctp.sctp.stateChanged.connected.asPromise();
  return { ours, werift, dropped: () => filter.dropped() + weriftFilter.dropped() };
}

function collectWerift(ch: RTCDataChannel, n: number, timeoutMs = 20_000): Promise<Array<string | Buffer>> {
  const got: Array<string | Buffer> = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`werift got ${got.length}/${n}`)), timeoutMs);
    ch.onMessage.subscribe((m) => {
      got.push(typeof m === 'string' ? m : Buffer.from(m));
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

function collectOurs(ch: DataChannel, n: number, timeoutMs = 20_000): Promise<Array<string | Buffer>> {
  const got: Array<string | Buffer> = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tsfu got ${got.length}/${n}`)), timeoutMs);
    ch.on('message', (m) => {
      got.push(m);
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

/** Polls `cond` until it holds; fails after `ms`. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function weriftChannelOpen(ch: RTCDataChannel): Promise<void> {
  if (ch.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => {
    const { unSubscribe } = ch.stateChange.subscribe((s) => {
      if (s === 'open') {
        unSubscribe();
        resolve();
      }
    });
  });
}

function nextWeriftChannel(w: WeriftPeer): Promise<RTCDataChannel> {
  return new Promise((resolve) => {
    const { unSubscribe } = w.sctp.onDataChannel.subscribe((ch) => {
      unSubscribe();
      resolve(ch);
    });
  });
}

const messages: Array<string | Buffer> = [
  '',
  Buffer.alloc(0),
  'a',
  Buffer.from([0x5a]),
  'é'.repeat(8192), // 16 KiB of UTF-8
  pattern(16384, 3),
  'q'.repeat(262144),
  pattern(262144, 4),
];

function expectSameMessages(
  got: Array<string | Buffer>,
  want: Array<string | Buffer>,
  ordered: boolean,
): void {
  expect(got.length).toBe(want.length);
  const key = (m: string | Buffer) => (typeof m === 'string' ? `s:${m}` : `b:${m.toString('hex')}`);
  if (ordered) expect(got.map(key)).toEqual(want.map(key));
  else expect([...got.map(key)].sort()).toEqual([...want.map(key)].sort());
}

describe.each([{ ourRole: 'client' as const }, { ourRole: 'server' as const }])(
  '@tsfu/sctp data channels ⇄ werift RTCDataChannel over UDP, we are DTLS $ourRole',
  ({ ourRole }) => {
    it.each([{ ordered: true }, { ordered: false }])(
      'we open (ordered=$ordered): text and binary of 0 B, 1 B, 16 KiB, 256 KiB both ways',
      async ({ ordered }) => {
        const { ours, werift } = await setup(ourRole);
        const incoming = nextWeriftChannel(werift);
        const ch = ours.createDataChannel('from-tsfu', { ordered, protocol: 'proto-x' });
        expect(ch.id % 2).toBe(ourRole === 'client' ? 0 : 1);
        const wch = await incoming;
        expect(wch.label).toBe('from-tsfu');
        expect(wch.protocol).toBe('proto-x');
        expect(wch.ordered).toBe(ordered);
        expect(wch.id).toBe(ch.id);
        const atWerift = collectWerift(wch, messages.length);
        for (const m of messages) ch.send(m);
        expectSameMessages(await atWerift, messages, ordered);
        // werift's RTCDataChannel.send drops 0-byte messages (and skips an SSN);
        // the RFC 8831 empty-message form goes out through its SCTP directly.
        const fromWerift = messages.filter((m) => m.length > 0);
        const atOurs = collectOurs(ch, fromWerift.length + 2);
        await werift.sctp.sctp.send(wch.id, Ppid.STRING_EMPTY, Buffer.from([0]), { ordered: true });
        await werift.sctp.sctp.send(wch.id, Ppid.BINARY_EMPTY, Buffer.from([0]), { ordered: true });
        for (const m of fromWerift) wch.send(m);
        expectSameMessages(await atOurs, ['', Buffer.alloc(0), ...fromWerift], ordered);
      },
    );

    it('werift opens: we receive DATA_CHANNEL_OPEN, answer ACK, and exchange messages', async () => {
      const { ours, werift } = await setup(ourRole);
      const incoming = once<[DataChannel]>(ours, 'datachannel');
      const wch = werift.createDataChannel('from-werift', { ordered: false, protocol: 'wp' });
      const [ch] = await incoming;
      await weriftChannelOpen(wch);
      expect(ch.label).toBe('from-werift');
      expect(ch.protocol).toBe('wp');
      expect(ch.ordered).toBe(false);
      expect(ch.maxRetransmits).toBe(null);
      expect(ch.id).toBe(wch.id);
      expect(ch.id % 2).toBe(ourRole === 'client' ? 1 : 0);
      // werift 0.25.2 announces partial reliable channels with the ordered bit
      // cleared from the channel type (it overwrites 0x80), so check those apart.
      const incoming2 = once<[DataChannel]>(ours, 'datachannel');
      werift.createDataChannel('pr-rexmit', { maxRetransmits: 3 });
      const [ch2] = await incoming2;
      expect(ch2.maxRetransmits).toBe(3);
      expect(ch2.maxPacketLifeTime).toBe(null);
      const incoming3 = once<[DataChannel]>(ours, 'datachannel');
      werift.createDataChannel('pr-timed', { maxPacketLifeTime: 150 });
      const [ch3] = await incoming3;
      expect(ch3.maxPacketLifeTime).toBe(150);
      expect(ch3.maxRetransmits).toBe(null);
      const atOurs = collectOurs(ch, 2);
      wch.send('hello');
      wch.send(pattern(16384, 9));
      expectSameMessages(await atOurs, ['hello', pattern(16384, 9)], false);
      const atWerift = collectWerift(wch, 1);
      ch.send('pong');
      expect(await atWerift).toEqual(['pong']);
    });

    it('closing a channel resets its stream both ways; the id is then reused', async () => {
      const { ours, werift } = await setup(ourRole);
      const incoming = nextWeriftChannel(werift);
      const ch = ours.createDataChannel('first');
      const wch = await incoming;
      const got = collectWerift(wch, 1);
      ch.send('before close');
      await got;
      const wClosed = new Promise<void>((resolve) => {
        wch.stateChange.subscribe((s) => {
          if (s === 'closed') resolve();
        });
      });
      const closed = once(ch, 'close');
      ch.close();
      await closed;
      await wClosed;
      expect(ch.readyState).toBe('closed');
      expect(ours.dataChannels.has(ch.id)).toBe(false);
      // Wait for werift's own reset of the reverse direction to arrive.
      await until(() => ours.resettingStreamIds.size === 0, "werift's reverse reset");
      const incoming2 = nextWeriftChannel(werift);
      const again = ours.createDataChannel('second');
      expect(again.id).toBe(ch.id);
      const wch2 = await incoming2;
      expect(wch2.label).toBe('second');
      expect(wch2.id).toBe(ch.id);
      const got2 = collectWerift(wch2, 2);
      again.send('after reuse');
      again.send(Buffer.from([1, 2, 3]));
      expectSameMessages(await got2, ['after reuse', Buffer.from([1, 2, 3])], true);
      const back = collectOurs(again, 1);
      wch2.send('reply on reused id');
      expect(await back).toEqual(['reply on reused id']);
    });

    it('werift closes its channel: we see the reset and close ours', async () => {
      const { ours, werift } = await setup(ourRole);
      const incoming = once<[DataChannel]>(ours, 'datachannel');
      const wch = werift.createDataChannel('w-close');
      const [ch] = await incoming;
      await weriftChannelOpen(wch);
      const closed = once(ch, 'close');
      wch.close();
      await closed;
      expect(ch.readyState).toBe('closed');
    });

    it('reliable ordered channel delivers all 300 messages under 10% seeded loss', async () => {
      const { ours, werift, dropped } = await setup(ourRole, 0.1, ourRole === 'client' ? 21 : 22);
      const inRel = nextWeriftChannel(werift);
      const rel = ours.createDataChannel('rel');
      const wrel = await inRel;
      const n = 300;
      const relGot = collectWerift(wrel, n, 25_000);
      for (let i = 0; i < n; i++) {
        const r = pattern(1000, i);
        r.writeUInt32BE(i, 0);
        rel.send(r);
      }
      const relMsgs = await relGot;
      for (let i = 0; i < n; i++) expect((relMsgs[i] as Buffer).readUInt32BE(0)).toBe(i);
      expect(dropped()).toBeGreaterThan(0);
      expect(ours.association.stats.retransmissions).toBeGreaterThan(0);
    });

    it.each([
      // Lost once, never resent: about 90% arrive.
      { policy: 'maxRetransmits=0', init: { ordered: false, maxRetransmits: 0 }, minGot: 150 },
      // Queued behind the congestion window, many expire before their first send.
      { policy: 'maxPacketLifeTime=1 ms', init: { ordered: false, maxPacketLifeTime: 1 }, minGot: 1 },
    ])(
      'partial reliability ($policy) under 10% seeded loss: messages are abandoned with FORWARD TSN',
      async ({ init, minGot }) => {
        const { ours, werift, dropped } = await setup(ourRole, 0.1, ourRole === 'client' ? 11 : 12);
        const inPr = nextWeriftChannel(werift);
        const pr = ours.createDataChannel('pr', init);
        const wpr = await inPr;
        await until(() => pr.peerAcked, 'the DCEP ACK'); // from now on really unordered
        const n = 300;
        const prGot: Buffer[] = [];
        wpr.onMessage.subscribe((m) => {
          prGot.push(Buffer.from(m as Buffer));
        });
        for (let i = 0; i < n; i++) {
          const m = pattern(1000, i);
          m.writeUInt32BE(i, 0);
          pr.send(m);
        }
        await until(
          () => ours.association.totalBufferedAmount === 0,
          'every message acknowledged or abandoned',
        );
        // With a 1 ms lifetime most messages can expire before their first send, and on a slow run
        // so few DATA packets leave that the seeded loss drops none: the link's loss is then no
        // evidence either way, the abandoning below is what this case checks.
        if ('maxRetransmits' in init) expect(dropped()).toBeGreaterThan(0);
        expect(ours.association.stats.abandonedMessages).toBeGreaterThan(0);
        expect(ours.association.stats.forwardTsnSent).toBeGreaterThan(0);
        expect(prGot.length).toBeLessThan(n);
        expect(prGot.length).toBeGreaterThanOrEqual(minGot);
        for (const m of prGot) {
          const i = m.readUInt32BE(0);
          const want = pattern(1000, i);
          want.writeUInt32BE(i, 0);
          expect(m.equals(want)).toBe(true);
        }
        // The association keeps working after the abandoning: a reliable channel still delivers.
        const inRel = nextWeriftChannel(werift);
        const rel = ours.createDataChannel('rel');
        const wrel = await inRel;
        const after = collectWerift(wrel, 1);
        rel.send('still alive');
        expect(await after).toEqual(['still alive']);
      },
    );
  },
);
