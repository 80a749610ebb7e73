/**
 * Cross-process pipes with real peers: this test process runs router A (a
 * worker, a WebRtcServer on 127.0.0.1, page A producing opus + VP8 simulcast),
 * a forked Node process (`pipe-peer-process.mjs`, optionally inside a network
 * namespace) runs router B with its own worker and WebRtcServer, and page B
 * consumes from it. The two routers are joined by PipeTransports the test
 * connects as an app would across hosts (tuples and SRTP keys exchanged by
 * signalling; pause/close carried by the app), which is the README's
 * cross-host recipe.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  type Consumer,
  createWorker,
  type PipeTransport,
  type Producer,
  type Router,
  type RtpCapabilities,
  type RtpParameters,
  type WebRtcServer,
  type WebRtcTransport,
  type Worker,
} from '@tsfu/sfu';
import type {
  RtpCapabilities as ClientRtpCapabilities,
  RtpParameters as ClientRtpParameters,
} from 'mediasoup-client/types';
import { expect } from 'vitest';
import {
  allInbound,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  E2eSession,
  readRtcStats,
  waitForRtcStats,
} from '../harness/index.js';
import { MEDIA_CODECS } from '../media-codecs.js';
import type { SfuPageApi, SfuSchema } from '../pages/sfu-schema.js';

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

type Reply = { id?: number; result?: unknown; error?: string; event?: string; targetId?: string };

/** The forked far side: requests by name, consumer events as `event` (name, consumer id). */
export class PipePeerProcess extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    super();
    child.on('message', (m: Reply) => {
      if (m.event) {
        this.emit('event', m.event, m.targetId);
        return;
      }
      const p = this.pending.get(m.id ?? -1);
      if (!p) return;
      this.pending.delete(m.id ?? -1);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`pipe peer process exited (${code})`));
      this.pending.clear();
    });
  }

  /** Forks the far side; `netns`: inside that network namespace (`ip netns exec`). */
  static start(netns?: string): PipePeerProcess {
    const script = new URL('./pipe-peer-process.mjs', import.meta.url);
    const child = netns
      ? fork(script, [], { execPath: 'ip', execArgv: ['netns', 'exec', netns, process.execPath] })
      : fork(script, []);
    return new PipePeerProcess(child);
  }

  request<T = unknown>(method: string, data: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error('pipe peer process exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, method, data });
    });
  }

  /** Closes its worker and waits for the process to end (killed if it does not within 10 s). */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.request('close').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface CrossProcessPipeOptions {
  /** SRTP on the pipe (AEAD_AES_256_GCM, as mediasoup's). */
  enableSrtp: boolean;
  /** NACK/RTX on the pipe. */
  enableRtx: boolean;
  /** Where router A's pipe transport listens (default 127.0.0.1). */
  localPipeIp?: string;
  /** Where the far process listens: its WebRtcServer and pipe transport (default 127.0.0.1). */
  remoteIp?: string;
  /** Network namespace of the far process. */
  netns?: string;
  /** Frames page B must decode (default 60). */
  frames?: number;
}

export interface CrossProcessPipeResult {
  /** The pipe consumer's stats on router A (one entry per stream). */
  pipeConsumerStats: Array<{ nackCount: number; packetsRetransmitted: number; ssrc: number }>;
  framesDecoded: number;
}

/**
 * Runs the scenario: pipe set up by hand across the processes, page B
 * decodes ≥ `frames` frames and receives growing audio, A's pause stops B's
 * consumer (producerpause) and A's close reaches B (producerclose).
 * `duringMedia` runs once media flows (the loss test waits for NACKs there).
 */
