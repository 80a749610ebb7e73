/**
 * Rooms and scaling: R rooms × 4 participants (audio + video, everyone consuming everyone) added
 * until loss > 1 % or p99 > 50 ms, with a given number of workers on one shared port.
 */

import type { IceDtlsInfo } from './load-client.js';
import { DRAIN_MS, log, Proc, quick, type Usage } from './load-common.js';
import type { RunResult, StreamSpec } from './load-procs.js';

const PARTICIPANTS = 4;

export interface RoomStep {
  rooms: number;
  consumers: number;
  outPps: number;
  loss: number;
  p99Ms: number;
  cpuCores: number;
  /** Cores the load generator + receivers process used meanwhile (it shares the machine). */
  clientsCores: number;
  consumersPerCore: number;
  rssMiB: number;
  /**
   * Summed `tsfuCounters.retransmissionBufferBytes` over every transport, in MiB (0 if the field is
   * absent). It counts allocated capacity, whereas RSS counts only touched pages: a buffer
   * allocated but not yet filled is in this figure and not (fully) in RSS, so rssMiB − retxMiB
   * can undercount what a consumer costs beyond its buffer while the buffers are still filling.
   */
  retxMiB: number;
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const mx = xs.reduce((a, x) => a + x, 0) / n;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  let cov = 0;
  let varx = 0;
  for (let i = 0; i < n; i++) {
    cov += (xs[i] - mx) * (ys[i] - my);
    varx += (xs[i] - mx) ** 2;
  }
  return varx > 0 ? cov / varx : Number.NaN;
}

