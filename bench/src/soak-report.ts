/**
 * The soak's samples, its verdict (least-squares slopes and ranges after warm-up) and its chart.
 */
import { type ChartSeries, lineChartSvg } from './svg-chart.js';

export interface SoakSample {
  /** Minutes since the room was up. */
  minute: number;
  /** `process.memoryUsage()` of the SFU process (main thread's heap; RSS covers every thread), MiB. */
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  /** The same right after a forced full GC of the main thread (`--expose-gc`), the verdict's input. */
  gcRssMiB: number;
  gcHeapUsedMiB: number;
  /** The worker thread's own V8 heap (`tsfuGetThreadStats({ collectGarbage: true })`), after its own full GC when collected. */
  workerHeapUsedMiB: number;
  workerHeapTotalMiB: number;
  /** The worker thread's external memory (Buffers/ArrayBuffers it holds: retransmission stores, SRTP state). */
  workerExternalMiB: number;
  workerHeapCollected: boolean;
  /** The worker thread's event-loop utilization and CPU since the previous sample (`tsfuGetThreadStats()`). */
  workerElu: number;
  workerCpuMs: number;
  /** The clients process over the last interval: packets sent, expected (× receivers) and received. */
  sent: number;
  expected: number;
  received: number;
  loss: number;
  /** Open consumers and their summed `getStats()` packetCount; open transports and producers (router.dump()). */
  consumers: number;
  consumerPackets: number;
  /** Summed `tsfuCounters.retransmissionBufferBytes` over the open transports (allocated capacity), MiB. */
  retxMiB: number;
  transports: number;
  producers: number;
  /** Participant rejoins so far. */
  rejoins: number;
}

export interface Trend {
  slopeMiBPerHour: number;
  rangeMiB: number;
}

export interface Verdict {
  warmupMinutes: number;
  heapUsed: Trend;
  workerHeapUsed: Trend;
  rss: Trend;
  flat: boolean;
  bounds: { heapSlopeMiBPerHour: number; rssSlopeMiBPerHour: number; rangeMiB: number };
}

/**
 * "Flat": heap slopes (main and worker thread, after GC) under 1 MiB/h (a day-long room would grow < 24 MiB, below the RSS noise of
 * one worker thread), RSS slope under 4 MiB/h (RSS also moves with glibc arenas and page reuse of
 * four threads), and both ranges after warm-up under 16 MiB (~20 % of the process).
 */
export const FLAT = { heapSlopeMiBPerHour: 1, rssSlopeMiBPerHour: 4, rangeMiB: 16 };

export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
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

function trend(samples: SoakSample[], y: (s: SoakSample) => number): Trend {
  const ys = samples.map(y);
  return {
    slopeMiBPerHour:
      slope(
        samples.map((s) => s.minute),
        ys,
      ) * 60,
    rangeMiB: ys.length ? Math.max(...ys) - Math.min(...ys) : Number.NaN,
  };
}

/** Warm-up: the first 5 minutes, or the first quarter of a shorter run. */
export function warmupMinutes(totalMinutes: number): number {
  return Math.min(5, totalMinutes / 4);
}

export function verdict(samples: SoakSample[], totalMinutes: number): Verdict {
  const w = warmupMinutes(totalMinutes);
  const after = samples.filter((s) => s.minute >= w);
  const heapUsed = trend(after, (s) => s.gcHeapUsedMiB);
  const workerHeapUsed = trend(after, (s) => s.workerHeapUsedMiB);
  const rss = trend(after, (s) => s.gcRssMiB);
  const flat =
    Math.abs(heapUsed.slopeMiBPerHour) < FLAT.heapSlopeMiBPerHour &&
    Math.abs(workerHeapUsed.slopeMiBPerHour) < FLAT.heapSlopeMiBPerHour &&
    workerHeapUsed.rangeMiB < FLAT.rangeMiB &&
    Math.abs(rss.slopeMiBPerHour) < FLAT.rssSlopeMiBPerHour &&
    heapUsed.rangeMiB < FLAT.rangeMiB &&
    rss.rangeMiB < FLAT.rangeMiB;
  return { warmupMinutes: w, heapUsed, workerHeapUsed, rss, flat, bounds: FLAT };
}

export function soakSvg(samples: SoakSample[], title: string): string {
  const series = (name: string, y: (s: SoakSample) => number): ChartSeries => ({
    name,
    points: samples.map((s) => [+s.minute.toFixed(2), y(s)]),
  });
  const last = samples.at(-1)?.minute ?? 1;
  const step = last > 30 ? 10 : last > 10 ? 2 : last > 3 ? 1 : 0.5;
  const xTicks = Array.from({ length: Math.floor(last / step) + 1 }, (_, i) => i * step);
  return lineChartSvg({
    title,
    xTicks,
    xLabel: 'minutes',
    yLabel: 'MiB',
    series: [
      series('RSS (after GC)', (s) => s.gcRssMiB),
      series('RSS', (s) => s.rssMiB),
      series('heapUsed (after GC)', (s) => s.gcHeapUsedMiB),
      series('heapUsed', (s) => s.heapUsedMiB),
      series('worker heapUsed (after GC)', (s) => s.workerHeapUsedMiB),
      series('external', (s) => s.externalMiB),
      series('worker external', (s) => s.workerExternalMiB),
    ],
  });
}
