/**
 * IceLiteServer over real loopback sockets, with a client built from this
 * package's own codec: UDP, and TCP with RFC 4571 framing written in awkward
 * pieces (split and coalesced frames).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IceLiteServer, type IceLiteServerOptions } from './ice-lite-server.js';
import { frameRfc4571, Rfc4571Deframer } from './rfc4571-framing.js';
import { StunClass } from './stun-constants.js';
import { verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';
import { bindingRequest } from './stun-request.test-util.js';

const servers: IceLiteServer[] = [];
const sockets: (UdpSocket | TcpSocket)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if ('destroy' in s) s.destroy();
    else s.close();
  }
  for (const s of servers.splice(0)) await s.close();
});

async function listen(opts: IceLiteServerOptions): Promise<IceLiteServer> {
  const s = await IceLiteServer.listen(opts);
  servers.push(s);
  return s;
}

function nextEvent<T>(subscribe: (cb: (v: T) => void) => void, what: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    subscribe((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

function waitFor(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

function parse(bytes: Uint8Array): StunMessageView {
  const v = new StunMessageView();
  expect(v.parse(bytes)).toBe(StunParseResult.Ok);
  return v;
}

describe('IceLiteServer over UDP', () => {
  it('answers checks, accepts data only from validated tuples, sends to the selected one', async () => {
    const server = await listen({ udp: { address: '127.0.0.1' } });
    const { usernameFragment, password } = server.localParameters;
    const port = server.candidates[0].port;
    const client = createSocket('udp4');
    sockets.push(client);
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    const inbox: Buffer[] = [];
    let wake: (() => void) | undefined;
    client.on('message', (m) => {
      inbox.push(m);
      wake?.();
    });
    const receive = () =>
      inbox.length
        ? Promise.resolve(inbox.shift()!)
        : nextEvent<void>((cb) => {
            wake = cb;
          }, 'udp message').then(() => inbox.shift()!);

    const received: Buffer[] = [];
    server.on('data', (d) => received.push(Buffer.from(d)));

    // Data before any check: dropped and counted.
    client.send(Buffer.from([0x80, 0x60, 0, 1]), port, '127.0.0.1');
    // Check with the wrong password: 401, still not validated.
    client.send(
      bindingRequest({ username: `${usernameFragment}:c`, password: 'x'.repeat(22) }),
      port,
      '127.0.0.1',
    );
    const e401 = parse(await receive());
    expect(e401.cls).toBe(StunClass.ErrorResponse);
    expect(e401.errorCode?.code).toBe(401);
    expect(server.agent.state).toBe('new');

    client.send(
      bindingRequest({ username: `${usernameFragment}:c`, password, useCandidate: true }),
      port,
      '127.0.0.1',
    );
    const ok = parse(await receive());
    expect(ok.cls).toBe(StunClass.SuccessResponse);
    expect(verifyStunIntegrity(ok, Buffer.from(password))).toBe(true);
    expect(ok.xorMappedAddress).toEqual({
      family: 'IPv4',
      address: '127.0.0.1',
      port: client.address().port,
    });
    expect(server.agent.state).toBe('completed');
    expect(server.counters.droppedUnvalidated).toBe(1);

    client.send(Buffer.from([0x80, 0x60, 0, 2]), port, '127.0.0.1');
    client.send(Buffer.from([0x05, 0x00]), port, '127.0.0.1'); // not STUN/DTLS/RTP: dropped
    expect(server.send(Buffer.from([0x17, 1, 2, 3]))).toBe(true);
    expect(await receive()).toEqual(Buffer.from([0x17, 1, 2, 3]));
    await waitFor(() => received.length > 0 && server.counters.droppedUnknown > 0, 'data at the server');
    expect(received).toEqual([Buffer.from([0x80, 0x60, 0, 2])]);
    expect(server.counters.droppedUnknown).toBe(1);
  });
});

interface TcpClient {
  socket: TcpSocket;
  frames: Buffer[];
  next: () => Promise<Buffer>;
  closed: Promise<void>;
}

async function tcpClient(port: number): Promise<TcpClient> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  sockets.push(socket);
  await nextEvent<void>((cb) => socket.once('connect', () => cb()), 'tcp connect');
  const frames: Buffer[] = [];
  let wake: (() => void) | undefined;
  const deframer = new Rfc4571Deframer((f) => {
    frames.push(Buffer.from(f));
    wake?.();
  });
  socket.on('data', (c) => deframer.push(c));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const next = () =>
    frames.length
      ? Promise.resolve(frames.shift()!)
      : nextEvent<void>((cb) => {
          wake = cb;
        }, 'tcp frame').then(() => frames.shift()!);
  return { socket, frames, next, closed };
}

/**
 * Writes `bytes` in pieces, each once the server has read the one before, so
 * it sees frames cut mid-way. What the server read is counted by a spy on the
 * real deframer (nothing replaced); the client's deframer gets nothing yet.
 */
