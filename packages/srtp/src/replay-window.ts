/**
 * Sliding replay window over packet indices (RFC 3711 §3.3.2), like libsrtp's
 * extended replay database: it remembers the highest index accepted and one
 * bit per index in the `size` indices below and including it.
 *
 * `check` is separate from `accept` so a receiver can reject replays before
 * spending a crypto call, and only record the index once the packet has
 * authenticated.
 */
export const ReplayCheck = {
  Ok: 0,
  Replayed: 1,
  TooOld: 2,
} as const;
export type ReplayCheck = (typeof ReplayCheck)[keyof typeof ReplayCheck];

export class ReplayWindow {
  /** Number of indices remembered (a multiple of 32). */
  readonly size: number;
  /** Highest index accepted so far, or -1 before the first. */
  maxIndex = -1;
  private readonly bits: Uint32Array;

  constructor(size: number) {
    this.size = ReplayWindow.roundSize(size);
    this.bits = new Uint32Array(this.size / 32);
  }

  /** The size a window asked for `size` really has; throws RangeError outside [32, 2^20]. */
  static roundSize(size: number): number {
    if (!Number.isInteger(size) || size < 32 || size > 1 << 20) {
      throw new RangeError(`replay window size must be an integer in [32, 2^20], got ${size}`);
    }
    return Math.ceil(size / 32) * 32;
  }

  check(index: number): ReplayCheck {
    if (index > this.maxIndex) return ReplayCheck.Ok;
    if (this.maxIndex - index >= this.size) return ReplayCheck.TooOld;
    const pos = index % this.size;
    return this.bits[pos >>> 5] & (1 << (pos & 31)) ? ReplayCheck.Replayed : ReplayCheck.Ok;
  }

  /** Records `index` as received; call only after `check` returned Ok and the packet authenticated. */
  accept(index: number): void {
    if (index > this.maxIndex) {
      const advance = index - this.maxIndex;
      if (this.maxIndex < 0 || advance >= this.size) {
        this.bits.fill(0);
      } else {
        // Forget the slots the window slides over; they now stand for new indices.
        for (let i = this.maxIndex + 1; i < index; i++) {
          const p = i % this.size;
          this.bits[p >>> 5] &= ~(1 << (p & 31));
        }
      }
      this.maxIndex = index;
    }
    const pos = index % this.size;
    this.bits[pos >>> 5] |= 1 << (pos & 31);
  }
}
