/**
 * Test helpers: two endpoints joined by an in-memory link that delivers
 * asynchronously (like a socket) and can drop packets with a seeded PRNG.
 */
import { vi } from 'vitest';
import { DataChannelTransport, type DataChannelTransportOptions } from './data-channel-transport.js';

/** Mulberry32: small, seeded, reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LinkOptions {
  /** Probability of dropping each DATA-carrying packet, per direction. */
  loss?: number;
  seed?: number;
  /** Only drop packets whose first chunk type passes this test (default: DATA = 0). */
  dropIf?: (firstChunkType: number) => boolean;
}

export interface Pair {
  a: DataChannelTransport;
  b: DataChannelTransport;
  dropped: { ab: number; ba: number };
}

export function makePair(
  aOpts: Partial<DataChannelTransportOptions> = {},
  bOpts: Partial<DataChannelTransportOptions> = {},
  link: LinkOptions = {},
): Pair {
  const rnd = seededRandom(link.seed ?? 1);
  const loss = link.loss ?? 0;
  const dropIf = link.dropIf ?? ((t: number) => t === 0);
  const dropped = { ab: 0, ba: 0 };
  let a!: DataChannelTransport;
  let b!: DataChannelTransport;
  const fast = { rtoInitialMs: 100, rtoMinMs: 50, heartbeatIntervalMs: 0 };
  a = new DataChannelTransport({
    dtlsRole: 'client',
    ...fast,
    ...aOpts,
    send: (p) => {
      if (loss > 0 && dropIf(p[12]) && rnd() < loss) {
        dropped.ab++;
        return;
      }
      setImmediate(() => b.handle(p));
    },
  });
  b = new DataChannelTransport({
    dtlsRole: 'server',
    ...fast,
    ...bOpts,
    send: (p) => {
      if (loss > 0 && dropIf(p[12]) && rnd() < loss) {
        dropped.ba++;
        return;
      }
      setImmediate(() => a.handle(p));
    },
  });
  return { a, b, dropped };
}

export function once<T extends unknown[]>(
  emitter: { once(ev: string, fn: (...args: T) => void): unknown },
  ev: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${ev}`)), timeoutMs);
    emitter.once(ev, (...args: T) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

// Taken before any test fakes timers: a real turn of the event loop runs every pending promise callback.
const realSetImmediate = setImmediate;
const promiseCallbacks = () => new Promise<void>((r) => realSetImmediate(r));

/**
 * Under vitest fake timers: runs timers one at a time until `p` settles,
 * checking before each. Bounded: `once` rejects after its timeout in fake
 * time, and an empty timer queue fails at once.
 */
export async function advanceUntilSettled<T>(p: Promise<T>): Promise<T> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 1_000_000; i++) {
    await promiseCallbacks();
    if (settled) break;
    if (vi.getTimerCount() === 0) throw new Error('nothing scheduled and still waiting');
    await vi.advanceTimersToNextTimerAsync();
  }
  return p;
}

/** Under vitest fake timers: runs timers until `cond` holds; fails after `maxMs` of fake time. */
export async function advanceUntil(cond: () => boolean, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() >= deadline || vi.getTimerCount() === 0) throw new Error('condition not reached');
    await vi.advanceTimersToNextTimerAsync();
  }
}

/** Deterministic payload of `n` bytes. */
export function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
