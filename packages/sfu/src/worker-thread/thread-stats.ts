/**
 * `worker.tsfuGetThreadStats()`, measured inside the worker thread: its event
 * loop (utilization, delay), its own CPU time and its own V8 heap. tsfu's workers are threads,
 * so `getResourceUsage()` is the whole process's; this is the thread's.
 */
import { readFileSync } from 'node:fs';
import {
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { WorkerThreadStats } from '../types/worker.js';

/** Started on the first call: a worker nobody asks runs no delay timer. */
let delay: IntervalHistogram | undefined;
let previousElu: EventLoopUtilization | undefined;

export function threadStats(collectGarbage = false): WorkerThreadStats {
  const elu = performance.eventLoopUtilization();
  const since = previousElu ? performance.eventLoopUtilization(elu, previousElu) : elu;
  previousElu = elu;
  const ms = (ns: number) => ns / 1e6;
  const h = delay;
  const stats: WorkerThreadStats = {
    eventLoopActiveMs: elu.active,
    eventLoopUtilization: since.utilization,
    eventLoopDelay:
      h && h.count > 0
        ? {
            minMs: ms(h.min),
            maxMs: ms(h.max),
            meanMs: ms(h.mean),
            p50Ms: ms(h.percentile(50)),
            p99Ms: ms(h.percentile(99)),
          }
        : undefined,
    cpu: threadCpu(),
    heap: threadHeap(collectGarbage),
  };
  if (h) h.reset();
  else {
    delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
  }
  return stats;
}

/** USER_HZ: the unit of /proc's utime/stime (100 on every Linux ABI Node runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** This thread's user/system CPU from /proc/thread-self/stat (Linux); undefined elsewhere. */
function threadCpu(): WorkerThreadStats['cpu'] {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'latin1');
  } catch {
    // No /proc/thread-self (not Linux): `cpu` is documented as undefined there.
    return undefined;
  }
  // Fields after the ")" closing the thread name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  const toMs = 1000 / CLOCK_TICKS_PER_SECOND;
  return { userMs: utime * toMs, systemMs: stime * toMs };
}

/** This thread's isolate's heap (a worker thread has its own V8 heap, apart from the main thread's). */
function threadHeap(collectGarbage: boolean): WorkerThreadStats['heap'] {
  // `gc` exists in this thread only when Node runs with --expose-gc (threads inherit execArgv).
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = collectGarbage && typeof gc === 'function';
  if (collected) gc();
  const h = getHeapStatistics();
  return {
    usedBytes: h.used_heap_size,
    totalBytes: h.total_heap_size,
    externalBytes: h.external_memory,
    collected,
  };
}
