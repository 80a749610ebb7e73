/**
 * Over-use detection with an adaptive threshold (draft-ietf-rmcat-gcc-02
 * §5.4–5.5, libwebrtc's TrendlineEstimator detector part): the trend above
 * the threshold for more than 10 ms (and growing) is over-use, below minus
 * the threshold under-use; the threshold follows the trend (fast up, slow
 * down) so that it neither starves against TCP nor ignores real queues.
 */
export enum BandwidthUsage {
  Normal = 0,
  Underusing = 1,
  Overusing = 2,
}

const K_UP = 0.0087;
const K_DOWN = 0.039;
const OVERUSE_TIME_MS = 10;
const MIN_THRESHOLD = 6;
const MAX_THRESHOLD = 600;
/** A trend this far beyond the threshold is an outlier: the threshold does not chase it. */
const MAX_ADAPT_OFFSET = 15;
const MAX_TIME_DELTA_MS = 100;

export class OveruseDetector {
  threshold = 12.5;
  state: BandwidthUsage = BandwidthUsage.Normal;
  private timeOverUsing = -1;
  private overuseCounter = 0;
  private prevTrend = 0;
  private lastUpdateMs = -1;

  /** The trend for the group that arrived at `nowMs` (`sendDeltaMs`: its send delta). */
  detect(trend: number, sendDeltaMs: number, nowMs: number): BandwidthUsage {
    if (trend > this.threshold) {
      if (this.timeOverUsing < 0) this.timeOverUsing = sendDeltaMs / 2;
      else this.timeOverUsing += sendDeltaMs;
      this.overuseCounter++;
      if (this.timeOverUsing > OVERUSE_TIME_MS && this.overuseCounter > 1 && trend >= this.prevTrend) {
        this.timeOverUsing = 0;
        this.overuseCounter = 0;
        this.state = BandwidthUsage.Overusing;
      }
    } else if (trend < -this.threshold) {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.state = BandwidthUsage.Underusing;
    } else {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.state = BandwidthUsage.Normal;
    }
    this.prevTrend = trend;
    this.adaptThreshold(trend, nowMs);
    return this.state;
  }

  private adaptThreshold(trend: number, nowMs: number): void {
    if (this.lastUpdateMs < 0) this.lastUpdateMs = nowMs;
    const abs = Math.abs(trend);
    if (abs > this.threshold + MAX_ADAPT_OFFSET) {
      this.lastUpdateMs = nowMs;
      return;
    }
    const k = abs < this.threshold ? K_DOWN : K_UP;
    const dt = Math.min(nowMs - this.lastUpdateMs, MAX_TIME_DELTA_MS);
    this.threshold += k * (abs - this.threshold) * dt;
    this.threshold = Math.max(MIN_THRESHOLD, Math.min(MAX_THRESHOLD, this.threshold));
    this.lastUpdateMs = nowMs;
  }
}
