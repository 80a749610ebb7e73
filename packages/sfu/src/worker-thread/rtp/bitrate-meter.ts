/** Bits per second over the last second, in ten 100 ms buckets (no allocation per packet). */
export class BitrateMeter {
  private readonly buckets = new Float64Array(10);
  private bucketStart = 0;
  private index = 0;

  add(bytes: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[this.index] += bytes;
  }

  /** Bits per second over the last second. */
  rate(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += this.buckets[i];
    return sum * 8;
  }

  private advance(nowMs: number): void {
    const elapsed = Math.floor((nowMs - this.bucketStart) / 100);
    if (elapsed <= 0) return;
    const steps = Math.min(elapsed, 10);
    for (let k = 0; k < steps; k++) {
      this.index = (this.index + 1) % 10;
      this.buckets[this.index] = 0;
    }
    this.bucketStart += elapsed * 100;
  }
}
