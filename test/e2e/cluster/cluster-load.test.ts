/**
 * One 30-participant room split over three cluster nodes (in this process,
 * one worker each, a real Redis): ten participants join through each node;
 * one speaker per node sends opus RTP (tsfu's SyntheticWebRtcClient: real
 * ICE/DTLS/SRTP); every participant consumes every speaker but itself, so
 * each node pulls the two far speakers over pipes and serves its own to the
 * two others. Every receiver gets each speaker's packets; the workers' CPU
 * over the send phase is printed. When a speaker leaves, the pipes that
 * carried it close on the other nodes.
 *
 * The pipes' own CPU, measured by difference on the same worker threads,
 * same speakers, same pipes open: one participant per node has consumed the
 * two far speakers, paused (consumers are created paused), which opens the
 * pipes. First the speakers' producers are paused (their packets come in and
 * stop there: the pipes are idle), then resumed (the pipes carry every far
 * speaker; nobody gets anything). Pipes = second − first: the pipes' SRTP
 * and UDP both ways, plus what a resumed producer costs over a paused one and
 * the one paused consumer behind each pipe producer (so an upper bound). Then
 * everyone consumes and resumes.
 */
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../../apps/demo/src/server/config.js';
import { type DemoServer, startDemoServer } from '../../../apps/demo/src/server/server.js';
import { freePort } from './demo-node.js';
import { RedisProcess } from './redis-server.js';

const ROOM = 'big';
const PER_NODE = 10;
let redis: RedisProcess;
const servers: DemoServer[] = [];
const sockets: WebSocket[] = [];
const clients: SyntheticWebRtcClient[] = [];

// biome-ignore lint/suspicious/noExplicitAny: answers are checked by the test
type Request = (method: string, data: unknown) => Promise<any>;

interface Participant {
  node: number;
  request: Request;
  socket: WebSocket;
  peerId: string;
  caps: unknown;
  /** Producers this page has been told of (join answer + newProducer). */
  known: Set<string>;
  recv?: SyntheticWebRtcClient;
}