async function writeInPieces(socket: TcpSocket, bytes: Buffer, pieces: number[]): Promise<void> {
  const push = vi.spyOn(Rfc4571Deframer.prototype, 'push');
  const read = () => push.mock.calls.reduce((n, [c]) => n + c.length, 0);
  try {
    let at = 0;
    for (const n of pieces) {
      socket.write(bytes.subarray(at, at + n));
      at += n;
      await waitFor(() => read() >= at, 'the server to read a piece');
      expect(read()).toBe(at);
    }
    if (at < bytes.length) socket.write(bytes.subarray(at));
  } finally {
    push.mockRestore();
  }
}

describe('IceLiteServer over TCP (RFC 4571)', () => {
  it('handles split and coalesced frames, answers framed, forgets the tuple on close', async () => {
    const server = await listen({ tcp: { address: '127.0.0.1' } });
    const { usernameFragment, password } = server.localParameters;
    expect(server.candidates[0]).toMatchObject({ protocol: 'tcp', tcpType: 'passive' });
    const client = await tcpClient(server.candidates[0].port);
    const received: Buffer[] = [];
    server.on('data', (d) => received.push(Buffer.from(d)));

    // A check cut in three writes (inside the length prefix, then mid-message).
    const check = frameRfc4571(bindingRequest({ username: `${usernameFragment}:c`, password }));
    await writeInPieces(client.socket, check, [1, 30]);
    const first = parse(await client.next());
    expect(first.cls).toBe(StunClass.SuccessResponse);
    expect(first.xorMappedAddress?.port).toBe(client.socket.localPort);
    expect(server.agent.state).toBe('connected');
    expect(server.agent.selectedTuple?.protocol).toBe('tcp');

    // Two checks and a data frame coalesced in one write.
    const nominate = frameRfc4571(
      bindingRequest({ username: `${usernameFragment}:c`, password, useCandidate: true }),
    );
    const data = frameRfc4571(Buffer.from([0x80, 0x60, 0x00, 0x09]));
    client.socket.write(Buffer.concat([check, nominate, data]));
    expect(parse(await client.next()).cls).toBe(StunClass.SuccessResponse);
    expect(parse(await client.next()).cls).toBe(StunClass.SuccessResponse);
    expect(server.agent.state).toBe('completed');
    await waitFor(() => received.length > 0, 'data at the server');
    expect(received).toEqual([Buffer.from([0x80, 0x60, 0x00, 0x09])]);

    expect(server.send(Buffer.from([0x16, 0xfe, 0xfd]))).toBe(true);
    expect(await client.next()).toEqual(Buffer.from([0x16, 0xfe, 0xfd]));

    const disconnected = nextEvent<string>((cb) => server.agent.on('statechange', cb), 'disconnect');
    client.socket.end();
    expect(await disconnected).toBe('disconnected');
    expect(server.agent.tuples).toHaveLength(0);
  });

  it('closes a connection that announces a frame over the cap', async () => {
    const server = await listen({ tcp: { address: '127.0.0.1' }, maxTcpFrameLength: 600 });
    const client = await tcpClient(server.candidates[0].port);
    client.socket.write(Buffer.from([0x03, 0x00, 0x00])); // 768-byte frame announced
    await client.closed;
    expect(server.counters.tcpConnectionsRejected).toBe(1);
  });

  it('closes a connection that sends no valid check in time', async () => {
    const server = await listen({ tcp: { address: '127.0.0.1' }, tcpAuthTimeoutMs: 100 });
    const client = await tcpClient(server.candidates[0].port);
    client.socket.write(frameRfc4571(Buffer.from([0x80, 0x60, 0, 1])));
    await client.closed;
    expect(server.counters.tcpConnectionsRejected).toBe(1);
    expect(server.counters.droppedUnvalidated).toBe(1);
  });

  it('refuses connections beyond maxTcpConnections', async () => {
    const server = await listen({ tcp: { address: '127.0.0.1' }, maxTcpConnections: 1 });
    const port = server.candidates[0].port;
    await tcpClient(port);
    const second = await tcpClient(port);
    await second.closed;
    expect(server.counters.tcpConnectionsRejected).toBe(1);
  });
});

describe('IceLiteServer.listen', () => {
  it('needs a transport, and gives UDP and TCP candidates with UDP first by default', async () => {
    await expect(IceLiteServer.listen({})).rejects.toThrow(TypeError);
    const server = await listen({
      udp: { address: '127.0.0.1', announcedAddress: '198.51.100.1' },
      tcp: { address: '127.0.0.1' },
    });
    const [udp, tcp] = server.candidates;
    expect(udp).toMatchObject({ protocol: 'udp', address: '198.51.100.1' });
    expect(tcp).toMatchObject({ protocol: 'tcp', address: '127.0.0.1' });
    expect(udp.priority).toBeGreaterThan(tcp.priority);
  });
});
