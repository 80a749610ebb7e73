/**
 * The signalling server over a real WebSocket, against a real demo server
 * (one tsfu worker, loopback only, ephemeral ports): request/response and
 * notifications, every error code a client can cause, room limits and
 * cleanup, and a fuzz run — random text, random JSON, random binary and
 * mutated requests never crash the server and each gets an error answer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_CHECKS, type RequestMethod } from '../signalling/protocol.js';
import { parseConfig } from './config.js';
import { type DemoServer, startDemoServer } from './server.js';

// biome-ignore lint/suspicious/noExplicitAny: frames are checked field by field in the tests
type AnyFrame = any;

/** A bare protocol client: raw frames in, parsed frames out. */
class WsClient {
  readonly frames: AnyFrame[] = [];
  private waiters: Array<{ match: (f: AnyFrame) => boolean; resolve: (f: AnyFrame) => void }> = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The next frame matching `match` (already received or still to come). */
  next(match: (f: AnyFrame) => boolean, timeoutMs = 5_000): Promise<AnyFrame> {
    const i = this.frames.findIndex(match);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no matching frame in time')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Sends a request and resolves with its response frame (ok or not). */
  request(method: string, data?: unknown): Promise<AnyFrame> {
    const id = this.nextId++;
    this.sendRaw(JSON.stringify({ type: 'request', id, method, data }));
    return this.next((f) => f.type === 'response' && f.id === id);
  }

  /** Sends raw text and resolves with the next response carrying `id` (null for unreadable frames). */
  rawRequest(text: string, id: number | null): Promise<AnyFrame> {
    this.sendRaw(text);
    return this.next((f) => f.type === 'response' && f.id === id);
  }

  close(): void {
    this.socket.close();
  }
}

const MAX_MESSAGE_BYTES = 4096;
let server: DemoServer;
let wsUrl: string;
const clients: WsClient[] = [];
const log: string[] = [];

async function client(): Promise<WsClient> {
  const c = await WsClient.open(wsUrl);
  clients.push(c);
  return c;
}

async function joined(roomId: string, displayName: string): Promise<{ c: WsClient; peerId: string }> {
  const c = await client();
  const r = await c.request('join', { roomId, displayName });
  expect(r.ok).toBe(true);
  return { c, peerId: r.data.peerId };
}

beforeAll(async () => {
  const config = parseConfig({
    argv: [
      '--port=0',
      '--http-ip=127.0.0.1',
      '--rtc-port=0',
      '--listen-ip=127.0.0.1',
      '--workers=1',
      '--loopback-only',
      '--max-peers=2',
      `--max-message-bytes=${MAX_MESSAGE_BYTES}`,
      // No recording here (the fuzz run would start some): test/e2e/demo-record.test.ts records.
      '--ffmpeg=/nonexistent/ffmpeg',
    ],
    env: {},
  });
  server = await startDemoServer(config, (line) => log.push(line));
  wsUrl = `ws://127.0.0.1:${server.httpPort}/ws`;
});

afterAll(async () => {
  for (const c of clients) c.socket.terminate();
  await server?.close('test over');
});

describe('requests and notifications', () => {
  it('join answers the router capabilities and who is there; the others are told', async () => {
    const a = await joined('r1', 'Ada');
    const b = await client();
    const r = await b.request('join', { roomId: 'r1', displayName: 'Grace' });
    expect(r.ok).toBe(true);
    expect(r.data.routerRtpCapabilities.codecs.map((c: { mimeType: string }) => c.mimeType)).toContain(
      'video/VP8',
    );
    expect(r.data.peers).toEqual([
      { peerId: a.peerId, displayName: 'Ada', producers: [], dataProducers: [] },
    ]);
    expect(r.data).toMatchObject({ recordingAvailable: false, recording: false });
    const note = await a.c.next((f) => f.type === 'notification' && f.method === 'peerJoined');
    expect(note.data).toEqual({ peerId: r.data.peerId, displayName: 'Grace' });
    expect(log.some((l) => l.startsWith('join  room=r1') && l.includes('"Grace"'))).toBe(true);

    // createWebRtcTransport answers what mediasoup-client's Device needs.
    const t = await b.request('createWebRtcTransport', { direction: 'recv' });
    expect(t.ok).toBe(true);
    expect(Object.keys(t.data).sort()).toEqual([
      'dtlsParameters',
      'iceCandidates',
      'iceParameters',
      'id',
      'sctpParameters',
    ]);
    expect(t.data.iceCandidates[0]).toMatchObject({
      ip: '127.0.0.1',
      protocol: 'udp',
      port: server.rtcPorts.udp,
    });

    // ICE restart: new credentials for that transport.
    const restarted = await b.request('restartIce', { transportId: t.data.id });
    expect(restarted.ok).toBe(true);
    expect(restarted.data.iceParameters.usernameFragment).not.toBe(t.data.iceParameters.usernameFragment);
    expect(restarted.data.iceParameters.password).not.toBe(t.data.iceParameters.password);

    // Stats over the socket and over HTTP agree.
    const s = await b.request('getServerStats', {});
    expect(s.data).toMatchObject({ rooms: 1, peers: 2, producers: 0, consumers: 0 });
    const http = await (await fetch(`http://127.0.0.1:${server.httpPort}/stats`)).json();
    expect(http).toMatchObject({ rooms: 1, peers: 2 });

    // A third peer: the room is full (max 2).
    const c = await client();
    const full = await c.request('join', { roomId: 'r1', displayName: 'Linus' });
    expect(full.error.code).toBe('room-full');

    // Leave: the other is told; a socket close does the same for the last one, and the room closes.
    expect((await b.request('leave', {})).ok).toBe(true);
    expect((await a.c.next((f) => f.method === 'peerLeft')).data).toEqual({ peerId: r.data.peerId });
    a.c.close();
    await expect.poll(() => server.registry.rooms.size).toBe(0);
    expect(log.some((l) => l.startsWith('close room=r1 (empty)'))).toBe(true);
  });

  type Row = [label: string, method: string, data: unknown, code: string, message: RegExp];
  const joinedRows: Row[] = [
    ['join twice', 'join', { roomId: 'r2', displayName: 'x' }, 'already-joined', /already joined/],
    [
      'connect an unknown transport',
      'connectWebRtcTransport',
      { transportId: 'nope', dtlsParameters: {} },
      'not-found',
      /no transport nope/,
    ],
    [
      'produce on an unknown transport',
      'produce',
      { transportId: 'nope', kind: 'audio', source: 'mic', rtpParameters: {} },
      'not-found',
      /no transport/,
    ],
    [
      'restart ICE of an unknown transport',
      'restartIce',
      { transportId: 'nope' },
      'not-found',
      /no transport nope/,
    ],
    ['close an unknown producer', 'closeProducer', { producerId: 'nope' }, 'not-found', /no producer nope/],
    ['pause an unknown producer', 'pauseProducer', { producerId: 'nope' }, 'not-found', /no producer/],
    ['resume an unknown consumer', 'resumeConsumer', { consumerId: 'nope' }, 'not-found', /no consumer nope/],
    [
      'layers of an unknown consumer',
      'setConsumerPreferredLayers',
      { consumerId: 'nope', spatialLayer: 0 },
      'not-found',
      /no consumer/,
    ],
    ['record without ffmpeg', 'setRecording', { recording: true }, 'rejected', /cannot record \(no ffmpeg/],
    [
      'produceData on an unknown transport',
      'produceData',
      { transportId: 'nope', sctpStreamParameters: { streamId: 0 }, label: 'chat' },
      'not-found',
      /no transport nope/,
    ],
    [
      'consumeData on an unknown transport',
      'consumeData',
      { transportId: 'nope', dataProducerId: 'd' },
      'not-found',
      /no transport nope/,
    ],
  ];
  it.each(joinedRows)('error: %s', async (_label, method, data, code, message) => {
    const { c } = await joined('r2', 'Ada');
    const r = await c.request(method, data);
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe(code);
    expect(r.error.message).toMatch(message);
    c.close();
  });

  it('errors from the SFU itself (bad DTLS/RTP parameters) are answered, not thrown', async () => {
    const { c } = await joined('r3', 'Ada');
    const send = await c.request('createWebRtcTransport', { direction: 'send' });
    const recv = await c.request('createWebRtcTransport', { direction: 'recv' });
    const connect = await c.request('connectWebRtcTransport', {
      transportId: send.data.id,
      dtlsParameters: { role: 'sideways', fingerprints: 'none' },
    });
    expect(connect.error.code).toBe('rejected');
    expect(connect.error.message).toMatch(/TypeError/);
    const produce = await c.request('produce', {
      transportId: send.data.id,
      kind: 'video',
      source: 'webcam',
      rtpParameters: { codecs: 'VP8', encodings: 7 },
    });
    expect(produce.error.code).toBe('rejected');
    const wrongWay = await c.request('produce', {
      transportId: recv.data.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {},
    });
    expect(wrongWay.error).toEqual({ code: 'rejected', message: 'produce needs a send transport' });
    const mismatch = await c.request('produce', {
      transportId: send.data.id,
      kind: 'video',
      source: 'mic',
      rtpParameters: {},
    });
    expect(mismatch.error.code).toBe('invalid-params');
    const consume = await c.request('consume', {
      transportId: recv.data.id,
      producerId: 'nope',
      rtpCapabilities: {},
    });
    expect(consume.error.code).toBe('not-found');
    expect(server.signalling.counters.handlerFailures).toBeGreaterThan(0);
    c.close();
  });

  it('methods before join get not-joined; the size limit and binary frames get errors, the socket stays', async () => {
    const c = await client();
    const r = await c.request('createWebRtcTransport', { direction: 'send' });
    expect(r.error.code).toBe('not-joined');
    const big = JSON.stringify({
      type: 'request',
      id: 5,
      method: 'leave',
      data: {},
      pad: 'x'.repeat(MAX_MESSAGE_BYTES),
    });
    expect((await c.rawRequest(big, null)).error.code).toBe('too-large');
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await c.next((f) => f.id === null)).error.code).toBe('bad-frame');
    // Far over the limit, ws itself closes the socket (1009) — and the server keeps serving others.
    c.sendRaw('x'.repeat(MAX_MESSAGE_BYTES * 3));
    expect((await c.closed).code).toBe(1009);
    const d = await client();
    expect((await d.request('getServerStats', {})).ok).toBe(true);
    d.close();
  });
});