async function join(node: number, name: string): Promise<Participant> {
  const socket = new WebSocket(`ws://127.0.0.1:${servers[node].httpPort}/ws`);
  sockets.push(socket);
  const pending = new Map<number, (f: { ok: boolean; data?: unknown; error?: unknown }) => void>();
  const known = new Set<string>();
  socket.on('message', (raw) => {
    const f = JSON.parse(String(raw));
    if (f.type === 'notification' && f.method === 'newProducer') known.add(f.data.producerId);
    else if (f.type !== 'notification') pending.get(f.id)?.(f);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let id = 0;
  const request: Request = (method, data) =>
    new Promise((resolve, reject) => {
      const reqId = ++id;
      pending.set(reqId, (f) => (f.ok ? resolve(f.data) : reject(new Error(JSON.stringify(f.error)))));
      socket.send(JSON.stringify({ type: 'request', id: reqId, method, data }));
    });
  const welcome = await request('join', { roomId: ROOM, displayName: name });
  for (const p of welcome.peers) for (const pr of p.producers) known.add(pr.producerId);
  return { node, request, socket, peerId: welcome.peerId, caps: welcome.routerRtpCapabilities, known };
}

async function transport(p: Participant, direction: 'send' | 'recv') {
  const info = await p.request('createWebRtcTransport', { direction });
  const client = await SyntheticWebRtcClient.create();
  clients.push(client);
  await p.request('connectWebRtcTransport', { transportId: info.id, dtlsParameters: client.dtlsParameters });
  await client.connect(info);
  return { id: info.id as string, client };
}

/** The node's worker thread's own CPU (ms), or its event loop's busy time where the platform has no thread CPU. */
const cpuMs = async (s: DemoServer) => {
  const t = await s.workers[0].tsfuGetThreadStats();
  return t.cpu ? t.cpu.userMs + t.cpu.systemMs : t.eventLoopActiveMs;
};

interface Speaker {
  client: SyntheticWebRtcClient;
  ssrc: number;
}

/**
 * Each speaker sends 50 opus packets/s (sequence numbers from `seq`), at
 * least `min` each and, while `until` is false, up to `max`; returns how
 * long it sent and each node's worker CPU over that time (% of one core).
 */
interface SendResult {
  seconds: number;
  /** Each node's worker thread CPU over the phase, % of one core. */
  cpu: number[];
  /** The next sequence number. */
  next: number;
}

async function send(
  speakers: Speaker[],
  seq: number,
  min: number,
  max: number,
  until: () => boolean = () => true,
): Promise<SendResult> {
  const cpuBefore = await Promise.all(servers.map(cpuMs));
  const started = performance.now();
  let n = 0;
  for (; n < max && (n < min || !until()); n++) {
    for (const s of speakers) {
      const pkt = Buffer.alloc(12 + 80, 0x11);
      pkt[0] = 0x80;
      pkt[1] = 111;
      pkt.writeUInt16BE((seq + n) & 0xffff, 2);
      pkt.writeUInt32BE(((seq + n) * 960) >>> 0, 4);
      pkt.writeUInt32BE(s.ssrc, 8);
      s.client.sendRtp(pkt);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await Promise.all(servers.map(cpuMs));
  return { seconds, cpu: cpuAfter.map((a, i) => (a - cpuBefore[i]) / 10 / seconds), next: seq + n };
}

const percents = (cpu: number[]) =>
  cpu.map((c, i) => `${servers[i].cluster!.id} ${c.toFixed(1)}%`).join(', ');

beforeAll(async () => {
  redis = new RedisProcess('127.0.0.1', await freePort());
  await redis.start();
  for (let i = 0; i < 3; i++) {
    const config = parseConfig({
      argv: [
        '--port=0',
        '--http-ip=127.0.0.1',
        '--rtc-port=0',
        '--listen-ip=127.0.0.1',
        '--announced-ip=127.0.0.1',
        '--workers=1',
        '--loopback-only',
        '--no-tcp',
        '--max-peers=40',
        `--redis=${redis.url}`,
        `--node-id=n${i + 1}`,
      ],
      env: {},
    });
    servers.push(await startDemoServer(config, () => {}, { heartbeatMs: 500, deadAfterMs: 3000 }));
  }
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.terminate();
  for (const s of servers) await s.close();
  await redis?.stop();
});

describe('cluster load: a 30-participant room over three nodes', () => {
  it('ten per node, one speaker per node: every receiver gets every far speaker through the pipes', async () => {
    const people: Participant[] = [];
    for (let i = 0; i < 3 * PER_NODE; i++) people.push(await join(i % 3, `P${i}`));
    for (const s of servers) expect(s.registry.rooms.get(ROOM)?.peers.size).toBe(PER_NODE);

    // One speaker per node (participants 0, 1, 2 are on n1, n2, n3).
    const speakers = await Promise.all(
      people.slice(0, 3).map(async (p, i) => {
        const send = await transport(p, 'send');
        const ssrc = 0x5000 + i;
        const { id } = await p.request('produce', {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
            encodings: [{ ssrc }],
            rtcp: { cname: `s${i}` },
          },
        });
        return { participant: p, client: send.client, ssrc, producerId: id as string };
      }),
    );
    // Consumers, created paused (as the pages' are) once the participant's node has told it of the producer.
    const consumerIds: [Participant, string][] = [];
    const recvIds = new Map<Participant, string>();
    const consume = async (p: Participant, producerIds: string[]) => {
      await expect.poll(() => producerIds.every((id) => p.known.has(id)), { timeout: 20_000 }).toBe(true);
      if (!recvIds.has(p)) {
        const recv = await transport(p, 'recv');
        p.recv = recv.client;
        recvIds.set(p, recv.id);
      }
      for (const producerId of producerIds) {
        const transportId = recvIds.get(p);
        const c = await p.request('consume', { transportId, producerId, rtpCapabilities: p.caps });
        consumerIds.push([p, c.id]);
      }
    };
    // First one participant per node (3, 4, 5 are on n1, n2, n3) takes the two far speakers: the pipes open
    // with one (paused) consumer behind each pipe producer.
    const farOf = (p: Participant) =>
      speakers.filter((s) => s.participant.node !== p.node).map((s) => s.producerId);
    for (const p of people.slice(3, 6)) await consume(p, farOf(p));
    // Each node pulled the two far speakers and serves its own to the two other nodes.
    for (const s of servers) expect(s.cluster!.pipeCounts()).toEqual({ in: 2, out: 2 });

    // Pipe bytes (in, out) per node over one send phase.
    const pipeTraffic = async (phase: () => Promise<SendResult>) => {
      const before = await Promise.all(servers.map((s) => s.cluster!.pipeBytes()));
      const result = await phase();
      const after = await Promise.all(servers.map((s) => s.cluster!.pipeBytes()));
      const bytes = after.map((a, i) => ({
        in: a.received - before[i].received,
        out: a.sent - before[i].sent,
      }));
      return { ...result, bytes };
    };
    const setSpeakersPaused = (paused: boolean) =>
      Promise.all(
        speakers.map((s) =>
          s.participant.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: s.producerId }),
        ),
      );
    const received = () => people.reduce((n, p) => n + (p.recv?.counters.rtpReceived ?? 0), 0);

    // Warm-up (not measured): the pipes carry the speakers once, so that the measured phases do not pay for
    // the worker compiling the path the first time.
    const warm = await send(speakers, 0, 100, 100);
    // The speakers' producers paused: their packets come in and stop at the producer; the pipes stay idle.
    await setSpeakersPaused(true);
    const idle = await pipeTraffic(() => send(speakers, warm.next, 250, 250));
    // Resumed, consumers still paused: the pipes carry the speakers (each node: 2 far in, its own out twice).
    await setSpeakersPaused(false);
    const piped = await pipeTraffic(() => send(speakers, idle.next, 250, 250));
    expect(received()).toBe(0);
    servers.forEach((_s, i) => {
      // 250 packets of ≥ 100 bytes from each far speaker in, and the node's own out twice; next to nothing idle.
      expect(piped.bytes[i].in).toBeGreaterThan(2 * 250 * 100 * 0.9);
      expect(piped.bytes[i].out).toBeGreaterThan(2 * 250 * 100 * 0.9);
      expect(idle.bytes[i].in + idle.bytes[i].out).toBeLessThan(
        (piped.bytes[i].in + piped.bytes[i].out) / 10,
      );
    });
    const pipesCpu = piped.cpu.map((c, i) => c - idle.cpu[i]);
    // Per pipe packet: 250 from each far speaker in, 250 of the node's own out twice.
    const perPipePacketUs = pipesCpu.map((c) => (c * 10 * piped.seconds * 1000) / (4 * 250));

    // Then everyone consumes every speaker but itself (3, 4, 5: their own node's speaker).
    for (const p of people) {
      const had = recvIds.has(p) ? new Set(farOf(p)) : new Set<string>();
      await consume(
        p,
        speakers.filter((s) => s.participant !== p && !had.has(s.producerId)).map((s) => s.producerId),
      );
    }
    for (const s of servers) expect(s.cluster!.pipeCounts()).toEqual({ in: 2, out: 2 });

    // Everyone resumes: each speaker until every receiver has 50 from each speaker it consumes (the CPU
    // window: 250 packets at least; bounded: 3000 packets).
    for (const [p, consumerId] of consumerIds) await p.request('resumeConsumer', { consumerId });
    const enough = () => people.every((p, i) => (p.recv?.counters.rtpReceived ?? 0) >= 50 * (i < 3 ? 2 : 3));
    const all = await send(speakers, piped.next, 250, 3000, enough);
    expect(enough()).toBe(true);
    console.log(
      `30 participants, 3 speakers (50 packets/s each), worker CPU per node: ` +
        `speakers paused (pipes idle) ${percents(idle.cpu)}; pipes carrying them (2 in, 2 out per node) ${percents(piped.cpu)}; ` +
        `pipes alone (difference) ${percents(pipesCpu)}, ` +
        `i.e. ${perPipePacketUs.map((us) => us.toFixed(0)).join('/')} µs per pipe packet; ` +
        `everyone consuming (${all.seconds.toFixed(1)} s, ${received()} packets received by the 30) ${percents(all.cpu)}`,
    );

    // The n3 speaker leaves: the pipes that carried it close on n1 and n2 (nobody consumes them any more).
    await speakers[2].participant.request('leave', {});
    for (const s of servers.slice(0, 2)) {
      await expect.poll(() => s.cluster!.pipeCounts().in, { timeout: 20_000 }).toBe(1);
    }
  });
});
