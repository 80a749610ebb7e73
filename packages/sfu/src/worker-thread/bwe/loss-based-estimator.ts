/**
 * The loss-based rate (draft-ietf-rmcat-gcc-02 §6, libwebrtc's classic
 * SendSideBandwidthEstimation): over each window of at least 20 reported
 * packets, loss of 10 % or more cuts the rate by half the loss fraction (at most
 * once per 300 ms + RTT), loss below 2 % raises it by 8 % per second, and in
 * between it holds.
 */
const LOW_LOSS = 0.02;
const HIGH_LOSS = 0.1;
const MIN_PACKETS = 20;
const INCREASE_PER_S = 1.08;
const DECREASE_INTERVAL_MS = 300;

export class LossBasedEstimator {
  bitrate: number;
  minBitrate = 30_000;
  maxBitrate = 100_000_000;
  rttMs = 200;
  /** Loss fraction of the last complete window. */
  lossFraction = 0;
  private expected = 0;
  private lost = 0;
  private lastIncreaseMs = -1;
  private lastDecreaseMs = Number.NEGATIVE_INFINITY;

  constructor(initialBitrate: number) {
    this.bitrate = initialBitrate;
  }

  /** Follows a higher delay-based or probed rate while loss is low (the loss-based rate is a ceiling). */
  raiseTo(bitrate: number): void {
    if (this.lossFraction < LOW_LOSS && bitrate > this.bitrate)
      this.bitrate = Math.min(bitrate, this.maxBitrate);
  }

  /** One feedback's counts: `expected` packets described, `lost` of them not received. */
  update(expected: number, lost: number, nowMs: number): number {
    this.expected += expected;
    this.lost += lost;
    if (this.expected < MIN_PACKETS) return this.bitrate;
    this.lossFraction = this.lost / this.expected;
    this.expected = 0;
    this.lost = 0;
    if (this.lastIncreaseMs < 0) this.lastIncreaseMs = nowMs;
    if (this.lossFraction < LOW_LOSS) {
      const dt = Math.min(nowMs - this.lastIncreaseMs, 1000);
      this.bitrate = this.bitrate * INCREASE_PER_S ** (dt / 1000) + 1000;
      this.lastIncreaseMs = nowMs;
    } else if (this.lossFraction >= HIGH_LOSS) {
      if (nowMs - this.lastDecreaseMs >= DECREASE_INTERVAL_MS + this.rttMs) {
        this.bitrate *= 1 - 0.5 * this.lossFraction;
        this.lastDecreaseMs = nowMs;
      }
      this.lastIncreaseMs = nowMs;
    } else {
      this.lastIncreaseMs = nowMs;
    }
    this.bitrate = Math.max(this.minBitrate, Math.min(this.maxBitrate, this.bitrate));
    return this.bitrate;
  }
}
