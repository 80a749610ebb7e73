/**
 * Retransmission timeout from RTT measurements, RFC 4960 §6.3.1 (RFC 9260
 * §6.3.1 keeps the rules): SRTT and RTTVAR with alpha 1/8 and beta 1/4,
 * RTO = SRTT + 4 * RTTVAR clamped to [RTO.Min, RTO.Max], and doubling on
 * each timer expiry (§6.3.3 E2) up to RTO.Max.
 */
export class RtoEstimator {
  /** Smoothed RTT in ms; 0 until a measurement. */
  srtt = 0;
  rttvar = 0;
  /** Current RTO in ms; every association timer runs on it. */
  rto: number;

  constructor(
    readonly initialMs: number,
    readonly minMs: number,
    readonly maxMs: number,
  ) {
    this.rto = initialMs;
  }

  /**
   * Takes one RTT sample `r` (ms). Callers follow Karn's rule: no sample from
   * a retransmitted chunk. While SRTT is 0 (none yet, or only zero samples)
   * the sample counts as the first (C2); afterwards C3 applies.
   */
  measure(r: number): void {
    if (this.srtt === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(this.maxMs, Math.max(this.minMs, this.srtt + 4 * this.rttvar));
  }

  /** A timer expired: RTO = min(RTO * 2, RTO.Max). */
  backOff(): void {
    this.rto = Math.min(this.rto * 2, this.maxMs);
  }
}
