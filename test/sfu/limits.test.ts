/**
 * The operator's limits (README "Limits") over real loopback sockets: each
 * holds under a bounded flood, is counted, and legitimate traffic still gets
 * through. 127.0.0.2… serve as other source addresses (a client socket bound
 * to that local address). Imports the built package (`pnpm build` first).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { frameRfc4571, StunAttr, StunClass, StunMessageWriter, StunMethod } from '@tsfu/ice-lite';
import * as sfu from '@tsfu/sfu';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from './media-rig.js';
import { connectServerPeer, forwardsAudio, type ServerPeer } from './server-peer.js';

const workers: sfu.Worker[] = [];
const peers: ServerPeer[] = [];
const sockets: Array<TcpSocket | UdpSocket> = [];

afterEach(() => {
  for (const s of sockets.splice(0)) {
    if ('destroy' in s) s.destroy();
    else s.close();
  }
});

afterAll(() => {
  for (const p of peers) p.client.close();
  for (const w of workers) w.close();
});

async function newWorker(settings: sfu.WorkerSettings = {}): Promise<sfu.Worker> {
  const w = await sfu.createWorker({ logLevel: 'warn', ...settings });
  workers.push(w);
  return w;
}

/** Polls `cond` every 10 ms until true; throws after `ms`. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A Binding Request as a controlling browser sends it, signed with the transport's password (or another). */
function bindingRequest(
  t: sfu.WebRtcTransport,
  useCandidate = false,
  password = t.iceParameters.password,
): Buffer {
  const w = new StunMessageWriter(Buffer.alloc(548));
  w.begin(StunMethod.Binding, StunClass.Request)
    .addString(StunAttr.Username, `${t.iceParameters.usernameFragment}:peer`)
    .addUint32(StunAttr.Priority, 1853824767)
    .addUint64(StunAttr.IceControlling, 42n);
  if (useCandidate) w.addFlag(StunAttr.UseCandidate);
  w.addIntegrity(Buffer.from(password)).addFingerprint();
  return Buffer.from(w.toBuffer());
}

/** STUN Binding success response type (0x0101). */
const isBindingSuccess = (b: Buffer, at = 0) => b.length >= at + 2 && b[at] === 0x01 && b[at + 1] === 0x01;

/** A TCP connection from `localAddress`; resolves once connected (the server may close it right after). */
function tcpConnect(port: number, localAddress: string): Promise<TcpSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(s);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
    s.on('error', () => {}); // resets of refused connections
  });
}

/** Opens an ICE-TCP connection from `localAddress` and sends a nominating check; resolves when answered. */
async function iceTcpCheck(port: number, localAddress: string, t: sfu.WebRtcTransport): Promise<TcpSocket> {
  const s = await tcpConnect(port, localAddress);
  let received = Buffer.alloc(0);
  const answered = new Promise<void>((resolve, reject) => {
    s.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // RFC 4571: a 2-byte length, then the STUN message.
      if (isBindingSuccess(received, 2)) resolve();
    });
    s.once('close', () => reject(new Error(`connection from ${localAddress} closed unanswered`)));
  });
  s.write(frameRfc4571(bindingRequest(t, true)));
  await answered;
  return s;
}

async function tcpServer(w: sfu.Worker, limits: sfu.TransportListenInfo) {
  const server = await w.createWebRtcServer({
    listenInfos: [{ ...limits, protocol: 'tcp', ip: '127.0.0.1', port: 0 }],
  });
  const router = await w.createRouter({ mediaCodecs: MEDIA_CODECS });
  const transport = await router.createWebRtcTransport({ webRtcServer: server });
  const port = (await server.dump()).tcpServers[0].port;
  return { server, router, transport, port };
}

