/**
 * Congestion control of RFC 9260 §7.2: slow start and congestion avoidance
 * (cwnd, ssthresh, partial_bytes_acked), fast recovery entered once per
 * window on fast retransmit (§7.2.4), and the collapse to one MTU on T3-rtx
 * expiry (§7.2.3).
 */
import { tsnLte } from './serial-number.js';

export class CongestionControl {
  /** Congestion window in bytes: initial min(4 * MTU, max(2 * MTU, 4380)) (§7.2.1). */
  cwnd: number;
  ssthresh = 0x7fffffff;
  partialBytesAcked = 0;
  inFastRecovery = false;
  /** Highest TSN outstanding when fast recovery began; a cumulative ack of it ends fast recovery. */
  private fastRecoveryExit = 0;

  constructor(private readonly mtu: number) {
    this.cwnd = Math.min(4 * mtu, Math.max(2 * mtu, 4380));
  }

  /** Fast retransmit marked chunks: halve the window unless already recovering (§7.2.4). */
  onFastRetransmit(highestOutstandingTsn: number): void {
    if (this.inFastRecovery) return;
    this.inFastRecovery = true;
    this.fastRecoveryExit = highestOutstandingTsn;
    this.ssthresh = Math.max(this.cwnd >> 1, 4 * this.mtu);
    this.cwnd = this.ssthresh;
    this.partialBytesAcked = 0;
  }

  /** A SACK moved the cumulative ack to `cum`, newly acking `bytesAcked` bytes (§7.2.1, §7.2.2). */
  onSack(cum: number, bytesAcked: number): void {
    if (this.inFastRecovery && tsnLte(this.fastRecoveryExit, cum)) this.inFastRecovery = false;
    if (bytesAcked <= 0 || this.inFastRecovery) return;
    if (this.cwnd <= this.ssthresh) {
      this.cwnd += Math.min(bytesAcked, this.mtu);
    } else {
      this.partialBytesAcked += bytesAcked;
      if (this.partialBytesAcked >= this.cwnd) {
        this.partialBytesAcked -= this.cwnd;
        this.cwnd += this.mtu;
      }
    }
  }

  /** T3-rtx expired: ssthresh = max(cwnd / 2, 4 * MTU), cwnd = 1 MTU (§7.2.3). */
  onT3Expired(): void {
    this.ssthresh = Math.max(this.cwnd >> 1, 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
    this.inFastRecovery = false;
  }
}
