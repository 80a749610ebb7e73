/**
 * Receive-side statistics of one RTP source, as RFC 3550 appendix A does them:
 * sequence validation and the extended highest sequence number (A.1),
 * expected / lost / fraction lost for reception report blocks (A.3), and the
 * interarrival jitter estimate (A.8). Allocation-free: call per packet.
 */
import type { RtcpReportBlock } from './rtcp/report-block.js';

const RTP_SEQ_MOD = 0x10000;
/** Largest forward jump still taken as loss rather than a restart (A.1). */
export const MAX_DROPOUT = 3000;
/** Largest backward step still taken as reordering (A.1). */
export const MAX_MISORDER = 100;
/** Sequential packets needed before a new source is valid (A.1). */
export const MIN_SEQUENTIAL = 2;

/** Result of `RtpReceiveStats.update` for one packet. */
export const SeqUpdate = {
  /** In order or acceptably reordered: counted. */
  Valid: 0,
  /** The source is still on probation (A.1): not counted yet. */
  Probation: 1,
  /** A duplicate or old reordered packet: counted as received, not as progress. */
  Old: 2,
  /** A big jump: dropped, unless the next packet confirms it as a restart. */
  Bad: 3,
} as const;
export type SeqUpdate = (typeof SeqUpdate)[keyof typeof SeqUpdate];

export class RtpReceiveStats {
  /** Highest sequence number seen (16 bits). */
  maxSeq = 0;
  /** Shifted count of sequence number cycles (multiples of 65536). */
  cycles = 0;
  /** First extended sequence number counted (after probation). */
  baseSeq = 0;
  /** Last 'bad' sequence number + 1, or a value out of 16-bit range. */
  badSeq = RTP_SEQ_MOD + 1;
  probation = MIN_SEQUENTIAL;
  /** Packets received (duplicates included, as A.3 counts them). */
  received = 0;
  expectedPrior = 0;
  receivedPrior = 0;
  /** Interarrival jitter estimate in timestamp units, scaled by 16 (A.8). */
  private jitterQ4 = 0;
  private lastTransit = 0;
  private hasTransit = false;
  private started = false;

  constructor(private readonly minSequential: number = MIN_SEQUENTIAL) {
    this.probation = minSequential;
  }

  /** Starts counting at `seq` (init_seq of A.1). */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /** Feeds one packet's sequence number (update_seq of A.1). */
  update(seq: number): SeqUpdate {
    if (!this.started) {
      this.started = true;
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.received++;
          return SeqUpdate.Valid;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return SeqUpdate.Probation;
    }
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq === this.badSeq) {
        // Two sequential packets after a jump: the source restarted.
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return SeqUpdate.Bad;
      }
    } else {
      this.received++;
      return SeqUpdate.Old;
    }
    this.received++;
    return SeqUpdate.Valid;
  }

  /** Extended highest sequence number received (cycles + max_seq). */
  get extendedHighestSeq(): number {
    return this.cycles + this.maxSeq;
  }

  /** Packets expected since counting began (A.3). */
  get expected(): number {
    return this.extendedHighestSeq - this.baseSeq + 1;
  }

  /** Cumulative packets lost (A.3), clamped to the 24-bit signed range of a report block. */
  get lost(): number {
    const lost = this.expected - this.received;
    return Math.max(-0x800000, Math.min(0x7fffff, lost));
  }

  /**
   * Fraction lost since the previous call, as the 8-bit fixed-point value of a
   * report block (A.3); advances the interval.
   */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval === 0 || lostInterval <= 0) return 0;
    return Math.floor((lostInterval * 256) / expectedInterval);
  }

  /**
   * Updates the jitter estimate with one packet (A.8): `rtpTimestamp` from the
   * packet, `arrival` the arrival time converted to the same clock units.
   */
  updateJitter(rtpTimestamp: number, arrival: number): void {
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.hasTransit) {
      let d = (transit - this.lastTransit) | 0;
      if (d < 0) d = -d;
      // J += (|D| - J) / 16, kept scaled by 16 as A.8's integer form does.
      this.jitterQ4 += d - Math.floor((this.jitterQ4 + 8) / 16);
    }
    this.lastTransit = transit;
    this.hasTransit = true;
  }

  /**
   * A reception report block for this source (RFC 3550 §6.4.1), advancing the
   * fraction-lost interval. `lsr` / `dlsr`: compact NTP of the last SR received
   * from it and the delay since, in 1/65536 s (0 when none was received).
   */
  takeReportBlock(ssrc: number, lsr = 0, dlsr = 0): RtcpReportBlock {
    return {
      ssrc: ssrc >>> 0,
      fractionLost: this.takeFractionLost(),
      packetsLost: this.lost,
      highestSequence: this.extendedHighestSeq >>> 0,
      jitter: this.jitter >>> 0,
      lsr: lsr >>> 0,
      dlsr: dlsr >>> 0,
    };
  }

  /** Interarrival jitter in timestamp units, as a report block carries it. */
  get jitter(): number {
    return Math.floor(this.jitterQ4 / 16);
  }
}
