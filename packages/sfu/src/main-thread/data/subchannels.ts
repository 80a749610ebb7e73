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

/**
 * A sent message's subchannels as mediasoup's `dataProducer.send()` puts them
 * in its uint16 vector: in the given order, duplicates kept, each value taken
 * modulo 65536 (what a non-integer or non-number becomes in that vector too:
 * 1.5 is 1, NaN is 0). They reach a pipe's wire in this order.
 */
export function messageSubchannels(subchannels: readonly number[]): number[] {
  if (!Array.isArray(subchannels)) throw new TypeError('subchannels must be an array of numbers');
  return subchannels.map((s) => s & 0xffff);
}

/** A sent message's required or ignored subchannel: absent when null or undefined, else modulo 65536. */
export function messageSubchannel(subchannel: number | undefined): number | undefined {
  return subchannel == null ? undefined : subchannel & 0xffff;
}
