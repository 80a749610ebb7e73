/**
 * @tsfu/sfu over real loopback sockets against werift 0.25.2's RTCPeerConnection
 * (fed an ice-lite SDP answer built from the transport's parameters): ICE, DTLS
 * and SRTP with transports on two workers sharing one UDP port, ICE-TCP, ICE
 * restart, consent expiry, fingerprint mismatch, close, and garbage at the port.
 * Imports the built package (`pnpm exec tsc -b packages/sfu` first, as `pnpm test` does).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { StunAttr, StunClass, StunMessageWriter, StunMethod } from '@tsfu/ice-lite';
import type * as sfu from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { type TwoWorkersOnOnePort, twoWorkersOnOnePort } from './two-workers.js';
import { type Client, connectClient, waitFor } from './werift-client.js';

let env: TwoWorkersOnOnePort;
const clients: Client[] = [];

beforeAll(async () => {
  env = await twoWorkersOnOnePort({ tcp: true });
});

afterAll(async () => {
  for (const c of clients) await c.pc.close().catch(() => {});
  env?.close();
});

function rtp(seq: number): RtpPacket {
  return new RtpPacket(
    new RtpHeader({
      payloadType: 111,
      sequenceNumber: seq,
      timestamp: seq * 960,
      ssrc: 0x1234,
      marker: false,
    }),
    Buffer.alloc(100, 7),
  );
}

/**
 * Sends RTP through werift's own SRTP session until `n` packets were accepted: werift may drop the first
 * ones while its SRTP session starts, right after it reports `connected`.
 */
