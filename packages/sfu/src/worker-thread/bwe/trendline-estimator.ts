/**
 * The delay gradient (libwebrtc's TrendlineEstimator, the successor of
 * draft-ietf-rmcat-gcc-02's Kalman filter): the one-way delay variation
 * between packet groups is accumulated, smoothed, and a least-squares line
 * is fitted over the last 20 groups; its slope, scaled, is the signal the
 * overuse detector compares with its threshold. Fixed-size ring, no
 * allocation.
 */
const WINDOW = 20;
const SMOOTHING = 0.9;
const THRESHOLD_GAIN = 4;
/** Deltas counted towards the gain (libwebrtc's kMinNumDeltas cap). */
const MAX_DELTAS = 60;

export class TrendlineEstimator {
  private readonly xs = new Float64Array(WINDOW);
  private readonly ys = new Float64Array(WINDOW);
  private count = 0;
  private head = 0;
  private firstArrivalMs = -1;
  private accumulatedDelay = 0;
  private smoothedDelay = 0;
  private numDeltas = 0;
  /** The last scaled slope (ms of delay growth per group, times the gain). */
  modifiedTrend = 0;

  /** One group delta pair; returns the modified trend (0 until the window is full). */
  update(arrivalDeltaMs: number, sendDeltaMs: number, arrivalMs: number): number {
    const delta = arrivalDeltaMs - sendDeltaMs;
    this.numDeltas = Math.min(this.numDeltas + 1, MAX_DELTAS);
    if (this.firstArrivalMs < 0) this.firstArrivalMs = arrivalMs;
    this.accumulatedDelay += delta;
    this.smoothedDelay = SMOOTHING * this.smoothedDelay + (1 - SMOOTHING) * this.accumulatedDelay;
    this.xs[this.head] = arrivalMs - this.firstArrivalMs;
    this.ys[this.head] = this.smoothedDelay;
    this.head = (this.head + 1) % WINDOW;
    if (this.count < WINDOW) this.count++;
    if (this.count < WINDOW) return this.modifiedTrend;
    const slope = this.slope();
    this.modifiedTrend = this.numDeltas * slope * THRESHOLD_GAIN;
    return this.modifiedTrend;
  }

  reset(): void {
    this.count = 0;
    this.head = 0;
    this.firstArrivalMs = -1;
    this.accumulatedDelay = 0;
    this.smoothedDelay = 0;
    this.numDeltas = 0;
    this.modifiedTrend = 0;
  }

  private slope(): number {
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < WINDOW; i++) {
      sx += this.xs[i];
      sy += this.ys[i];
    }
    const mx = sx / WINDOW;
    const my = sy / WINDOW;
    let num = 0;
    let den = 0;
    for (let i = 0; i < WINDOW; i++) {
      const dx = this.xs[i] - mx;
      num += dx * (this.ys[i] - my);
      den += dx * dx;
    }
    return den === 0 ? 0 : num / den;
  }
}
