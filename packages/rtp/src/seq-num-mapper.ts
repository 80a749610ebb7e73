/**
 * Maps the sequence numbers of an incoming RTP stream onto an outgoing one
 * that a consumer sees as a single, gapless stream — even when the SFU drops
 * input packets (paused layers, temporal-layer filtering) or switches to
 * another source (simulcast layer switch). The idea is mediasoup's
 * SeqManager: output = input + offset − (inputs dropped before it).
 *
 * Rules that keep it obviously right:
 * - An input is forwarded with `map(seq)`, which returns its output sequence
 *   number, or -1 when it must not be sent (older than the current source's
 *   first packet, too old to place, or one that was dropped).
 * - `drop(seq)` closes the gap only for inputs newer than every input seen so
 *   far: an output already sent can never be reused. An older input dropped
 *   late just stays a gap (the receiver may NACK it; nothing is lost that was
 *   not already lost).
 * - `resync()` (source switch, resume after pause): the next input forwarded
 *   becomes the output right after the highest one sent, whatever its number.
 * - A forward jump larger than `maxJump` resyncs the same way; a backward
 *   jump larger than `maxReorder` is dropped unless the next input follows it
 *   (the source restarted, RFC 3550 A.1's bad_seq rule), which then resyncs.
 * Allocation-free per packet: dropped inputs live in a fixed ring.
 */
import { seqDiff16 } from './seq-arith.js';

export interface SeqNumMapperOptions {
  /** First output sequence number (default: random, as RFC 3550 asks). */
  initialOutput?: number;
  /** How far behind the newest input a reordered input may still be placed (default 1000). */
  maxReorder?: number;
  /** Forward jump beyond which the input is taken as a discontinuity and resynced (default 3000). */
  maxJump?: number;
  /** Dropped inputs remembered inside the reorder window (default 256); beyond it older reordered inputs are refused, never mis-mapped. */
  dropCapacity?: number;
}

export class SeqNumMapper {
  private readonly maxReorder: number;
  private readonly maxJump: number;
  private needSync = true;
  /** Extended numbers: inputs in their own unwrapped space, outputs likewise. */
  private maxIn = 0;
  private maxOut: number;
  private inBase = 0;
  private outBase = 0;
  /** Inputs at or below this extended number are refused. */
  private floor = 0;
  private readonly dropped: Float64Array;
  private dropHead = 0;
  private dropCount = 0;
  /** RFC 3550 A.1 bad_seq: the input expected next if a backward jump was a restart, else -1. */
  private badSeq = -1;
  private sentAny = false;

  constructor(opts: SeqNumMapperOptions = {}) {
    const initial = opts.initialOutput ?? Math.floor(Math.random() * 0x10000);
    this.maxOut = (initial & 0xffff) - 1;
    // Both windows must stay inside half the 16-bit space for seqDiff16 to tell old from new.
    this.maxReorder = Math.min(0x7fff, Math.max(0, opts.maxReorder ?? 1000));
    this.maxJump = Math.min(0x7fff, Math.max(1, opts.maxJump ?? 3000));
    this.dropped = new Float64Array(Math.max(1, opts.dropCapacity ?? 256));
  }

  /** Highest output sequence number sent so far (16 bits), or -1 before the first. */
  get lastOutput(): number {
    return this.sentAny ? this.maxOut & 0xffff : -1;
  }

  /** The next input forwarded continues the output right after the last one sent. */
  resync(): void {
    this.needSync = true;
  }

  /** Output sequence number for input `seq`, or -1 when the input must not be sent. */
  map(seq: number): number {
    seq &= 0xffff;
    if (this.needSync) return this.syncAt(seq);
    const diff = seqDiff16(seq, this.maxIn & 0xffff);
    if (diff > this.maxJump) return this.syncAt(seq);
    if (diff < -this.maxReorder) {
      if (seq === this.badSeq) return this.syncAt(seq);
      this.badSeq = (seq + 1) & 0xffff;
      return -1;
    }
    this.badSeq = -1;
    const ext = this.maxIn + diff;
    if (ext <= this.floor) return -1;
    if (diff > 0) {
      this.maxIn = ext;
      this.foldOldDrops();
    }
    const below = this.droppedBelow(ext);
    if (below < 0) return -1; // this very input was dropped
    const out = this.outBase + (ext - this.inBase) - below;
    if (out > this.maxOut) this.maxOut = out;
    this.sentAny = true;
    return out & 0xffff;
  }

  /**
   * Marks input `seq` as not forwarded. Returns true when it was newer than
   * every input seen, so later outputs close the gap it leaves.
   */
  drop(seq: number): boolean {
    seq &= 0xffff;
    if (this.needSync) return false; // the next forwarded input resyncs anyway
    const diff = seqDiff16(seq, this.maxIn & 0xffff);
    if (diff <= 0) return false;
    if (diff > this.maxJump) {
      this.needSync = true;
      return true;
    }
    const ext = this.maxIn + diff;
    this.maxIn = ext;
    this.foldOldDrops();
    if (this.dropCount === this.dropped.length) this.foldOldest();
    this.dropped[(this.dropHead + this.dropCount) % this.dropped.length] = ext;
    this.dropCount++;
    return true;
  }

  private syncAt(seq: number): number {
    this.needSync = false;
    this.badSeq = -1;
    this.dropHead = 0;
    this.dropCount = 0;
    // Fresh unwrapped input space starting at seq; anything older is refused.
    this.maxIn = seq;
    this.inBase = seq;
    this.floor = seq - 1;
    this.maxOut++;
    this.outBase = this.maxOut;
    this.sentAny = true;
    return this.maxOut & 0xffff;
  }

  /** Folds drops that fell out of the reorder window: no input that old is accepted any more. */
  private foldOldDrops(): void {
    const limit = this.maxIn - this.maxReorder;
    while (this.dropCount > 0 && this.dropped[this.dropHead] < limit) this.foldOldest();
  }

  /** Forgets the oldest drop; exact for newer inputs, and older ones are refused from now on. */
  private foldOldest(): void {
    const d = this.dropped[this.dropHead];
    this.dropHead = (this.dropHead + 1) % this.dropped.length;
    this.dropCount--;
    this.outBase--;
    if (d > this.floor) this.floor = d;
  }

  /** Number of dropped inputs below `ext`, or -1 when `ext` itself was dropped. Binary search on the sorted ring. */
  private droppedBelow(ext: number): number {
    let lo = 0;
    let hi = this.dropCount;
    const cap = this.dropped.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dropped[(this.dropHead + mid) % cap] < ext) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.dropCount && this.dropped[(this.dropHead + lo) % cap] === ext) return -1;
    return lo;
  }
}
