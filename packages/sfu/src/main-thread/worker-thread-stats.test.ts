/**
 * `worker.tsfuGetThreadStats()`: measured inside the worker thread, so the
 * CPU is the thread's own (the main thread burning CPU does not show there,
 * while `getResourceUsage()`, the process's, does), and the event-loop delay
 * starts being measured at the first call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerClosedError } from '../errors.js';
import { createWorker, type Worker } from '../index.js';
import type { WorkerThreadStats } from '../types/worker.js';

let worker: Worker | undefined;
afterAll(() => worker?.close());

const cpuMs = (s: WorkerThreadStats) => (s.cpu ? s.cpu.userMs + s.cpu.systemMs : Number.NaN);

/** Keeps the main thread on CPU until the process used `ms` more of it (at most 20 s of wall time). */
function burnMainThread(ms: number): number {
  const start = process.cpuUsage();
  const deadline = Date.now() + 20_000;
  let used = 0;
  while (used < ms && Date.now() < deadline) {
    const d = process.cpuUsage(start);
    used = (d.user + d.system) / 1000;
  }
  return used;
}

describe('worker.tsfuGetThreadStats()', () => {
  it("reports the thread's event loop and its own CPU, not the process's", async () => {
    worker = await createWorker({ logLevel: 'warn' });
    const first = await worker.tsfuGetThreadStats();
    expect(first.eventLoopDelay).toBeUndefined(); // the first call starts the delay monitor
    expect(first.eventLoopActiveMs).toBeGreaterThan(0);
    expect(first.eventLoopUtilization).toBeGreaterThan(0);
    expect(first.eventLoopUtilization).toBeLessThanOrEqual(1);
    expect(first.cpu?.userMs).toBeGreaterThan(0); // Linux: /proc/thread-self/stat
    // The thread's own heap: a live isolate, smaller than the one it sits in.
    expect(first.heap.usedBytes).toBeGreaterThan(0);
    expect(first.heap.usedBytes).toBeLessThanOrEqual(first.heap.totalBytes);
    expect(first.heap.collected).toBe(false);
    // Asked to collect: a GC runs only where Node exposes it (--expose-gc), and the answer says which.
    const asked = await worker.tsfuGetThreadStats({ collectGarbage: true });
    expect(asked.heap.collected).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');

    const ruBefore = await worker.getResourceUsage();
    const burnt = burnMainThread(300);
    expect(burnt).toBeGreaterThanOrEqual(300);
    const ruAfter = await worker.getResourceUsage();
    const afterBurn = await worker.tsfuGetThreadStats();
    const processDelta = ruAfter.ru_utime + ruAfter.ru_stime - (ruBefore.ru_utime + ruBefore.ru_stime);
    expect(processDelta).toBeGreaterThanOrEqual(250);
    // The worker thread was idle meanwhile: a few timer ticks at most, far from the main thread's 300 ms.
    expect(cpuMs(afterBurn) - cpuMs(first)).toBeLessThan(150);

    // The thread's CPU grows with the requests it serves (bounded: 20 000 requests).
    let latest = afterBurn;
    for (let i = 0; i < 20_000 && cpuMs(latest) <= cpuMs(afterBurn); i++) {
      latest = await worker.tsfuGetThreadStats();
    }
    expect(cpuMs(latest)).toBeGreaterThan(cpuMs(afterBurn));
    expect(latest.eventLoopActiveMs).toBeGreaterThan(first.eventLoopActiveMs);
    // Delay is since the previous call, sampled every 10 ms: asked 50 ms apart, there are samples.
    await expect
      .poll(
        async () => {
          latest = await worker!.tsfuGetThreadStats();
          return latest.eventLoopDelay;
        },
        {
          timeout: 5_000,
          interval: 50,
        },
      )
      .toBeDefined();
    const delay = latest.eventLoopDelay!;
    expect(delay.minMs).toBeGreaterThan(0);
    expect(delay.minMs).toBeLessThanOrEqual(delay.p50Ms);
    expect(delay.p50Ms).toBeLessThanOrEqual(delay.p99Ms);
    expect(delay.p99Ms).toBeLessThanOrEqual(delay.maxMs);
  });

  it('rejects once the worker is closed', async () => {
    const w = await createWorker({ logLevel: 'warn' });
    w.close();
    await expect(w.tsfuGetThreadStats()).rejects.toBeInstanceOf(WorkerClosedError);
  });
});
