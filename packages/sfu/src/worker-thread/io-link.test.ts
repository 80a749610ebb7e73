/**
 * `IoLink`'s connected-UDP path (`tsfuConnectedUdp`) over real sockets on
 * 127.0.0.1: a stand-in for the I/O thread's listening socket, a remote peer,
 * and the link's rings read directly.
 */
import { createSocket, type Socket } from 'node:dgram';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createPacketRingBuffer, PacketRingReader } from '../protocol/packet-ring.js';
import { IoLink, type LinkTuple } from './io-link.js';

const opened: Array<{ close(): void }> = [];

afterEach(() => {
  for (const o of opened.splice(0)) {
    try {
      o.close();
    } catch {
      // already closed
    }
  }
});

async function udp(port = 0, reuseAddr = false): Promise<Socket> {
  const s = createSocket({ type: 'udp4', reuseAddr });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  opened.push(s);
  return s;
}

function link() {
  const channel = new MessageChannel();
  const toWorker = createPacketRingBuffer({ capacity: 1 << 16 });
  const fromWorker = createPacketRingBuffer({ capacity: 1 << 16 });
  const packets: Array<{ bytes: Buffer; meta: number; aux: number }> = [];
  const l = new IoLink({ port: channel.port1, toWorker, fromWorker }, (data, offset, length, meta, aux) =>
    packets.push({ bytes: Buffer.from(data.subarray(offset, offset + length)), meta, aux }),
  );
  opened.push(l, channel.port2);
  return { link: l, packets, sent: new PacketRingReader(fromWorker) };
}

function tupleOf(peer: Socket, tupleId: number): LinkTuple {
  return {
    address: '127.0.0.1',
    port: peer.address().port,
    family: 'IPv4',
    protocol: 'udp',
    socketIndex: 3,
    connId: 0,
    tupleId,
  };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('IoLink connected UDP sockets', () => {
  it("takes the peer's datagrams off the listening socket and sends from the shared port", async () => {
    const listening = await udp(0, true);
    const port = listening.address().port;
    const peer = await udp();
    const other = await udp();
    const atListening: string[] = [];
    listening.on('message', (m) => atListening.push(m.toString()));
    const atPeer: Array<{ text: string; port: number }> = [];
    peer.on('message', (m, r) => atPeer.push({ text: m.toString(), port: r.port }));
    const { link: l, packets, sent } = link();
    const tuple = tupleOf(peer, 7);
    l.connectTuple(tuple, '127.0.0.1', port);
    await until('the connected socket', () => tuple.direct !== undefined);

    peer.send('from-peer', port, '127.0.0.1');
    other.send('from-other', port, '127.0.0.1');
    await until('both datagrams', () => packets.length === 1 && atListening.length === 1);
    expect(packets[0]).toEqual({ bytes: Buffer.from('from-peer'), meta: 7, aux: 3 });
    expect(atListening).toEqual(['from-other']);

    expect(l.send(tuple, Buffer.from('to-peer-and-more'), 7)).toBe(true);
    await until('the reply', () => atPeer.length === 1);
    expect(atPeer[0]).toEqual({ text: 'to-peer', port });
    expect(sent.next()).toBe(false); // nothing went through the ring
    expect([tuple.direct?.packetsReceived, tuple.direct?.packetsSent, l.connectedUdpFallbacks]).toEqual([
      1, 1, 0,
    ]);

    // Unbinding closes it: the peer's traffic is the listening socket's again.
    l.unbindTuple(7);
    expect(tuple.direct).toBeUndefined();
    peer.send('after-unbind', port, '127.0.0.1');
    await until('the listening socket', () => atListening.length === 2);
    expect(atListening[1]).toBe('after-unbind');
    expect(packets).toHaveLength(1);
  });

  it("gives the connected socket the listen's socket buffer sizes, and more than the OS default receive buffer without one", async () => {
    const listening = await udp(0, true);
    const peer = await udp();
    const { link: l } = link();
    const plain = tupleOf(peer, 21);
    const sized = tupleOf(await udp(), 22);
    const port = listening.address().port;
    l.connectTuple(plain, '127.0.0.1', port);
    l.connectTuple(sized, '127.0.0.1', port, { recvBufferSize: 64 << 10, sendBufferSize: 1 << 20 });
    await until('both sockets', () => plain.direct !== undefined && sized.direct !== undefined);
    const plainRecv = plain.direct!.socket.getRecvBufferSize();
    // The OS default (a socket that asked nothing): the connected socket asks 1 MiB instead (Linux
    // reports twice what was granted, granted up to net.core.rmem_max), so a worker stall of a few
    // tens of ms no longer overflows it.
    expect(plainRecv).toBeGreaterThan(peer.getRecvBufferSize());
    // An explicit size wins (64 KiB: below both).
    expect(sized.direct!.socket.getRecvBufferSize()).toBeLessThan(plainRecv);
    expect(sized.direct!.socket.getSendBufferSize()).toBeGreaterThan(
      plain.direct!.socket.getSendBufferSize(),
    );
  });

  it('falls back to the ring when the port cannot be shared, and counts it', async () => {
    const listening = await udp(0, false); // no SO_REUSEADDR: the worker's bind must fail
    const peer = await udp();
    const { link: l, sent } = link();
    const tuple = tupleOf(peer, 9);
    l.connectTuple(tuple, '127.0.0.1', listening.address().port);
    await until('the fallback', () => l.connectedUdpFallbacks === 1);
    expect(tuple.direct).toBeUndefined();
    expect(l.send(tuple, Buffer.from('via-ring'))).toBe(true);
    await until('the ring record', () => sent.next());
    expect([
      sent.meta,
      sent.aux,
      sent.data.toString('latin1', sent.offset, sent.offset + sent.length),
    ]).toEqual([9, 3, 'via-ring']);
  });

  it('opens nothing for TCP tuples, tuples not yet bound, or mismatched families', async () => {
    const listening = await udp(0, true);
    const peer = await udp();
    const { link: l } = link();
    const port = listening.address().port;
    const tcp: LinkTuple = { ...tupleOf(peer, 11), protocol: 'tcp', connId: 5 };
    const unbound = tupleOf(peer, 0);
    const v6: LinkTuple = { ...tupleOf(peer, 12), address: '::1', family: 'IPv6' };
    // A tuple that qualifies, connected after them: once its socket is open, theirs would be too.
    const marker = tupleOf(await udp(), 13);
    for (const t of [tcp, unbound, v6, marker]) l.connectTuple(t, '127.0.0.1', port);
    await until('the marker socket', () => marker.direct !== undefined);
    expect([tcp.direct, unbound.direct, v6.direct, l.connectedUdpFallbacks]).toEqual([
      undefined,
      undefined,
      undefined,
      0,
    ]);
  });
});