describe('signalling fuzz', () => {
  const methods = Object.keys(REQUEST_CHECKS) as RequestMethod[];
  const notJoinedMethods = methods.filter((m) => m !== 'join' && m !== 'getServerStats');

  it('random text frames get an error response and nothing else', async () => {
    const c = await client();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        const r = await c.rawRequest(text, null);
        expect(r.ok).toBe(false);
        expect(['bad-json', 'bad-frame']).toContain(r.error.code);
      }),
      { numRuns: 150 },
    );
    c.close();
  });

  it('random JSON values get an error response', async () => {
    const c = await client();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const text = JSON.stringify(value) ?? 'null';
        const r = await c.rawRequest(text, null);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 150 },
    );
    c.close();
  });

  it('well-framed requests with random data, before join: each gets its own error response', async () => {
    const c = await client();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof(fc.constantFrom(...notJoinedMethods), fc.string({ maxLength: 20 })),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
        ),
        async (id, method, data) => {
          const r = await c.rawRequest(JSON.stringify({ type: 'request', id, method, data }), id);
          expect(r.ok).toBe(false);
          expect(['not-joined', 'invalid-params', 'unknown-method']).toContain(r.error.code);
        },
      ),
      { numRuns: 200 },
    );
    c.close();
  });

  it('a joined peer sending random requests never crashes the server; each id is answered once', async () => {
    const { c } = await joined('fuzz', 'Fuzzer');
    const ids = new Set<number>();
    const mutated = fc.record({
      method: fc.constantFrom(...methods.filter((m) => m !== 'leave')),
      data: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.record(
          {
            transportId: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('a'.repeat(64))),
            producerId: fc.string({ maxLength: 40 }),
            consumerId: fc.string({ maxLength: 40 }),
            direction: fc.constantFrom('send', 'recv', 'x'),
            kind: fc.constantFrom('audio', 'video'),
            source: fc.constantFrom('mic', 'webcam', 'screen'),
            rtpParameters: fc.jsonValue({ maxDepth: 3 }),
            rtpCapabilities: fc.jsonValue({ maxDepth: 3 }),
            dtlsParameters: fc.jsonValue({ maxDepth: 3 }),
            spatialLayer: fc.integer({ min: -1, max: 4 }),
          },
          { requiredKeys: [] },
        ),
      ),
    });
    let id = 1_000_000;
    await fc.assert(
      fc.asyncProperty(mutated, async ({ method, data }) => {
        const reqId = id++;
        ids.add(reqId);
        const r = await c.rawRequest(JSON.stringify({ type: 'request', id: reqId, method, data }), reqId);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(typeof r.error.message).toBe('string');
      }),
      { numRuns: 200 },
    );
    // No response arrived twice (a second one would still be queued here).
    expect(c.frames.filter((f) => f.type === 'response' && ids.has(f.id))).toEqual([]);
    // Still serving: the same connection answers, and a new peer can join.
    expect((await c.request('getServerStats', {})).ok).toBe(true);
    const other = await joined('fuzz', 'Calm');
    expect((await other.c.request('leave', {})).ok).toBe(true);
    c.close();
    other.c.close();
    await expect.poll(() => server.registry.rooms.has('fuzz')).toBe(false);
  });
});

describe('shutdown', () => {
  it('tells connected pages (serverShutdown, close 1001) and closes the workers', async () => {
    const { c } = await joined('bye', 'Ada');
    await server.close('maintenance');
    const note = await c.next((f) => f.method === 'serverShutdown');
    expect(note.data).toEqual({ reason: 'maintenance' });
    expect((await c.closed).code).toBe(1001);
    expect(server.workers.every((w) => w.closed)).toBe(true);
    expect(server.registry.rooms.size).toBe(0);
  });
});
