/**
 * Wrap-aware arithmetic on RTP's 16-bit sequence numbers and 32-bit
 * timestamps (RFC 3550; serial number arithmetic as in RFC 1982).
 */

/** Signed distance a - b of two 16-bit counters, in [-32768, 32767]. */
export function seqDiff16(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/** True when a is newer than b (a follows b by less than half the space). */
export function isSeqNewer16(a: number, b: number): boolean {
  return seqDiff16(a, b) > 0;
}

/** Signed distance a - b of two 32-bit counters, in [-2^31, 2^31 - 1]. */
export function seqDiff32(a: number, b: number): number {
  return (a - b) | 0;
}

/** True when a is newer than b in 32-bit serial number arithmetic. */
export function isSeqNewer32(a: number, b: number): boolean {
  return seqDiff32(a, b) > 0;
}

/** a + b modulo 2^16. */
export function seqAdd16(a: number, b: number): number {
  return (a + b) & 0xffff;
}

/** a + b modulo 2^32, as an unsigned number. */
export function seqAdd32(a: number, b: number): number {
  return (a + b) >>> 0;
}
