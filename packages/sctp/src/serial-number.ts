/** 32-bit serial number arithmetic for TSNs (RFC 1982, as RFC 9260 §1.6 asks). */

/** a < b in serial-number order. */
export function tsnLt(a: number, b: number): boolean {
  return a !== b && ((b - a) | 0) > 0;
}

/** a <= b in serial-number order. */
export function tsnLte(a: number, b: number): boolean {
  return a === b || ((b - a) | 0) > 0;
}

/** a + n modulo 2^32, unsigned. */
export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** 16-bit SSN a < b in serial-number order. */
export function ssnLt(a: number, b: number): boolean {
  const d = (b - a) & 0xffff;
  return d !== 0 && d < 0x8000;
}
