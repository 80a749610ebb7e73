/**
 * mediasoup carries subchannels as uint16 (so 65536 is 0) in a set: sorted,
 * without duplicates. Non-integers are dropped.
 */
export function normalizeSubchannels(subchannels: readonly number[] | undefined): number[] {
  if (subchannels === undefined) return [];
  if (!Array.isArray(subchannels)) throw new TypeError('subchannels must be an array of numbers');
  const set = new Set<number>();
  for (const s of subchannels) if (Number.isInteger(s)) set.add(s & 0xffff);
  return [...set].sort((a, b) => a - b);
}
