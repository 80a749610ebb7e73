/**
 * An in-process datagram link between two DtlsTransports, driven by (fake)
 * timers: each datagram is delivered after `delayMs`, and a seeded PRNG can
 * drop, duplicate and reorder datagrams.
 */
import { DtlsTransport, type DtlsTransportOptions } from '../dtls-transport.js';

/** mulberry32: a small seeded PRNG, so a lossy run can be replayed. */
export function prng(seed: number): () => number {
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
  seed?: number;
  /** Probabilities per datagram. */
  drop?: number;
  duplicate?: number;
  reorder?: number;
  delayMs?: number;
}

export interface LinkStats {
  sent: number;
  dropped: number;
  duplicated: number;
  reordered: number;
}

export type PairOptions = Omit<DtlsTransportOptions, 'send' | 'role'>;

export interface Pair {
  client: DtlsTransport;
  server: DtlsTransport;
  stats: LinkStats;
  /** Every datagram each side sent, in order (before loss). */
  sentByClient: Buffer[];
  sentByServer: Buffer[];
  /** Replace what the link does with a datagram (return false to swallow it). */
  filter?: (from: 'client' | 'server', d: Buffer) => Buffer | undefined;
}

export function makePair(
  clientOptions: PairOptions,
  serverOptions: PairOptions,
  link: LinkOptions = {},
): Pair {
  const rand = prng(link.seed ?? 1);
  const delay = link.delayMs ?? 1;
  const stats: LinkStats = { sent: 0, dropped: 0, duplicated: 0, reordered: 0 };
  const pair = { stats, sentByClient: [], sentByServer: [] } as unknown as Pair;
  const deliver = (from: 'client' | 'server', d: Buffer) => {
    (from === 'client' ? pair.sentByClient : pair.sentByServer).push(d);
    stats.sent++;
    const filtered = pair.filter ? pair.filter(from, d) : d;
    if (!filtered) return;
    const to = () => (from === 'client' ? pair.server : pair.client);
    if (rand() < (link.drop ?? 0)) {
      stats.dropped++;
      return;
    }
    let wait = delay;
    if (rand() < (link.reorder ?? 0)) {
      stats.reordered++;
      wait += 1 + Math.floor(rand() * 20);
    }
    setTimeout(() => to().handle(filtered), wait);
    if (rand() < (link.duplicate ?? 0)) {
      stats.duplicated++;
      setTimeout(() => to().handle(filtered), wait + 1 + Math.floor(rand() * 10));
    }
  };
  pair.client = new DtlsTransport({ ...clientOptions, role: 'client', send: (d) => deliver('client', d) });
  pair.server = new DtlsTransport({ ...serverOptions, role: 'server', send: (d) => deliver('server', d) });
  return pair;
}