export async function roomsRamp(workers: number) {
  const sfu = new Proc('sfu');
  const clients = new Proc('clients');
  await sfu.call('init', { workers });
  const fp = await clients.call<{ algorithm: string; value: string }>('fingerprint');
  const dtlsParameters = { role: 'client', fingerprints: [fp] };
  // Rooms added until loss > 1 % or p99 > 50 ms, bounded by the schedule and a time budget.
  const schedule = quick ? [2, 6, 10] : [4, 8, 12, 16, 20, 24, 32, 40, 48, 56, 64];
  const budgetMs = quick ? 20_000 : 75_000;
  const rampStart = Date.now();
  const streams: StreamSpec[] = [];
  const receivers: number[] = [];
  const steps: RoomStep[] = [];
  let rooms = 0;
  let ssrc = 0x1000;
  const base = await sfu.call<Usage>('gcUsage');
  for (const target of schedule) {
    while (rooms < target) {
      const worker = rooms % workers;
      const ts = await sfu.call<Array<{ id: number; info: IceDtlsInfo }>>('createTransports', {
        worker,
        count: 2 * PARTICIPANTS,
      });
      const eps = await clients.call<Array<{ id: number; port: number }>>('create', {
        count: 2 * PARTICIPANTS,
      });
      await sfu.call('connect', { ids: ts.map((t) => t.id), dtlsParameters });
      await clients.call('connect', {
        pairs: ts.map((t, i) => ({ id: eps[i].id, info: t.info })),
        profile: 'AEAD_AES_128_GCM',
      });
      const prods: number[][] = [];
      for (let p = 0; p < PARTICIPANTS; p++) {
        const a = ssrc++;
        const v = ssrc++;
        prods.push([
          await sfu.call<number>('produce', { transport: ts[2 * p].id, kind: 'audio', ssrc: a }),
          await sfu.call<number>('produce', { transport: ts[2 * p].id, kind: 'video', ssrc: v }),
        ]);
        streams.push({
          sender: eps[2 * p].id,
          ssrc: a,
          kind: 'audio',
          size: 100,
          pps: 50,
          receivers: PARTICIPANTS - 1,
        });
        streams.push({
          sender: eps[2 * p].id,
          ssrc: v,
          kind: 'video',
          size: 1000,
          pps: 150,
          receivers: PARTICIPANTS - 1,
          keyframeEveryMs: 2000,
        });
        receivers.push(eps[2 * p + 1].id);
      }
      for (let p = 0; p < PARTICIPANTS; p++)
        for (let q = 0; q < PARTICIPANTS; q++)
          if (p !== q)
            for (const prod of prods[q])
              await sfu.call('consume', { transport: ts[2 * p + 1].id, producer: prod, worker });
      rooms++;
    }
    const consumers = rooms * PARTICIPANTS * (PARTICIPANTS - 1) * 2;
    // Warm-up (first keyframes), then the measured window.
    await clients.call('run', { streams, receivers, durationMs: 300, drainMs: 100, sampleEvery: 1000 });
    const u0 = await sfu.call<Usage>('usage');
    const c0 = await clients.call<Usage>('usage');
    const r = await clients.call<RunResult>('run', {
      streams,
      receivers,
      durationMs: quick ? 1000 : 2000,
      drainMs: DRAIN_MS,
      sampleEvery: 8,
    });
    const c1 = await clients.call<Usage>('usage');
    const u1 = await sfu.call<Usage>('gcUsage');
    const cpuCores = (u1.cpuUs - u0.cpuUs) / 1e6 / (r.seconds + DRAIN_MS / 1000);
    const clientsCores = (c1.cpuUs - c0.cpuUs) / 1e6 / (r.seconds + DRAIN_MS / 1000);
    const counters = await sfu.call<Record<string, number | undefined>>('dropCounters');
    const retxBytes = counters.retransmissionBufferBytes ?? 0;
    const step: RoomStep = {
      rooms,
      consumers,
      outPps: r.receivedInTime / r.seconds,
      loss: r.expected === 0 ? 1 : Math.max(0, 1 - r.receivedInTime / r.expected),
      p99Ms: (r.latencyUs?.p99 ?? Number.NaN) / 1000,
      cpuCores,
      clientsCores,
      consumersPerCore: consumers / Math.max(cpuCores, 1e-6),
      rssMiB: (u1.rss - base.rss) / 2 ** 20,
      retxMiB: retxBytes / 2 ** 20,
    };
    steps.push(step);
    log(
      `rooms (${workers} worker${workers > 1 ? 's' : ''}): ${rooms} rooms, ${consumers} consumers, loss ${(step.loss * 100).toFixed(2)} %, p99 ${step.p99Ms.toFixed(2)} ms, SFU ${cpuCores.toFixed(2)} cores, clients ${clientsCores.toFixed(2)} cores`,
    );
    if (step.loss > 0.01 || step.p99Ms > 50 || Date.now() - rampStart > budgetMs) break;
  }
  await Promise.all([sfu.exit(), clients.exit()]);
  const ok = steps.filter((s) => s.loss <= 0.01 && s.p99Ms <= 50);
  const best = ok.at(-1);
  // Slopes per consumer (least squares over the ramp), KiB: RSS, the retransmission buffers, and
  // RSS beyond them (the goal: ≤ 64 KiB). RSS counts touched pages, the buffer counter allocated
  // capacity, so the difference is a lower bound while buffers are not yet full.
  const xs = steps.map((s) => s.consumers);
  const rssKiBPerConsumer =
    slope(
      xs,
      steps.map((s) => s.rssMiB),
    ) * 1024;
  const retxKiBPerConsumer =
    slope(
      xs,
      steps.map((s) => s.retxMiB),
    ) * 1024;
  const beyondRetxKiBPerConsumer =
    slope(
      xs,
      steps.map((s) => s.rssMiB - s.retxMiB),
    ) * 1024;
  return {
    workers,
    steps,
    maxConsumersOk: best?.consumers ?? 0,
    sfuCoresAtMax: best?.cpuCores ?? 0,
    clientsCoresAtMax: best?.clientsCores ?? 0,
    consumersPerCore: best?.consumersPerCore ?? 0,
    outPpsOk: best?.outPps ?? 0,
    rssKiBPerConsumer,
    retxKiBPerConsumer,
    beyondRetxKiBPerConsumer,
  };
}
