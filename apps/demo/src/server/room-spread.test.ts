/**
 * A room past `--spread-after` peers: the late peer's receive transport goes
 * on a consumer router of the other worker, the producer it consumes is piped
 * there (pipeToRouter over shared memory), and its media arrives. Real
 * ICE/DTLS/SRTP clients (tsfu's SyntheticWebRtcClient) through the demo's
 * signalling: the early peer sends opus RTP, the late one receives it.
 */
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from './config.js';
import { type DemoServer, startDemoServer } from './server.js';

let server: DemoServer;
const sockets: WebSocket[] = [];
const clients: SyntheticWebRtcClient[] = [];

beforeAll(async () => {
  server = await startDemoServer(
    parseConfig({
      argv: [
        '--port=0',
        '--http-ip=127.0.0.1',
        '--rtc-port=0',
        '--listen-ip=127.0.0.1',
        '--workers=2',
        '--loopback-only',
        '--spread-after=1',
      ],
      env: {},
    }),
    () => {},
  );
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.terminate();
  await server?.close();
});

async function connect() {
  const socket = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
  sockets.push(socket);
  const pending = new Map<number, (f: { ok: boolean; data?: unknown; error?: unknown }) => void>();
  socket.on('message', (raw) => {
    const f = JSON.parse(String(raw));
    if (f.type !== 'notification') pending.get(f.id)?.(f);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked by the test
  return (method: string, data: unknown): Promise<any> =>
    new Promise((resolve, reject) => {
      const reqId = ++id;
      pending.set(reqId, (f) => (f.ok ? resolve(f.data) : reject(new Error(JSON.stringify(f.error)))));
      socket.send(JSON.stringify({ type: 'request', id: reqId, method, data }));
    });
}

/** A transport of `direction` for the peer behind `request`, connected by a synthetic client. */
async function transport(request: Awaited<ReturnType<typeof connect>>, direction: 'send' | 'recv') {
  const info = await request('createWebRtcTransport', { direction });
  const client = await SyntheticWebRtcClient.create();
  clients.push(client);
  await request('connectWebRtcTransport', { transportId: info.id, dtlsParameters: client.dtlsParameters });
  await client.connect(info);
  return { id: info.id as string, client };
}

it('the peer past --spread-after consumes on the other worker, through a pipe, and gets the media', async () => {
  const a = await connect();
  const { peerId: peerA } = await a('join', { roomId: 'big', displayName: 'A' });
  const b = await connect();
  const { peerId: peerB, routerRtpCapabilities } = await b('join', { roomId: 'big', displayName: 'B' });
  const room = server.registry.rooms.get('big')!;

  const send = await transport(a, 'send');
  const ssrc = 0x1234;
  const { id: producerId } = await a('produce', {
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc }],
      rtcp: { cname: 'a' },
    },
  });
  const recv = await transport(b, 'recv');
  const consumer = await b('consume', {
    transportId: recv.id,
    producerId,
    rtpCapabilities: routerRtpCapabilities,
  });
  await b('resumeConsumer', { consumerId: consumer.id });

  // B's receive transport is on a consumer router of the other worker; A's send transport on the room's.
  const recvEntry = [...room.peers.get(peerB)!.transports.values()][0];
  const sendEntry = [...room.peers.get(peerA)!.transports.values()][0];
  expect(sendEntry.router).toBe(room.router);
  expect(recvEntry.router).not.toBe(room.router);
  const [consumerRouter] = await room.spreadRouters();
  expect(consumerRouter).toBe(recvEntry.router);
  // …which lives on the other worker.
  const other = server.registry.slots.find((s) => s !== room.slot)!;
  expect((await other.worker.dump()).routerIds).toContain(consumerRouter.id);
  expect((await room.slot.worker.dump()).routerIds).not.toContain(consumerRouter.id);
  // The room's router holds the pipe transport to it.
  expect((await room.router.dump()).transportIds.length).toBe(2);

  // Media: A's RTP reaches B through the pipe.
  for (let seq = 0; seq < 2000 && recv.client.counters.rtpReceived < 50; seq++) {
    const p = Buffer.alloc(12 + 40, 0x11);
    p[0] = 0x80;
    p[1] = 111;
    p.writeUInt16BE(seq, 2);
    p.writeUInt32BE(seq * 960, 4);
    p.writeUInt32BE(ssrc, 8);
    send.client.sendRtp(p);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(recv.client.counters.rtpReceived).toBeGreaterThanOrEqual(50);
});
