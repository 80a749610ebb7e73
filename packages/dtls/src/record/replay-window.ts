/**
 * Sliding anti-replay window (RFC 6347 §4.1.2.6) over 48-bit sequence
 * numbers, kept as a circular bitmap so sliding never shifts words.
 */
export class ReplayWindow {
  private readonly bits: Uint32Array;
  private max = -1;

  constructor(readonly size = 128) {
    if (size % 32 !== 0 || size <= 0) throw new RangeError('window size must be a positive multiple of 32');
    this.bits = new Uint32Array(size / 32);
  }

  /** True if `seq` is new and inside the window (does not mark it). */
  check(seq: number): boolean {
    if (seq > this.max) return true;
    if (seq <= this.max - this.size) return false;
    const i = seq % this.size;
    return (this.bits[i >>> 5] & (1 << (i & 31))) === 0;
  }

  /** Marks `seq` as seen; call only after the record authenticated. */
  accept(seq: number): void {
    if (seq > this.max) {
      const advance = seq - this.max;
      if (advance >= this.size) {
        this.bits.fill(0);
      } else {
        for (let s = this.max + 1; s <= seq; s++) {
          const i = s % this.size;
          this.bits[i >>> 5] &= ~(1 << (i & 31));
        }
      }
      this.max = seq;
    }
    const i = seq % this.size;
    this.bits[i >>> 5] |= 1 << (i & 31);
  }

  reset(): void {
    this.bits.fill(0);
    this.max = -1;
  }
}