export async function runCrossProcessPipe(
  o: CrossProcessPipeOptions,
  duringMedia?: (ctx: { pipeConsumers: Consumer[]; b: E2ePage }) => Promise<void>,
): Promise<CrossProcessPipeResult> {
  const remoteIp = o.remoteIp ?? '127.0.0.1';
  const localPipeIp = o.localPipeIp ?? '127.0.0.1';
  let worker: Worker | undefined;
  let session: E2eSession<SfuSchema> | undefined;
  const peer = PipePeerProcess.start(o.netns);
  try {
    worker = await createWorker({ logLevel: 'warn' });
    const server: WebRtcServer = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0, tsfuLoopbackOnly: true }],
    });
    const router: Router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const { rtpCapabilities: remoteCaps } = await peer.request<{ rtpCapabilities: RtpCapabilities }>('init', {
      mediaCodecs: MEDIA_CODECS,
      listenIp: remoteIp,
      loopbackOnly: remoteIp === '127.0.0.1',
    });
    session = await E2eSession.start<SfuSchema>({ pages: ['pages/sfu.ts'] });
    const local = new Map<string, WebRtcTransport>();
    const producers = new Map<string, Producer>();
    const s = session;
    // Page A talks to router A (this process), page B to router B (the far process).
    s.server.handle(
      'getRouterRtpCapabilities',
      (_r, p) => (p.name === 'A' ? router.rtpCapabilities : remoteCaps) as ClientRtpCapabilities,
    );
    s.server.handle('createWebRtcTransport', async (_r, p) => {
      if (p.name !== 'A') return peer.request('createWebRtcTransport');
      const t = await router.createWebRtcTransport({ webRtcServer: server });
      local.set(t.id, t);
      return {
        id: t.id,
        iceParameters: t.iceParameters,
        iceCandidates: t.iceCandidates,
        dtlsParameters: t.dtlsParameters as never,
      };
    });
    s.server.handle('connectWebRtcTransport', async ({ transportId, dtlsParameters }, p) => {
      if (p.name !== 'A') return peer.request('connectWebRtcTransport', { transportId, dtlsParameters });
      await local.get(transportId)!.connect({ dtlsParameters: dtlsParameters as never });
      return null;
    });
    s.server.handle('produce', async ({ transportId, kind, rtpParameters }) => {
      const producer = await local
        .get(transportId)!
        .produce({ kind, rtpParameters: rtpParameters as RtpParameters });
      producers.set(producer.id, producer);
      return { id: producer.id };
    });
    const remoteConsumers = new Map<string, { id: string; kind: string; type: string }>();
    s.server.handle('consume', async ({ transportId, producerId, rtpCapabilities }) => {
      const c = await peer.request<{
        id: string;
        kind: 'audio' | 'video';
        type: string;
        rtpParameters: ClientRtpParameters;
      }>('consume', { transportId, producerId, rtpCapabilities });
      remoteConsumers.set(producerId, c);
      return { id: c.id, producerId, kind: c.kind, rtpParameters: c.rtpParameters };
    });

    const a = await s.openPage('sfu', 'A');
    const b = await s.openPage('sfu', 'B');
    await call(a, 'load', null);
    await call(b, 'load', null);
    const produced = await call(a, 'produce', { audio: true, video: true, simulcast: true });

    // The pipe, as an app joins two hosts: each side creates its PipeTransport, the tuples and SRTP
    // keys cross by signalling, each side connects to the other.
    const pipeOptions = { enableSctp: false, enableRtx: o.enableRtx, enableSrtp: o.enableSrtp };
    const pipeA: PipeTransport = await router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: localPipeIp },
      ...pipeOptions,
    });
    const pipeB = await peer.request<{
      id: string;
      tuple: { localAddress: string; localPort: number };
      srtpParameters?: never;
    }>('createPipeTransport', { listenInfo: { protocol: 'udp', ip: remoteIp }, ...pipeOptions });
    await pipeA.connect({
      ip: pipeB.tuple.localAddress,
      port: pipeB.tuple.localPort,
      srtpParameters: pipeB.srtpParameters,
    });
    await peer.request('connectPipeTransport', {
      transportId: pipeB.id,
      ip: pipeA.tuple.localAddress,
      port: pipeA.tuple.localPort,
      srtpParameters: pipeA.srtpParameters,
    });
    if (o.enableSrtp) expect(pipeA.srtpParameters?.cryptoSuite).toBe('AEAD_AES_256_GCM');
    const pipeConsumers: Consumer[] = [];
    for (const { id } of produced) {
      const pc = await pipeA.consume({ producerId: id });
      pipeConsumers.push(pc);
      const far = await peer.request<{ id: string; type: string }>('produce', {
        transportId: pipeB.id,
        id,
        kind: pc.kind,
        rtpParameters: pc.rtpParameters,
        paused: pc.producerPaused,
      });
      if (pc.kind === 'video') expect(far.type).toBe('simulcast');
      // What pipeToRouter does within a process, the app does across processes.
      pc.observer.on('pause', () => void peer.request('pauseProducer', { id }).catch(() => {}));
      pc.observer.on('resume', () => void peer.request('resumeProducer', { id }).catch(() => {}));
      pc.observer.on('close', () => void peer.request('closeProducer', { id }).catch(() => {}));
    }

    await call(
      b,
      'consume',
      produced.map((p) => p.id),
    );
    const frames = o.frames ?? 60;
    const stats = await waitForRtcStats(
      b,
      `≥ ${frames} frames decoded and audio arriving across processes`,
      (st) =>
        allInbound(st, 'video').some((v) => (v.framesDecoded ?? 0) >= frames) &&
        allInbound(st, 'audio').some((x) => x.packetsReceived >= 50),
      { timeoutMs: E2E_WAIT_MS },
    );
    const audio0 = allInbound(stats, 'audio')[0].packetsReceived;
    await waitForRtcStats(
      b,
      'audio growing',
      (st) => allInbound(st, 'audio').some((x) => x.packetsReceived > audio0 + 20),
      {
        timeoutMs: E2E_WAIT_MS,
      },
    );
    await duringMedia?.({ pipeConsumers, b });
    // The pipe itself: media left through it, and (with SRTP) everything that came back authenticated.
    const [pipeStat] = await pipeA.getStats();
    expect(pipeStat.type).toBe('pipe-transport');
    expect(pipeStat.rtpBytesSent).toBeGreaterThan(100_000);
    expect(pipeStat.tsfuCounters.srtpFailures).toBe(0);
    expect(pipeStat.tsfuCounters.packetsFromUnknownTuple).toBe(0);

    // Pause on A reaches B's consumer (the app relays the pipe consumer's pause); B's consumer stops.
    const video = producers.get(produced.find((p) => p.kind === 'video')!.id)!;
    const videoConsumerB = remoteConsumers.get(video.id)!;
    const events: string[] = [];
    peer.on('event', (name: string, targetId: string) => {
      if (targetId === videoConsumerB.id) events.push(name);
    });
    const farPackets = async () =>
      (
        await peer.request<Array<{ type: string; packetCount: number }>>('getStats', {
          id: videoConsumerB.id,
        })
      ).find((x) => x.type === 'outbound-rtp')?.packetCount ?? 0;
    const producerPackets = async () => (await video.getStats()).reduce((n, x) => n + x.packetCount, 0);
    await video.pause();
    await expect.poll(() => events.includes('producerpause'), { timeout: E2E_WAIT_MS }).toBe(true);
    const farAtPause = await farPackets();
    const atPause = await producerPackets();
    await expect.poll(producerPackets, { timeout: E2E_WAIT_MS }).toBeGreaterThan(atPause + 100);
    expect(await farPackets()).toBe(farAtPause);
    await video.resume();
    await expect.poll(() => events.includes('producerresume'), { timeout: E2E_WAIT_MS }).toBe(true);
    const videoFrames = async () =>
      allInbound(await readRtcStats(b), 'video').reduce((n, v) => n + (v.framesDecoded ?? 0), 0);
    const resumed = await videoFrames();
    await expect.poll(videoFrames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(resumed + 20);

    const pipeConsumerStats = (await pipeConsumers.find((c) => c.kind === 'video')!.getStats()) as Array<{
      nackCount: number;
      packetsRetransmitted: number;
      ssrc: number;
    }>;
    const framesDecoded = await videoFrames();

    // Closing A's producer reaches B's consumer.
    video.close();
    await expect.poll(() => events.includes('producerclose'), { timeout: E2E_WAIT_MS }).toBe(true);
    expect(await peer.request('closed', { id: videoConsumerB.id })).toBe(true);

    expect([a.errors, b.errors]).toEqual([[], []]);
    expect(s.server.handlerErrors).toEqual([]);
    return { pipeConsumerStats, framesDecoded };
  } finally {
    await session?.close();
    worker?.close();
    await peer.close();
  }
}
