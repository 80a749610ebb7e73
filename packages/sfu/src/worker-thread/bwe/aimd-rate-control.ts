/**
 * The delay-based rate (draft-ietf-rmcat-gcc-02 §5.5, libwebrtc's
 * AimdRateControl): over-use cuts the rate to 0.85 × the acknowledged
 * (received) bitrate, normal use raises it — multiplicatively (8 %/s) while
 * far from the link capacity last seen at a cut, additively (about one
 * packet per response time) near it — and under-use holds it (the queue
 * drains). The rate never exceeds 1.5 × the acknowledged bitrate + 10 kbps:
 * going higher takes a probe (`setEstimate`).
 */
import { BandwidthUsage } from './overuse-detector.js';

const BETA = 0.85;
const MULTIPLICATIVE_PER_S = 1.08;
const MAX_ACKED_FACTOR = 1.5;
const MAX_ACKED_OFFSET_BPS = 10_000;
const PACKET_BITS = 1200 * 8;
const DEFAULT_RTT_MS = 200;

enum RateState {
  Hold = 0,
  Increase = 1,
  Decrease = 2,
}

export class AimdRateControl {
  bitrate: number;
  minBitrate = 30_000;
  maxBitrate = 100_000_000;
  rttMs = DEFAULT_RTT_MS;
  private state = RateState.Hold;
  private lastChangeMs = -1;
  /** Average acked bitrate at the cuts (link capacity estimate), bps; -1 unknown. */
  private linkCapacity = -1;
  private linkCapacityVar = 0.4;
  /** When the last decrease happened (for callers that hold off probing). */
  lastDecreaseMs = Number.NEGATIVE_INFINITY;

  constructor(initialBitrate: number) {
    this.bitrate = initialBitrate;
  }

  /** A probe (or REMB) measured the path: the rate jumps to it. */
  setEstimate(bitrate: number, nowMs: number): void {
    this.bitrate = this.clamp(bitrate);
    this.lastChangeMs = nowMs;
  }

  /** The detector's verdict for the feedback processed at `nowMs`, with the acked bitrate (0: unknown). */
  update(usage: BandwidthUsage, ackedBitrate: number, nowMs: number): number {
    // State machine of the draft's figure 2.
    if (usage === BandwidthUsage.Overusing) this.state = RateState.Decrease;
    else if (usage === BandwidthUsage.Underusing) this.state = RateState.Hold;
    else if (this.state === RateState.Hold || this.state === RateState.Decrease)
      this.state = RateState.Increase;
    if (this.lastChangeMs < 0) this.lastChangeMs = nowMs;
    const dtMs = Math.min(nowMs - this.lastChangeMs, 1000);
    let next = this.bitrate;
    if (this.state === RateState.Increase) {
      if (this.linkCapacity > 0 && ackedBitrate > this.linkCapacity + 3 * this.capacityStd()) {
        this.linkCapacity = -1; // well above the old capacity: the link changed
      }
      if (this.linkCapacity > 0) {
        // Near the capacity: one packet per response time.
        const responseMs = 100 + this.rttMs;
        next += Math.max(1000, (PACKET_BITS * dtMs) / responseMs);
      } else {
        next *= MULTIPLICATIVE_PER_S ** (dtMs / 1000);
        next += 1000 * (dtMs > 0 ? 1 : 0);
      }
      // Not beyond what the path has shown it carries (a rate already above stays where it is).
      if (ackedBitrate > 0) {
        const bound = MAX_ACKED_FACTOR * ackedBitrate + MAX_ACKED_OFFSET_BPS;
        next = Math.min(next, Math.max(this.bitrate, bound));
      }
    } else if (this.state === RateState.Decrease) {
      const base = ackedBitrate > 0 ? ackedBitrate : this.bitrate;
      next = Math.min(this.bitrate, BETA * base);
      if (ackedBitrate > 0) {
        if (this.linkCapacity > 0 && ackedBitrate < this.linkCapacity - 3 * this.capacityStd())
          this.linkCapacity = -1;
        this.updateCapacity(ackedBitrate);
      }
      this.state = RateState.Hold;
      this.lastDecreaseMs = nowMs;
    }
    this.bitrate = this.clamp(next);
    this.lastChangeMs = nowMs;
    return this.bitrate;
  }

  private capacityStd(): number {
    // The variance is normalized to the capacity in kbps (as libwebrtc's).
    return 1000 * Math.sqrt(this.linkCapacityVar * (this.linkCapacity / 1000));
  }

  private updateCapacity(acked: number): void {
    if (this.linkCapacity < 0) {
      this.linkCapacity = acked;
      return;
    }
    const alpha = 0.05;
    this.linkCapacity = (1 - alpha) * this.linkCapacity + alpha * acked;
    const norm = Math.max(this.linkCapacity / 1000, 1);
    const err = (this.linkCapacity - acked) / 1000;
    this.linkCapacityVar = (1 - alpha) * this.linkCapacityVar + (alpha * err * err) / norm;
    this.linkCapacityVar = Math.max(0.004, Math.min(2.5, this.linkCapacityVar));
  }

  private clamp(bitrate: number): number {
    return Math.max(this.minBitrate, Math.min(this.maxBitrate, bitrate));
  }
}
