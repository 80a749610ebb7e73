/**
 * Testing only: a thread's used V8 heap, after a full collection when `gc` is
 * exposed. Threads inherit V8 flags, so a test that runs
 * `v8.setFlagsFromString('--expose-gc')` before the first `createWorker()`
 * gets collected figures from the worker and I/O threads too (heap churn
 * tests, issue 17); otherwise `collected` is false and the figure is raw.
 */
import { getHeapStatistics } from 'node:v8';

export interface ThreadHeapForTesting {
  /** `v8.getHeapStatistics().used_heap_size` of the thread's isolate. */
  usedHeapBytes: number;
  /** Whether a full GC ran first. */
  collected: boolean;
}

export function threadHeapForTesting(): ThreadHeapForTesting {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  return { usedHeapBytes: getHeapStatistics().used_heap_size, collected: typeof gc === 'function' };
}
