/**
 * The bitrate the receiver acknowledged (bytes of the packets reported
 * received, by their arrival time) over the last 500 ms, in 50 ms buckets:
 * what AIMD cuts from and what bounds its increase. No allocation.
 */
const BUCKETS = 10;
const BUCKET_MS = 50;

export class AckedBitrate {
  private readonly bytes = new Float64Array(BUCKETS);
  private bucketStart = -1;
  private index = 0;
  private filled = 0;

  add(bytes: number, arrivalMs: number): void {
    if (this.bucketStart < 0) this.bucketStart = arrivalMs;
    if (arrivalMs < this.bucketStart - (BUCKETS - 1) * BUCKET_MS) return; // too old
    this.advance(arrivalMs);
    let i = this.index;
    // A packet from an earlier bucket (reordered feedback) goes there.
    const back = Math.floor((this.bucketStart - arrivalMs) / BUCKET_MS) + 1;
    if (arrivalMs < this.bucketStart) i = (this.index - back + BUCKETS) % BUCKETS;
    this.bytes[i] += bytes;
  }

  /** Bits per second, or 0 until 150 ms of arrivals are known. */
  get bitrate(): number {
    if (this.filled < 3) return 0;
    let sum = 0;
    for (let k = 0; k < BUCKETS; k++) sum += this.bytes[k];
    // The current bucket is partly filled: count the full ones plus half of it.
    const spanMs = (this.filled - 0.5) * BUCKET_MS;
    return (sum * 8 * 1000) / spanMs;
  }

  private advance(arrivalMs: number): void {
    if (this.filled === 0) this.filled = 1;
    const steps = Math.floor((arrivalMs - this.bucketStart) / BUCKET_MS);
    if (steps <= 0) return;
    for (let k = 0; k < Math.min(steps, BUCKETS); k++) {
      this.index = (this.index + 1) % BUCKETS;
      this.bytes[this.index] = 0;
    }
    this.filled = Math.min(BUCKETS, this.filled + steps);
    this.bucketStart += steps * BUCKET_MS;
  }
}
