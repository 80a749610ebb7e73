/**
 * When and how hard to probe (a simple form of libwebrtc's ProbeController
 * and mediasoup's probation): when the consumers want more than the
 * estimate, and nothing was cut lately, a cluster of ~100 ms at twice the
 * estimate (at most the desired bitrate plus a margin) is sent, the media
 * sent meanwhile counting towards it and probation padding filling the rest.
 * The estimator then measures what arrived. One cluster at a time, at most
 * one every `PROBE_INTERVAL_MS`.
 */
const CLUSTER_MS = 100;
const PROBE_INTERVAL_MS = 1500;
/** No probing this soon after the delay-based rate was cut (the queue is draining). */
const AFTER_DECREASE_MS = 3000;
const MAX_PROBE_FACTOR = 2;
const DESIRED_MARGIN = 1.2;

export class ProbeController {
  /** Current cluster id (-1: none) and its rate, bps. */
  cluster = -1;
  rate = 0;
  private nextId = 0;
  private startMs = 0;
  private bytesInCluster = 0;
  private lastProbeEndMs = Number.NEGATIVE_INFINITY;

  /** Whether to start a cluster now; when so, `cluster` and `rate` are set. */
  maybeStart(
    nowMs: number,
    estimate: number,
    desired: number,
    lastDecreaseMs: number,
    maxBitrate: number,
  ): boolean {
    if (this.cluster >= 0) return false;
    if (desired <= estimate) return false;
    if (nowMs - this.lastProbeEndMs < PROBE_INTERVAL_MS) return false;
    if (nowMs - lastDecreaseMs < AFTER_DECREASE_MS) return false;
    const rate = Math.min(estimate * MAX_PROBE_FACTOR, desired * DESIRED_MARGIN, maxBitrate);
    if (rate <= estimate) return false;
    this.cluster = this.nextId++;
    this.rate = rate;
    this.startMs = nowMs;
    this.bytesInCluster = 0;
    return true;
  }

  /** Bytes sent in the cluster (media and padding). */
  onSent(bytes: number): void {
    if (this.cluster >= 0) this.bytesInCluster += bytes;
  }

  /**
   * Padding bytes to send now to keep the cluster's pace up to `nowMs + aheadMs`; -1 when the
   * cluster is over (the caller ends it).
   */
  paddingDue(nowMs: number, aheadMs: number): number {
    if (this.cluster < 0) return 0;
    const elapsed = nowMs - this.startMs;
    if (elapsed >= CLUSTER_MS) {
      this.cluster = -1;
      this.lastProbeEndMs = nowMs;
      return -1;
    }
    const due = (this.rate * Math.min(CLUSTER_MS, elapsed + aheadMs)) / 8000;
    return Math.max(0, due - this.bytesInCluster);
  }
}
