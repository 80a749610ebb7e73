/**
 * Data channels between two @tsfu/sctp endpoints on the in-memory link, on
 * vitest fake timers: with the seeded loss, every run is the same run.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataChannel } from './data-channel.js';
import { advanceUntil, advanceUntilSettled, makePair, once, pattern } from './pair.test-util.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

async function openPair(link = {}) {
  const p = makePair({}, {}, link);
  p.a.connect();
  await advanceUntilSettled(Promise.all([once(p.a, 'open'), once(p.b, 'open')]));
  return p;
}

function collect(ch: DataChannel, n: number, timeoutMs = 15_000): Promise<Array<string | Buffer>> {
  const got: Array<string | Buffer> = [];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`got ${got.length}/${n} messages`)), timeoutMs);
    ch.on('message', (m) => {
      got.push(m);
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

describe('DataChannelTransport between two @tsfu/sctp endpoints', () => {
  it('opens a channel, carries text and binary of 0 B, 1 B, 16 KiB, 256 KiB in order', async () => {
    const { a, b } = await openPair();
    const ch = a.createDataChannel('chat', { protocol: 'p1' });
    expect(ch.id % 2).toBe(0); // DTLS client: even ids
    expect(ch.readyState).toBe('connecting');
    await advanceUntilSettled(once(ch, 'open')); // fires after createDataChannel returns, as in browsers
    const [remote] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
    expect(remote.label).toBe('chat');
    expect(remote.protocol).toBe('p1');
    expect(remote.id).toBe(ch.id);
    const msgs: Array<string | Buffer> = [
      '',
      'x',
      'é'.repeat(8192),
      Buffer.alloc(0),
      Buffer.from([9]),
      pattern(16384),
      pattern(262144),
    ];
    const got = collect(remote, msgs.length);
    for (const m of msgs) ch.send(m);
    const out = await advanceUntilSettled(got);
    expect(out.length).toBe(msgs.length);
    for (let i = 0; i < msgs.length; i++) {
      if (typeof msgs[i] === 'string') expect(out[i]).toBe(msgs[i]);
      else expect(Buffer.compare(out[i] as Buffer, msgs[i] as Buffer)).toBe(0);
    }
    a.association.abort();
  });

  it('delivers everything under 10% seeded loss (reliable ordered)', async () => {
    const { a, b, dropped } = await openPair({ loss: 0.1, seed: 42 });
    const ch = a.createDataChannel('rel');
    const [remote] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
    const n = 200;
    const got = collect(remote, n, 25_000);
    for (let i = 0; i < n; i++) ch.send(pattern(3000, i));
    const out = await advanceUntilSettled(got);
    for (let i = 0; i < n; i++) expect(Buffer.compare(out[i] as Buffer, pattern(3000, i))).toBe(0);
    expect(dropped.ab).toBeGreaterThan(0);
    expect(a.association.stats.retransmissions).toBeGreaterThan(0);
    a.association.abort();
  });
});

describe('partial reliability between two @tsfu/sctp endpoints under 10% seeded loss', () => {
  it.each([
    // Lost once, never resent: about 90% arrive.
    { name: 'maxRetransmits=0 ordered', init: { maxRetransmits: 0 }, minGot: 150 },
    { name: 'maxRetransmits=0 unordered', init: { ordered: false, maxRetransmits: 0 }, minGot: 150 },
    // Queued behind the congestion window, most expire before their first send.
    { name: 'maxPacketLifeTime=5 ms ordered', init: { maxPacketLifeTime: 5 }, minGot: 1 },
  ])(
    '$name gives up some messages while a reliable stream beside it delivers all',
    async ({ init, minGot }) => {
      const { a, b, dropped } = await openPair({ loss: 0.1, seed: 5 });
      const pr = a.createDataChannel('pr', init);
      const [rpr] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
      const rel = a.createDataChannel('rel');
      const [rrel] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
      // The DCEP ACKs must have arrived so unordered channels really send unordered.
      await advanceUntil(() => pr.peerAcked && rel.peerAcked);
      const n = 300;
      const prGot: number[] = [];
      rpr.on('message', (m) => prGot.push((m as Buffer).readUInt32BE(0)));
      const relGot = collect(rrel, n, 25_000);
      for (let i = 0; i < n; i++) {
        const m = pattern(1000, i);
        m.writeUInt32BE(i, 0);
        pr.send(m);
        rel.send(Buffer.from(m));
      }
      const relMsgs = await advanceUntilSettled(relGot);
      for (let i = 0; i < n; i++) expect((relMsgs[i] as Buffer).readUInt32BE(0)).toBe(i);
      // Everything sent is acknowledged or abandoned (and forgotten by FORWARD TSN).
      await advanceUntil(() => pr.bufferedAmount === 0 && rel.bufferedAmount === 0);
      expect(dropped.ab).toBeGreaterThan(0);
      expect(a.association.stats.abandonedMessages).toBeGreaterThan(0);
      expect(a.association.stats.forwardTsnSent).toBeGreaterThan(0);
      expect(b.association.stats.forwardTsnReceived).toBeGreaterThan(0);
      expect(prGot.length).toBeLessThan(n);
      expect(prGot.length).toBeGreaterThanOrEqual(minGot);
      if (pr.ordered) for (let i = 1; i < prGot.length; i++) expect(prGot[i]).toBeGreaterThan(prGot[i - 1]);
      expect(new Set(prGot).size).toBe(prGot.length);
      a.association.abort();
    },
  );
});

describe('data channel lifecycle between two @tsfu/sctp endpoints', () => {
  it('channels created before the association is up open once it is', async () => {
    const p = makePair();
    const ch = p.a.createDataChannel('early');
    expect(ch.readyState).toBe('connecting');
    expect(() => ch.send('too soon')).toThrow();
    const opened = once(ch, 'open');
    const remote = once<[DataChannel]>(p.b, 'datachannel');
    p.a.connect();
    await advanceUntilSettled(opened);
    const [r] = await advanceUntilSettled(remote);
    expect(r.label).toBe('early');
    const got = collect(r, 1);
    ch.send('now');
    expect(await advanceUntilSettled(got)).toEqual(['now']);
    p.a.association.abort();
  });

  it('the DTLS server side allocates odd ids; both sides can open', async () => {
    const { a, b } = await openPair();
    const fromB = b.createDataChannel('from-server');
    expect(fromB.id).toBe(1);
    const [atA] = (await advanceUntilSettled(once(a, 'datachannel'))) as [DataChannel];
    expect(atA.id).toBe(1);
    const fromA = a.createDataChannel('from-client');
    expect(fromA.id).toBe(0);
    await advanceUntilSettled(once(b, 'datachannel'));
    expect(b.createDataChannel('second').id).toBe(3);
    a.association.abort();
  });

  it('negotiated channels need no DCEP and open on both sides with the given id', async () => {
    const { a, b } = await openPair();
    const ca = a.createDataChannel('neg', { negotiated: true, id: 42 });
    const cb = b.createDataChannel('neg', { negotiated: true, id: 42 });
    expect(ca.readyState).toBe('connecting');
    await advanceUntilSettled(Promise.all([once(ca, 'open'), once(cb, 'open')]));
    expect(ca.readyState).toBe('open');
    expect(cb.readyState).toBe('open');
    const got = collect(cb, 1);
    ca.send(Buffer.from('raw'));
    expect(((await advanceUntilSettled(got))[0] as Buffer).toString()).toBe('raw');
    expect(a.association.stats.messagesSent).toBe(1); // no DATA_CHANNEL_OPEN went out
    expect(() => a.createDataChannel('dup', { id: 42 })).toThrow();
    expect(() => a.createDataChannel('x', { negotiated: true })).toThrow();
    a.association.abort();
  });

  it.each([{ closer: 'opener' }, { closer: 'acceptor' }])(
    'close from the $closer resets both directions, then the id is reused',
    async ({ closer }) => {
      const { a, b } = await openPair();
      const ch = a.createDataChannel('c1');
      const [remote] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
      const closedA = once(ch, 'close');
      const closedB = once(remote, 'close');
      (closer === 'opener' ? ch : remote).close();
      await advanceUntilSettled(Promise.all([closedA, closedB]));
      expect(a.dataChannels.size).toBe(0);
      expect(b.dataChannels.size).toBe(0);
      expect(() => ch.send('x')).toThrow();
      await advanceUntil(() => a.resettingStreamIds.size === 0);
      expect(a.resettingStreamIds.size).toBe(0);
      const again = a.createDataChannel('c2');
      expect(again.id).toBe(ch.id);
      const [remote2] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
      expect(remote2.label).toBe('c2');
      const got = collect(remote2, 2);
      again.send('first on reused id');
      again.send('second');
      expect(await advanceUntilSettled(got)).toEqual(['first on reused id', 'second']);
      a.association.abort();
    },
  );

  it('bufferedAmount counts unacknowledged bytes; bufferedamountlow fires at the threshold', async () => {
    const { a, b } = await openPair();
    const ch = a.createDataChannel('flow');
    await advanceUntilSettled(once(b, 'datachannel'));
    ch.bufferedAmountLowThreshold = 50_000;
    const low = once(ch, 'bufferedamountlow');
    for (let i = 0; i < 20; i++) ch.send(pattern(10_000, i));
    expect(ch.bufferedAmount).toBe(200_000);
    await advanceUntilSettled(low);
    expect(ch.bufferedAmount).toBeLessThanOrEqual(50_000);
    a.association.abort();
  });

  it('respects the remote max message size', async () => {
    const { a, b } = await openPair();
    const ch = a.createDataChannel('m');
    await advanceUntilSettled(once(b, 'datachannel'));
    a.association.remoteMaxMessageSize = 1000;
    expect(() => ch.send(Buffer.alloc(1001))).toThrow(RangeError);
    expect(() => ch.send(Buffer.alloc(1000))).not.toThrow();
    a.association.abort();
  });

  it('a graceful close() shuts the association down and closes the channels', async () => {
    const { a, b } = await openPair();
    const ch = a.createDataChannel('bye');
    const [remote] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
    const closed = Promise.all([
      once(ch, 'close'),
      once(remote, 'close'),
      once(a, 'close'),
      once(b, 'close'),
    ]);
    a.close();
    const [, , [ra], [rb]] = (await advanceUntilSettled(closed)) as [unknown, unknown, [string], [string]];
    expect(ra).toBe('shutdown');
    expect(rb).toBe('shutdown');
  });
});

describe('DCEP input that must be dropped and counted', () => {
  it('malformed OPEN, unknown PPID, and data on a stream without a channel', async () => {
    const { a, b } = await openPair();
    const ch = a.createDataChannel('ok');
    const [remote] = (await advanceUntilSettled(once(b, 'datachannel'))) as [DataChannel];
    const got: Array<string | Buffer> = [];
    remote.on('message', (m) => got.push(m));
    let opened = 0;
    b.on('datachannel', () => opened++);
    // DATA_CHANNEL_OPEN with an unknown channel type 0x05, and one whose label overruns it.
    a.association.sendMessage(10, 50, Buffer.from('03050000000000000000000000', 'hex'));
    a.association.sendMessage(12, 50, Buffer.from('0300000000000000000900006162', 'hex'));
    a.association.sendMessage(ch.id, 99, Buffer.from('unknown ppid')); // not a WebRTC PPID
    a.association.sendMessage(20, 53, Buffer.from('no channel here'));
    ch.send('after the junk');
    // Sent last on the same association: once it is here, the junk before it was handled.
    await advanceUntil(() => got.length > 0);
    expect(got).toEqual(['after the junk']);
    expect(opened).toBe(0);
    expect(b.stats).toEqual({ dcepMalformed: 2, messagesOnUnknownStream: 1, unknownPpid: 1 });
    a.association.abort();
  });
});
