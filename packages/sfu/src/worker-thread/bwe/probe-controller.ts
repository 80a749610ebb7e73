/**
 * When and how hard to probe (a simple form of libwebrtc's ProbeController
 * and mediasoup's probation): when the consumers want more than the
 * estimate, and nothing was cut lately, a cluster of ~100 ms at twice the
 * estimate (at most the desired bitrate plus a margin) is sent, the media
 * sent meanwhile counting towards it and probation padding filling the rest.
 * The estimator then measures what arrived. One cluster at a time, at most
 * one every `PROBE_INTERVAL_MS`. A probe that found the path full (what
 * arrived well below what was sent: the capacity is known and below what
 * the consumers want) doubles the wait for the next one, up to
 * `MAX_PROBE_INTERVAL_MS`: each such probe queues up at the bottleneck and
 * costs a delay-based cut, and repeating it every 1.5 s only shakes the
 * estimate (and the layers) around the capacity it already found.
 */
const CLUSTER_MS = 100;
const PROBE_INTERVAL_MS = 1500;
/** Longest wait after probes that found the path full (a lifted limit is found within it). */
const MAX_PROBE_INTERVAL_MS = 4000;
/** A result below this share of the probe's rate: the path was full. */
const FULL_PATH_SHARE = 0.7;
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
  private intervalMs = PROBE_INTERVAL_MS;

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
    if (nowMs - this.lastProbeEndMs < this.intervalMs) return false;
    if (nowMs - lastDecreaseMs < AFTER_DECREASE_MS) return false;
    const rate = Math.min(estimate * MAX_PROBE_FACTOR, desired * DESIRED_MARGIN, maxBitrate);
    if (rate <= estimate) return false;
    this.cluster = this.nextId++;
    this.rate = rate;
    this.startMs = nowMs;
    this.bytesInCluster = 0;
    return true;
  }

  /**
   * What the last cluster measured (bps, 0: nothing usable): a full path backs the next probe off, a
   * probe that got through resets the wait.
   */
  onResult(result: number, probedRate: number): void {
    this.intervalMs =
      result < FULL_PATH_SHARE * probedRate
        ? Math.min(MAX_PROBE_INTERVAL_MS, 2 * this.intervalMs)
        : PROBE_INTERVAL_MS;
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
