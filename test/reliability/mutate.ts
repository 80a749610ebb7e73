/**
 * Structure-aware mutations for the reliability fuzzers: a valid message from
 * a package's own writer with bytes flipped, overwritten, cut or extended.
 */
import fc from 'fast-check';

export interface Mutation {
  /** [offset, xor mask] pairs (offset taken modulo the length). */
  flips: [number, number][];
  /** Keep this many bytes (modulo length + 1), or all when undefined. */
  cut: number | undefined;
  /** Bytes appended after the cut. */
  tail: Uint8Array;
}

export function mutation(base: Uint8Array): fc.Arbitrary<Mutation> {
  return fc.record({
    flips: fc.array(fc.tuple(fc.nat(base.length * 4), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
    cut: fc.option(fc.nat(base.length), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 24 }),
  });
}

/** A fresh Buffer: `base` with the mutation applied (base is left as it was). */
export function mutate(base: Uint8Array, m: Mutation): Buffer {
  const b = Buffer.from(base);
  for (const [at, x] of m.flips) b[at % b.length] ^= x;
  const kept = m.cut === undefined ? b : b.subarray(0, m.cut % (b.length + 1));
  return m.tail.length === 0 ? Buffer.from(kept) : Buffer.concat([kept, m.tail]);
}
