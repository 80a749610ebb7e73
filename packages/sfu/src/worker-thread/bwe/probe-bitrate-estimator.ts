/**
 * What a probe cluster measured (libwebrtc's ProbeBitrateEstimator): the
 * packets sent in one cluster (probation padding and the media sent
 * meanwhile) went out at a known rate; the rate at which they arrived is
 * what the path carries. The result is min(send rate, receive rate) — less
 * when the receive rate is clearly below the send rate (the path is full).
 * A few clusters are tracked at once, in typed arrays.
 */
const SLOTS = 4;
const MIN_PACKETS = 5;
/** Receiving this much slower than sending: the path is saturated. */
const SATURATED_RATIO = 0.9;
const SATURATED_FACTOR = 0.95;

export class ProbeBitrateEstimator {
  private readonly ids = new Int32Array(SLOTS).fill(-1);
  private readonly count = new Int32Array(SLOTS);
  private readonly firstSend = new Float64Array(SLOTS);
  private readonly lastSend = new Float64Array(SLOTS);
  private readonly firstArrival = new Float64Array(SLOTS);
  private readonly lastArrival = new Float64Array(SLOTS);
  private readonly bytes = new Float64Array(SLOTS);
  private readonly lastSendSize = new Float64Array(SLOTS);
  private readonly firstArrivalSize = new Float64Array(SLOTS);

  /** One received packet of `cluster`. */
  add(cluster: number, sendMs: number, arrivalMs: number, size: number): void {
    const i = cluster % SLOTS;
    if (this.ids[i] !== cluster) {
      this.ids[i] = cluster;
      this.count[i] = 0;
      this.bytes[i] = 0;
      this.firstSend[i] = Number.POSITIVE_INFINITY;
      this.lastSend[i] = Number.NEGATIVE_INFINITY;
      this.firstArrival[i] = Number.POSITIVE_INFINITY;
      this.lastArrival[i] = Number.NEGATIVE_INFINITY;
    }
    this.count[i]++;
    this.bytes[i] += size;
    if (sendMs < this.firstSend[i]) this.firstSend[i] = sendMs;
    if (sendMs >= this.lastSend[i]) {
      this.lastSend[i] = sendMs;
      this.lastSendSize[i] = size;
    }
    if (arrivalMs < this.firstArrival[i]) {
      this.firstArrival[i] = arrivalMs;
      this.firstArrivalSize[i] = size;
    }
    if (arrivalMs > this.lastArrival[i]) this.lastArrival[i] = arrivalMs;
  }

  /** The cluster's measured bitrate (bps), or 0 when it has too few packets or spans no time. */
  estimate(cluster: number): number {
    const i = cluster % SLOTS;
    if (this.ids[i] !== cluster || this.count[i] < MIN_PACKETS) return 0;
    const sendMs = this.lastSend[i] - this.firstSend[i];
    const recvMs = this.lastArrival[i] - this.firstArrival[i];
    if (sendMs <= 0 || recvMs <= 0) return 0;
    // The last packet sent and the first received mark the interval's ends: not inside it.
    const sendRate = ((this.bytes[i] - this.lastSendSize[i]) * 8000) / sendMs;
    const recvRate = ((this.bytes[i] - this.firstArrivalSize[i]) * 8000) / recvMs;
    if (recvRate < SATURATED_RATIO * sendRate) return SATURATED_FACTOR * recvRate;
    return Math.min(sendRate, recvRate);
  }

  /** Packets received so far of `cluster`. */
  received(cluster: number): number {
    const i = cluster % SLOTS;
    return this.ids[i] === cluster ? this.count[i] : 0;
  }
}
