/**
 * A peer whose media connection goes away while its WebSocket stays open:
 * a real ICE/DTLS client (tsfu's SyntheticWebRtcClient) connects a transport
 * through the demo's signalling, then stops. ICE consent expires
 * (`--ice-consent-timeout-s=1`), the transport turns `disconnected`, and past
 * `--ice-disconnect-timeout-ms` the room removes the peer: the others see
 * `peerLeft`, its socket is closed with 4002, the empty room closes.
 * Also: new rooms go to the least-loaded worker.
 */
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from './config.js';
import { type DemoServer, startDemoServer } from './server.js';

let server: DemoServer;
const log: string[] = [];
const sockets: WebSocket[] = [];

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
        '--ice-consent-timeout-s=1',
        '--ice-disconnect-timeout-ms=300',
      ],
      env: {},
    }),
    (line) => log.push(line),
  );
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await server?.close();
});

/** Opens a socket; `request` sends and resolves with the answer's data (rejects on an error answer). */
async function connect() {
  const socket = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
  sockets.push(socket);
  const notes: Array<{ method: string; data: unknown }> = [];
  const pending = new Map<number, (f: { ok: boolean; data?: unknown; error?: unknown }) => void>();
  socket.on('message', (raw) => {
    const f = JSON.parse(String(raw));
    if (f.type === 'notification') notes.push(f);
    else pending.get(f.id)?.(f);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked by the test
  const request = (method: string, data: unknown): Promise<any> =>
    new Promise((resolve, reject) => {
      const reqId = ++id;
      pending.set(reqId, (f) => (f.ok ? resolve(f.data) : reject(new Error(JSON.stringify(f.error)))));
      socket.send(JSON.stringify({ type: 'request', id: reqId, method, data }));
    });
  return { socket, notes, closed, request };
}

it('ICE disconnected past the timeout removes the peer; the others see it leave', async () => {
  const stayer = await connect();
  await stayer.request('join', { roomId: 'ice', displayName: 'Stays' });
  const goer = await connect();
  const { peerId } = await goer.request('join', { roomId: 'ice', displayName: 'Goes' });

  const info = await goer.request('createWebRtcTransport', { direction: 'send' });
  const client = await SyntheticWebRtcClient.create();
  try {
    await goer.request('connectWebRtcTransport', {
      transportId: info.id,
      dtlsParameters: client.dtlsParameters,
    });
    await client.connect(info);
    const [transport] = [...server.registry.rooms.get('ice')!.peers.get(peerId)!.transports.values()];
    expect(['connected', 'completed']).toContain(transport.transport.iceState);
  } finally {
    client.close(); // no more consent checks from here on
  }
  expect(await goer.closed).toBe(4002);
  expect(log.some((l) => /^leave room=ice peer=\S+ \(ICE disconnected\)/.test(l))).toBe(true);
  await expect.poll(() => stayer.notes.some((n) => n.method === 'peerLeft')).toBe(true);
  expect(stayer.notes.find((n) => n.method === 'peerLeft')?.data).toEqual({ peerId });
  expect(server.registry.rooms.get('ice')?.peers.size).toBe(1);

  // The last one out closes the room.
  stayer.socket.close();
  await expect.poll(() => server.registry.rooms.has('ice')).toBe(false);
});

it('new rooms go on the least-loaded worker: two rooms, two workers', async () => {
  const a = await connect();
  await a.request('join', { roomId: 'north', displayName: 'A' });
  const b = await connect();
  await b.request('join', { roomId: 'south', displayName: 'B' });
  const slotOf = (roomId: string) => server.registry.slots.indexOf(server.registry.rooms.get(roomId)!.slot);
  expect([slotOf('north'), slotOf('south')].sort()).toEqual([0, 1]);
  // A peer in an existing room stays with that room's router, whatever the load.
  const c = await connect();
  await c.request('join', { roomId: 'north', displayName: 'C' });
  expect(server.registry.rooms.get('north')!.peers.size).toBe(2);
  expect(server.registry.slots.map((s) => s.peers).sort()).toEqual([1, 2]);
  // The next new room goes to the worker with one peer.
  const d = await connect();
  await d.request('join', { roomId: 'east', displayName: 'D' });
  expect(slotOf('east')).toBe(slotOf('south'));
  const stats = await a.request('getServerStats', {});
  expect(stats.workers.map((w: { routers: number }) => w.routers).sort()).toEqual([1, 2]);
  for (const x of [a, b, c, d]) x.socket.close();
  await expect.poll(() => server.registry.rooms.size).toBe(0);
  expect(server.registry.slots.map((s) => [s.rooms, s.peers])).toEqual([
    [0, 0],
    [0, 0],
  ]);
});

it('a worker that dies closes its rooms (sockets closed 4001); new rooms go to the worker left', async () => {
  const a = await connect();
  await a.request('join', { roomId: 'doomed', displayName: 'A' });
  const room = server.registry.rooms.get('doomed')!;
  const dying = room.slot;
  await dying.worker.crashForTesting().catch(() => {}); // the answer may never come: the thread is gone
  expect(await a.closed).toBe(4001);
  await expect.poll(() => server.registry.rooms.has('doomed')).toBe(false);
  expect(log.some((l) => /^close room=doomed \(worker closed\)/.test(l))).toBe(true);
  expect(log.some((l) => /^worker \d \(pid \d+\) died/.test(l))).toBe(true);

  const b = await connect();
  await b.request('join', { roomId: 'survivor', displayName: 'B' });
  expect(server.registry.rooms.get('survivor')!.slot).not.toBe(dying);
  const stats = await b.request('getServerStats', {});
  expect(stats).toMatchObject({ rooms: 1, peers: 1 });
  b.socket.close();
});