describe('validation', () => {
  it.each([
    ['tsfuMaxTransports 0', { tsfuMaxTransports: 0 }],
    ['tsfuMaxTransports 1.5', { tsfuMaxTransports: 1.5 }],
    ['tsfuMaxParkedPackets -1', { tsfuMaxParkedPackets: -1 }],
    ['tsfuMaxIceTuplesPerTransport 65', { tsfuMaxIceTuplesPerTransport: 65 }],
    ['tsfuMaxIceTuplesPerTransport as a string', { tsfuMaxIceTuplesPerTransport: '8' }],
  ])('createWorker rejects %s with TypeError', async (_name, settings) => {
    await expect(sfu.createWorker(settings as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('TCP limits: TypeError on bad values, on a UDP listenInfo, and from createWebRtcTransport', async () => {
    const w = await newWorker();
    const bad: sfu.TransportListenInfo[] = [
      { protocol: 'tcp', ip: '127.0.0.1', tsfuMaxTcpConnections: 0 },
      { protocol: 'tcp', ip: '127.0.0.1', tsfuMaxPendingTcpConnectionsPerIp: 2.5 },
      { protocol: 'tcp', ip: '127.0.0.1', tsfuTcpAuthTimeoutMs: -1 },
      { protocol: 'tcp', ip: '127.0.0.1', tsfuTcpFirstFrameTimeoutMs: 0 },
      { protocol: 'udp', ip: '127.0.0.1', tsfuMaxTcpConnections: 10 },
      { protocol: 'udp', ip: '127.0.0.1', tsfuTcpFirstFrameTimeoutMs: 500 },
    ];
    for (const info of bad) {
      await expect(w.createWebRtcServer({ listenInfos: [info] })).rejects.toBeInstanceOf(TypeError);
    }
    const router = await w.createRouter();
    await expect(
      router.createWebRtcTransport({ listenInfos: [bad[2]], enableTcp: true }),
    ).rejects.toBeInstanceOf(TypeError);
    // Valid values are accepted, and the defaults are reported as counters at zero.
    const server = await w.createWebRtcServer({
      listenInfos: [
        { protocol: 'tcp', ip: '127.0.0.1', port: 0, tsfuMaxTcpConnections: 1, tsfuTcpAuthTimeoutMs: 1 },
      ],
    });
    const io = await server.getIoCounters();
    for (const k of [
      'tcpRejectedOverCap',
      'tcpRejectedPerIpCap',
      'tcpAuthTimeouts',
      'tcpEvicted',
      'tcpFirstFrameTimeouts',
      'tuplesRejectedOverCap',
    ] as const) {
      expect(io[k]).toBeTypeOf('number');
    }
    expect((await w.dump()).tsfuCounters).toEqual({
      packetsForUnknownTuple: 0,
      malformedRecords: 0,
      parkedPacketsDropped: 0,
      transportsRejected: 0,
    });
  });
});

describe('TCP connections', () => {
  it('one source reopening connections holds at most tsfuMaxPendingTcpConnectionsPerIp; another source connects', async () => {
    const w = await newWorker();
    const { server, transport, port } = await tcpServer(w, {
      protocol: 'tcp',
      ip: '127.0.0.1',
      tsfuMaxPendingTcpConnectionsPerIp: 4,
      tsfuMaxTcpConnections: 64,
    });
    await until(
      'no TCP connection left from earlier tests',
      async () => (await server.getIoCounters()).tcpConnections === 0,
    );
    const before = await server.getIoCounters();
    // The flood: 20 connections from 127.0.0.1 that never send a check.
    for (let i = 0; i < 20; i++) await tcpConnect(port, '127.0.0.1');
    await until('16 rejected by the per-source cap', async () => {
      const io = await server.getIoCounters();
      return io.tcpRejectedPerIpCap - before.tcpRejectedPerIpCap === 16;
    });
    const flooded = await server.getIoCounters();
    expect(flooded.tcpConnections - before.tcpConnections).toBe(4);
    expect(flooded.tcpConnectionsAccepted - before.tcpConnectionsAccepted).toBe(4);
    expect(flooded.tcpRejectedOverCap - before.tcpRejectedOverCap).toBe(0);
    // A second source is not locked out: its check is answered and it becomes the selected tuple.
    await iceTcpCheck(port, '127.0.0.2', transport);
    await until('the TCP tuple selected', () => transport.iceSelectedTuple?.remoteIp === '127.0.0.2');
    expect(transport.iceSelectedTuple?.protocol).toBe('tcp');
    expect((await server.getIoCounters()).tcpRejectedPerIpCap).toBe(flooded.tcpRejectedPerIpCap);
  });

  it('a full listener closes its oldest unclaimed connection for a new one, and refuses only when every slot is claimed', async () => {
    const w = await newWorker();
    const { server, transport, port } = await tcpServer(w, {
      protocol: 'tcp',
      ip: '127.0.0.1',
      tsfuMaxTcpConnections: 6,
      tsfuMaxPendingTcpConnectionsPerIp: 2,
      // Long enough for the client to come before the silent connections' deadlines on a loaded machine.
      tsfuTcpFirstFrameTimeoutMs: 4000,
      tsfuTcpAuthTimeoutMs: 5000,
    });
    await until(
      'no TCP connection left from earlier tests',
      async () => (await server.getIoCounters()).tcpConnections === 0,
    );
    const before = await server.getIoCounters();
    // Four sources, two silent connections each (within the per-source cap): 8 > 6.
    const closed: Array<Promise<void>> = [];
    const silent: TcpSocket[] = [];
    for (const source of ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']) {
      for (let i = 0; i < 2; i++) {
        const s = await tcpConnect(port, source);
        silent.push(s);
        closed.push(new Promise((r) => s.once('close', () => r())));
      }
    }
    // The two oldest made room for the last two.
    await Promise.all(closed.slice(0, 2));
    const full = await server.getIoCounters();
    expect(full.tcpEvicted - before.tcpEvicted).toBe(2);
    expect(full.tcpConnectionsAccepted - before.tcpConnectionsAccepted).toBe(8);
    expect(full.tcpRejectedOverCap - before.tcpRejectedOverCap).toBe(0);
    expect(full.tcpRejectedPerIpCap - before.tcpRejectedPerIpCap).toBe(0);
    // The table is full of silent connections, yet a client with the transport's credentials gets in:
    // its connection closes the oldest silent one, and its check is answered and selected.
    const client = await iceTcpCheck(port, '127.0.0.2', transport);
    await until('the TCP tuple selected', () => transport.iceSelectedTuple?.remoteIp === '127.0.0.2');
    await closed[2];
    expect(silent[3].destroyed).toBe(false);
    // The other five close at the first-frame deadline (before the auth deadline).
    await Promise.all(closed);
    await until('5 first-frame timeouts counted', async () => {
      const io = await server.getIoCounters();
      return io.tcpFirstFrameTimeouts - before.tcpFirstFrameTimeouts === 5 && io.tcpConnections === 1;
    });
    // Every slot claimed: five more clients, then a sixth connection is refused and nothing is closed.
    const clients = [client];
    for (const source of ['127.0.0.8', '127.0.0.9', '127.0.0.10', '127.0.0.11', '127.0.0.12']) {
      clients.push(await iceTcpCheck(port, source, transport));
    }
    // A client's check is answered before the I/O thread records its claim (the tuple bound from the
    // worker): wait for all six, else the sixth connection may find one unclaimed and evict it.
    await until('every client claimed its slot', async () => {
      const io = await server.getIoCounters();
      return io.tuples - before.tuples >= 6;
    });
    const refused = await tcpConnect(port, '127.0.0.13');
    await new Promise<void>((r) => refused.once('close', () => r()));
    await until(
      'the refusal counted',
      async () => (await server.getIoCounters()).tcpRejectedOverCap - before.tcpRejectedOverCap === 1,
    );
    const after = await server.getIoCounters();
    expect(after.tcpEvicted - before.tcpEvicted).toBe(3);
    expect(after.tcpAuthTimeouts - before.tcpAuthTimeouts).toBe(0);
    expect(after.tcpConnections).toBe(6);
    expect(clients.every((s) => !s.destroyed)).toBe(true);
  });

  it('tsfuTcpFirstFrameTimeoutMs closes silent and garbage connections; a check nobody claims waits for tsfuTcpAuthTimeoutMs', async () => {
    const w = await newWorker();
    const { server, transport, port } = await tcpServer(w, {
      protocol: 'tcp',
      ip: '127.0.0.1',
      tsfuTcpFirstFrameTimeoutMs: 300,
      tsfuTcpAuthTimeoutMs: 2000,
    });
    await until(
      'no TCP connection left from earlier tests',
      async () => (await server.getIoCounters()).tcpConnections === 0,
    );
    const before = await server.getIoCounters();
    const closedAt = (s: TcpSocket) => new Promise<number>((r) => s.once('close', () => r(Date.now())));
    const start = Date.now();
    const silent = await tcpConnect(port, '127.0.0.2');
    const garbage = await tcpConnect(port, '127.0.0.3');
    // The known ufrag with the wrong password: routed to the transport, which does not claim it.
    const unclaimed = await tcpConnect(port, '127.0.0.4');
    const ends = [silent, garbage, unclaimed].map(closedAt);
    unclaimed.resume(); // the transport answers (an error response): read it, so the close is seen
    garbage.write(frameRfc4571(Buffer.alloc(60, 0xee)));
    unclaimed.write(frameRfc4571(bindingRequest(transport, true, 'not-the-password-at-all')));
    const [silentEnd, garbageEnd, unclaimedEnd] = await Promise.all(ends);
    expect(Math.max(silentEnd, garbageEnd)).toBeLessThan(unclaimedEnd);
    expect(unclaimedEnd - start).toBeGreaterThanOrEqual(1900);
    await until('the deadlines counted', async () => {
      const io = await server.getIoCounters();
      return io.tcpAuthTimeouts - before.tcpAuthTimeouts === 1 && io.tcpConnections === 0;
    });
    const after = await server.getIoCounters();
    expect(after.tcpFirstFrameTimeouts - before.tcpFirstFrameTimeouts).toBe(2);
    expect(after.routedByUfrag - before.routedByUfrag).toBe(1);
    expect(transport.iceSelectedTuple).toBeUndefined();
  });
});

describe('ICE tuples per transport', () => {
  it('valid checks from many new tuples keep at most tsfuMaxIceTuplesPerTransport, in the I/O thread too', async () => {
    const w = await newWorker({ tsfuMaxIceTuplesPerTransport: 4 });
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const udpPort = (await server.dump()).udpSockets[0].port;
    const router = await w.createRouter({ mediaCodecs: MEDIA_CODECS });
    const a = await connectServerPeer(router, server);
    const b = await connectServerPeer(router, server);
    peers.push(a, b);
    const before = await server.getIoCounters();
    // The flood: 12 sockets with the credentials, each until its check is answered (bounded by `until`).
    const flood: UdpSocket[] = [];
    const answered = new Set<UdpSocket>();
    for (let i = 0; i < 12; i++) {
      const s = createSocket('udp4');
      sockets.push(s);
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.on('message', (m) => {
        if (isBindingSuccess(m)) answered.add(s);
      });
      flood.push(s);
    }
    const check = bindingRequest(a.transport);
    await until('every flood check answered', () => {
      for (const s of flood) if (!answered.has(s)) s.send(check, udpPort, '127.0.0.1');
      return answered.size === flood.length;
    });
    // 13 validated tuples (the client's and 12), 4 kept: at least 9 dropped, by the transport and the I/O thread
    // (more if a check resent before its answer came back arrives after its tuple was dropped).
    await until(
      '9 tuples evicted',
      async () => (await a.transport.getStats())[0].tsfuCounters.iceTuplesEvicted >= 9,
    );
    const io = await server.getIoCounters();
    expect(io.tuples - before.tuples).toBe(3);
    expect(io.tuplesRejectedOverCap - before.tuplesRejectedOverCap).toBe(0);
    // The selected tuple (the client's) was never dropped: media still flows.
    expect(a.transport.iceSelectedTuple?.remotePort).toBe(a.client.socket.address().port);
    expect(await forwardsAudio(router, a, b)).toBeGreaterThan(0);
    expect((await b.transport.getStats())[0].tsfuCounters.iceTuplesEvicted).toBe(0);
  });
});

describe('transports per worker', () => {
  it('tsfuMaxTransports holds under a burst of creates, is counted, and the open transports keep forwarding', async () => {
    const w = await newWorker({ tsfuMaxTransports: 2 });
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const router = await w.createRouter({ mediaCodecs: MEDIA_CODECS });
    const a = await connectServerPeer(router, server);
    const b = await connectServerPeer(router, server);
    peers.push(a, b);
    const burst = await Promise.allSettled(
      Array.from({ length: 10 }, () => router.createWebRtcTransport({ webRtcServer: server })),
    );
    expect(burst.every((r) => r.status === 'rejected' && /tsfuMaxTransports:2/.test(String(r.reason)))).toBe(
      true,
    );
    expect((await w.dump()).tsfuCounters.transportsRejected).toBe(10);
    expect(router.transportsForTesting.size).toBe(2);
    expect(await forwardsAudio(router, a, b)).toBeGreaterThan(0);
    // A closed transport frees its slot.
    b.transport.close();
    const c = await router.createWebRtcTransport({ webRtcServer: server });
    expect(c.closed).toBe(false);
    expect((await w.dump()).tsfuCounters.transportsRejected).toBe(10);
  });

  it('concurrent creates cannot overshoot the cap while they wait for the I/O thread', async () => {
    const w = await newWorker({ tsfuMaxTransports: 3 });
    const router = await w.createRouter();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await w.dump()).tsfuCounters.transportsRejected).toBe(5);
  });
});