async function sendUntilAccepted(client: Client, transport: sfu.WebRtcTransport, n: number): Promise<void> {
  const sender = client.pc.getSenders()[0];
  const deadline = Date.now() + 15_000;
  let nextSendAt = 0;
  for (let seq = 1; Date.now() < deadline; ) {
    // A new packet every 50 ms (werift may have dropped the last one); stats polled in between.
    if (Date.now() >= nextSendAt) {
      await sender.sendRtp(rtp(seq++));
      nextSendAt = Date.now() + 50;
    }
    if ((await stats(transport)).tsfuCounters.srtpPacketsAccepted >= n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('SRTP packets never accepted');
}

async function stats(t: sfu.WebRtcTransport): Promise<sfu.WebRtcTransportStatWithCounters> {
  return (await t.getStats())[0];
}

async function connectAndCheck(router: sfu.Router, server: sfu.WebRtcServer, tcp: boolean) {
  const transport = await router.createWebRtcTransport({ webRtcServer: server, iceConsentTimeout: 30 });
  const iceStates: string[] = [];
  transport.on('icestatechange', (s) => iceStates.push(s));
  const tuples: sfu.types.TransportTuple[] = [];
  transport.on('iceselectedtuplechange', (t) => tuples.push(t));
  const dtlsStates: string[] = [];
  transport.observer.on('dtlsstatechange', (s) => dtlsStates.push(s));
  const client = await connectClient(transport, { tcp });
  clients.push(client);
  await waitFor(() => transport.dtlsState === 'connected', 15_000, 'dtls connected');
  await waitFor(() => client.pc.connectionState === 'connected', 10_000, 'client connected');
  expect(transport.iceState).toBe('completed');
  expect(iceStates).toContain('completed');
  const tuple = transport.iceSelectedTuple;
  expect(tuple?.protocol).toBe(tcp ? 'tcp' : 'udp');
  // werift's TCP client may bind a non-loopback interface address while connecting to 127.0.0.1.
  expect(tuple?.remoteIp).toMatch(tcp ? /^\d+\.\d+\.\d+\.\d+$/ : /^127\.0\.0\.1$/);
  expect(tuple?.localPort).toBe(tcp ? (await server.dump()).tcpServers[0].port : env.udpPort);
  // The client's own address: werift's selected local candidate.
  const pair = client.pc.iceTransports[0].connection.nominated;
  // (An active TCP candidate announces port 9; its real source port is chosen by connect().)
  if (!tcp) expect(tuple?.remotePort).toBe(pair?.localCandidate.port);
  else expect(tuple?.remotePort).toBeGreaterThan(0);
  expect(transport.dtlsRemoteCert).toMatch(/BEGIN CERTIFICATE/);
  expect(tuples.at(-1)).toEqual(tuple);
  expect(dtlsStates).toEqual(['connecting', 'connected']);
  // SRTP: one packet protected with werift's keys is accepted; a forged one fails authentication.
  await sendUntilAccepted(client, transport, 2);
  // The same keys, packet by packet: one protected by werift's SRTP session and sent raw over its ICE
  // connection is accepted; a copy of another with one payload bit flipped fails authentication.
  const srtp = client.pc.dtlsTransports[0].srtp;
  const header = (seq: number) =>
    new RtpHeader({
      payloadType: 111,
      sequenceNumber: seq,
      timestamp: seq * 960,
      ssrc: 0x5678,
      marker: false,
    });
  // Sent twice: the second copy is dropped as a replay only if the first authenticated and
  // entered the replay window (werift's own packets, still in flight, are never replays).
  const replayed0 = (await stats(transport)).tsfuCounters.srtpReplayed;
  const raw = Buffer.from(srtp.encrypt(Buffer.alloc(80, 1), header(500)));
  await client.sendRaw(raw);
  await client.sendRaw(raw);
  await waitFor(
    async () => (await stats(transport)).tsfuCounters.srtpReplayed === replayed0 + 1,
    15_000,
    'raw srtp accepted once, then replayed',
  );
  const tampered = Buffer.from(srtp.encrypt(Buffer.alloc(80, 2), header(501)));
  tampered[20] ^= 0x01;
  await client.sendRaw(tampered);
  await waitFor(
    async () => (await stats(transport)).tsfuCounters.srtpAuthFailures === 1,
    15_000,
    'auth failure',
  );
  const st = await stats(transport);
  expect(st.tsfuCounters.srtpPacketsAccepted).toBeGreaterThanOrEqual(2);
  expect(st.iceState).toBe('completed');
  expect(st.dtlsState).toBe('connected');
  expect(st.bytesReceived).toBeGreaterThan(0);
  return { transport, client };
}

describe('WebRtcTransport against werift', () => {
  it('two workers, one shared UDP port: ICE completed, DTLS connected, SRTP keys agree', async () => {
    const a = await connectAndCheck(env.r1, env.s1, false);
    const b = await connectAndCheck(env.r2, env.s2, false);
    expect(a.transport.iceSelectedTuple?.localPort).toBe(b.transport.iceSelectedTuple?.localPort);
    const io = (await env.s1.dump()).ioCounters;
    expect(io.routedByUfrag).toBeGreaterThan(0);
    expect(io.routedByTuple).toBeGreaterThan(0);
  });

  it('a transport on its own listenInfos socket (no WebRtcServer) connects too', async () => {
    const transport = await env.r2.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
    });
    const port = transport.iceCandidates[0].port;
    expect(port).not.toBe(env.udpPort);
    const client = await connectClient(transport);
    clients.push(client);
    await waitFor(() => transport.dtlsState === 'connected', 15_000, 'dtls connected');
    expect(transport.iceSelectedTuple).toMatchObject({
      localPort: port,
      protocol: 'udp',
      remoteIp: '127.0.0.1',
    });
    await sendUntilAccepted(client, transport, 1);
    const socketsBefore = (await env.s1.getIoCounters()).sockets;
    transport.close();
    // Its socket is closed with it (after the close_notify has left).
    await waitFor(
      async () => (await env.s1.getIoCounters()).sockets === socketsBefore - 1,
      5000,
      'socket closed',
    );
  });

  it('two workers over ICE-TCP on one shared TCP listener', async () => {
    await connectAndCheck(env.r1, env.s1, true);
    await connectAndCheck(env.r2, env.s2, true);
  });

  it('ICE restart: the old ufrag works until the first check with the new one (as mediasoup), media keeps flowing', async () => {
    const transport = await env.r1.createWebRtcTransport({ webRtcServer: env.s1 });
    const client = await connectClient(transport);
    clients.push(client);
    await waitFor(() => transport.dtlsState === 'connected', 15_000, 'dtls connected');
    const old = transport.iceParameters;
    const fresh = await transport.restartIce();
    expect(fresh.usernameFragment).not.toBe(old.usernameFragment);
    expect(fresh.password).not.toBe(old.password);
    expect(transport.iceParameters.usernameFragment).toBe(fresh.usernameFragment);
    const ufrags = async () =>
      (await env.s1.dump()).localIceUsernameFragments
        .filter((f) => f.webRtcTransportId === transport.id)
        .map((f) => f.localIceUsernameFragment);
    // Both route here until the peer uses the new credentials.
    expect((await ufrags()).sort()).toEqual([old.usernameFragment, fresh.usernameFragment].sort());
    // The established tuple keeps working (it is known by 5-tuple, not by ufrag).
    expect(transport.iceState).toBe('completed');
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, env.udpPort, '127.0.0.1', () => r()));
    // A check with the old credentials from a new tuple is still routed and answered.
    const answered0 = (await stats(transport)).tsfuCounters.ice.answered;
    await send(stunRequest(old.usernameFragment, old.password));
    await waitFor(
      async () => (await stats(transport)).tsfuCounters.ice.answered > answered0,
      5000,
      'old creds answered',
    );
    // The first check with the new credentials retires the old ufrag.
    const answered1 = (await stats(transport)).tsfuCounters.ice.answered;
    await send(stunRequest(fresh.usernameFragment, fresh.password));
    await waitFor(
      async () => (await stats(transport)).tsfuCounters.ice.answered > answered1,
      5000,
      'new creds answered',
    );
    expect(await ufrags()).toEqual([fresh.usernameFragment]);
    sock.close();
    // From then on a check for the old ufrag from a new tuple (`sock`'s was validated above) is dropped at
    // the I/O thread (sent until the worker's unregistration has reached it).
    const sock2 = createSocket('udp4');
    await new Promise<void>((r) => sock2.bind(0, '127.0.0.1', () => r()));
    const io0 = (await env.s1.dump()).ioCounters;
    await waitFor(
      async () => {
        const stale = stunRequest(old.usernameFragment, old.password);
        await new Promise<void>((r) => sock2.send(stale, env.udpPort, '127.0.0.1', () => r()));
        return (await env.s1.dump()).ioCounters.droppedUnknownTuple > io0.droppedUnknownTuple;
      },
      5000,
      'old ufrag dropped',
    );
    sock2.close();
    expect(transport.iceState).toBe('completed');
    // Media from the client keeps flowing on the validated tuple across the restart (same DTLS/SRTP).
    const accepted = (await stats(transport)).tsfuCounters.srtpPacketsAccepted;
    await sendUntilAccepted(client, transport, accepted + 1);
  });

  it('consent timeout → disconnected', async () => {
    const transport = await env.r2.createWebRtcTransport({ webRtcServer: env.s2, iceConsentTimeout: 1 });
    const client = await connectClient(transport);
    await waitFor(() => transport.dtlsState === 'connected', 15_000, 'dtls connected');
    const boundBefore = (await env.s2.getIoCounters()).tuples;
    const states: string[] = [];
    transport.on('icestatechange', (s) => states.push(s));
    // werift's close() sends no DTLS close_notify; the client going silent is seen as consent expiry.
    await client.pc.close();
    await waitFor(() => transport.iceState === 'disconnected', 8000, 'disconnected');
    expect(states).toContain('disconnected');
    expect(transport.iceSelectedTuple).toBeUndefined();
    // The I/O thread forgot the tuple (a new session from that address must reach its own transport).
    await expect.poll(async () => (await env.s2.getIoCounters()).tuples).toBeLessThan(boundBefore);
  });

  it('fingerprint mismatch → dtlsState failed', async () => {
    // connect() is given a fingerprint that is not the client certificate's: our DTLS side must fail.
    const t2 = await env.r1.createWebRtcTransport({ webRtcServer: env.s1 });
    const pcClient = await connectClientWithWrongRemoteFingerprint(t2);
    clients.push(pcClient);
    await waitFor(() => t2.dtlsState === 'failed', 15_000, 'dtls failed');
    expect(t2.dtlsState).toBe('failed');
  });

  it('close → the client sees DTLS close_notify; the transport reports closed', async () => {
    const transport = await env.r2.createWebRtcTransport({ webRtcServer: env.s2 });
    const client = await connectClient(transport);
    clients.push(client);
    await waitFor(() => client.pc.connectionState === 'connected', 15_000, 'connected');
    const closed = new Promise<void>((resolve) => transport.observer.once('close', resolve));
    transport.close();
    await closed;
    expect(transport.iceState).toBe('closed');
    expect(transport.dtlsState).toBe('closed');
    await waitFor(
      () => client.pc.dtlsTransports[0].state === 'closed' || client.pc.connectionState !== 'connected',
      10_000,
      'client sees close',
    );
    await expect(transport.getStats()).rejects.toThrow(/closed/);
  });

  it('garbage at the shared port is dropped and counted, creating nothing', async () => {
    const before = (await env.s1.dump()).ioCounters;
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, env.udpPort, '127.0.0.1', () => r()));
    // random datagrams
    for (let i = 0; i < 50; i++) await send(randomBytes(1 + ((i * 37) % 300)));
    // STUN Binding Request with an unknown ufrag (USERNAME "nobodyknowsme:x")
    const uname = Buffer.from('nobodyknowsme:x\0', 'latin1').subarray(0, 15);
    const stun = Buffer.alloc(20 + 4 + 16);
    stun.writeUInt16BE(0x0001, 0);
    stun.writeUInt16BE(20, 2);
    stun.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(stun, 8);
    stun.writeUInt16BE(0x0006, 20);
    stun.writeUInt16BE(15, 22);
    uname.copy(stun, 24);
    await send(stun);
    // DTLS ClientHello-looking record and RTP from an unknown tuple
    await send(
      Buffer.concat([Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20]), randomBytes(20)]),
    );
    await send(Buffer.concat([Buffer.from([0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), randomBytes(60)]));
    // STUN for a real transport's ufrag but a bad MESSAGE-INTEGRITY: routed, answered 401, no tuple.
    const t = await env.r1.createWebRtcTransport({ webRtcServer: env.s1 });
    const badIntegrity = stunRequest(t.iceParameters.usernameFragment, 'not-the-password');
    await send(badIntegrity);
    await waitFor(async () => (await stats(t)).tsfuCounters.ice.unauthenticated >= 1, 5000, '401');
    await waitFor(
      async () => (await env.s1.dump()).ioCounters.droppedUnknownTuple >= before.droppedUnknownTuple + 53,
      5000,
      'drops counted',
    );
    const after = (await env.s1.dump()).ioCounters;
    expect(after.tuples).toBe(before.tuples);
    const st = await stats(t);
    expect(st.iceState).toBe('new');
    expect(st.iceSelectedTuple).toBeUndefined();
    sock.close();
    t.close();
  });

  it('garbage on an ICE-TCP connection to the shared listener is dropped and counted', async () => {
    const tcpPort = (await env.s1.dump()).tcpServers[0].port;
    const before = (await env.s1.dump()).ioCounters;
    const conn = connect({ host: '127.0.0.1', port: tcpPort });
    await new Promise<void>((r) => conn.once('connect', () => r()));
    // Well-framed (RFC 4571) random frames, a STUN request for an unknown ufrag, then a frame cut in half.
    const frames = [randomBytes(40), randomBytes(300), stunRequest('nobodyknowsme123', 'x')].map((f) =>
      Buffer.concat([Buffer.from([f.length >> 8, f.length & 0xff]), f]),
    );
    conn.write(Buffer.concat(frames));
    conn.write(Buffer.from([0x01, 0x00, 0xde, 0xad]));
    await waitFor(
      async () => (await env.s1.dump()).ioCounters.droppedUnknownTuple >= before.droppedUnknownTuple + 3,
      5000,
      'tcp drops counted',
    );
    const after = (await env.s1.dump()).ioCounters;
    // The three whole frames, dropped for their unknown tuple (the half frame is no frame). The frame
    // count is the listener's: a live ICE-TCP peer of an earlier test may add its consent checks.
    expect(after.droppedUnknownTuple - before.droppedUnknownTuple).toBe(3);
    expect(after.tcpFramesReceived - before.tcpFramesReceived).toBeGreaterThanOrEqual(3);
    expect(after.tuples).toBe(before.tuples);
    expect(after.tcpConnections).toBe(before.tcpConnections + 1);
    conn.destroy();
    await waitFor(
      async () => (await env.s1.dump()).ioCounters.tcpConnections === before.tcpConnections,
      5000,
      'closed',
    );
  });
});

async function connectClientWithWrongRemoteFingerprint(transport: sfu.WebRtcTransport): Promise<Client> {
  const client = await connectClient(transport, { wrongRemote: true } as never);
  return client;
}

/** A Binding Request as a browser sends it, signed with `password` (FINGERPRINT included). */
function stunRequest(localUfrag: string, password: string): Buffer {
  const w = new StunMessageWriter(Buffer.alloc(548));
  w.begin(StunMethod.Binding, StunClass.Request)
    .addString(StunAttr.Username, `${localUfrag}:peer`)
    .addUint32(StunAttr.Priority, 1853824767)
    .addUint64(StunAttr.IceControlling, 42n)
    .addIntegrity(Buffer.from(password))
    .addFingerprint();
  return Buffer.from(w.toBuffer());
}
