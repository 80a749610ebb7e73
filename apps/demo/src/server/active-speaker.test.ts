/**
 * The room's ActiveSpeakerObserver through the demo's signalling (a real
 * server, real WebSockets, no media): a microphone producer is watched and
 * every peer — its owner too — is told `activeSpeaker`; a late joiner gets
 * the current one in its `join` answer; when the speaker leaves the observer
 * picks the next microphone; when the last one closes it is nobody.
 * Which of several talking peers wins is the observer's business (its own
 * tests, and the browser test in test/e2e/demo-room.test.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ActiveSpeaker, NO_SPEAKER } from '../signalling/protocol.js';
import { parseConfig } from './config.js';
import { type DemoServer, startDemoServer } from './server.js';

let server: DemoServer;
const sockets: WebSocket[] = [];
const log: string[] = [];

beforeAll(async () => {
  server = await startDemoServer(
    parseConfig({
      argv: ['--port=0', '--http-ip=127.0.0.1', '--rtc-port=0', '--listen-ip=127.0.0.1', '--workers=1'],
      env: {},
    }),
    (line) => log.push(line),
  );
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await server?.close();
});

/** A joined peer: `request` resolves with the answer's data; `speakers` are its `activeSpeaker` notes. */
async function joinAs(roomId: string, displayName: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
  sockets.push(socket);
  const speakers: ActiveSpeaker[] = [];
  const pending = new Map<number, (f: { ok: boolean; data?: unknown; error?: unknown }) => void>();
  socket.on('message', (raw) => {
    const f = JSON.parse(String(raw));
    if (f.type === 'notification' && f.method === 'activeSpeaker') speakers.push(f.data);
    else if (f.type === 'response') pending.get(f.id)?.(f);
  });
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
  const welcome = await request('join', { roomId, displayName });
  /** Produces a microphone (opus; no media needs to flow for a lone speaker to be chosen). */
  const produceMic = async (ssrc: number): Promise<string> => {
    const t = await request('createWebRtcTransport', { direction: 'send' });
    const { id: producerId } = await request('produce', {
      transportId: t.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc }],
      },
    });
    return producerId;
  };
  return { socket, peerId: welcome.peerId as string, welcome, speakers, request, produceMic };
}

it('a microphone is watched: every peer hears who speaks, a late joiner too, and the floor passes on', async () => {
  const ada = await joinAs('talk', 'Ada');
  const grace = await joinAs('talk', 'Grace');
  expect(grace.welcome.activeSpeaker).toEqual(NO_SPEAKER);
  const room = server.registry.rooms.get('talk')!;

  const adaMic = await ada.produceMic(1111);
  const adaSpeaks = { peerId: ada.peerId, producerId: adaMic };
  // The only microphone is the dominant speaker at the observer's first decision (300 ms).
  await expect.poll(() => grace.speakers.at(-1), { timeout: 5_000 }).toEqual(adaSpeaks);
  await expect.poll(() => ada.speakers.at(-1), { timeout: 5_000 }).toEqual(adaSpeaks);
  expect(room.activeSpeaker).toEqual(adaSpeaks);

  // Grace's microphone joins the observer; silent, it cannot take the floor from Ada.
  const graceMic = await grace.produceMic(2222);
  const linus = await joinAs('talk', 'Linus');
  expect(linus.welcome.activeSpeaker).toEqual(adaSpeaks);

  // The speaker leaves: the pages are told it is nobody, then the observer picks the other microphone.
  await ada.request('leave', {});
  const graceSpeaks = { peerId: grace.peerId, producerId: graceMic };
  await expect.poll(() => linus.speakers.at(-1), { timeout: 5_000 }).toEqual(graceSpeaks);
  expect(linus.speakers).toEqual([NO_SPEAKER, graceSpeaks]);
  await expect.poll(() => grace.speakers.at(-1), { timeout: 5_000 }).toEqual(graceSpeaks);
  expect(room.activeSpeaker).toEqual(graceSpeaks);

  // The last microphone closes: nobody speaks.
  await grace.request('closeProducer', { producerId: graceMic });
  await expect.poll(() => linus.speakers.at(-1), { timeout: 5_000 }).toEqual(NO_SPEAKER);
  expect(room.activeSpeaker).toEqual(NO_SPEAKER);

  // The room (and its observer, with the router) closes with its last peer.
  grace.socket.close();
  linus.socket.close();
  await expect.poll(() => server.registry.rooms.has('talk')).toBe(false);
  expect(room.router.closed).toBe(true);
});

it('only microphones are watched: a screen share is not given to the observer', async () => {
  const a = await joinAs('quiet', 'A');
  const t = await a.request('createWebRtcTransport', { direction: 'send' });
  await a.request('produce', {
    transportId: t.id,
    kind: 'video',
    source: 'screen',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: 3333 }],
    },
  });
  const mic = await a.produceMic(4444);
  await expect
    .poll(() => a.speakers.at(-1), { timeout: 5_000 })
    .toEqual({ peerId: a.peerId, producerId: mic });
  expect(a.speakers).toEqual([{ peerId: a.peerId, producerId: mic }]);
  // Handing the observer a video producer would have failed (TypeError) and been logged.
  expect(log.filter((l) => l.includes('active speaker not watched'))).toEqual([]);
  a.socket.close();
});
