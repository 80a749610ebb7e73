/**
 * What this transport sent, indexed by transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): send time, size and
 * probe cluster, so that a transport-cc feedback can be matched to its
 * packets. A ring of typed arrays: recording allocates nothing.
 */
const SLOTS = 8192;

export class SentPacketHistory {
  /** Extended (never-wrapping) sequence number held by each slot, -1 when empty. */
  private readonly seqs = new Float64Array(SLOTS).fill(-1);
  private readonly sendTimes = new Float64Array(SLOTS);
  private readonly sizes = new Uint16Array(SLOTS);
  private readonly clusters = new Int32Array(SLOTS);
  /** The next extended sequence number to hand out. */
  private nextSeq = 0;

  /** Records a packet about to be sent; returns its 16-bit transport sequence number. */
  record(size: number, nowMs: number, probeCluster = -1): number {
    const seq = this.nextSeq++;
    const i = seq % SLOTS;
    this.seqs[i] = seq;
    this.sendTimes[i] = nowMs;
    this.sizes[i] = Math.min(size, 0xffff);
    this.clusters[i] = probeCluster;
    return seq & 0xffff;
  }

  /** The extended sequence number of a 16-bit one, as near as possible to the last sent. */
  unwrap(seq16: number): number {
    const last = this.nextSeq - 1;
    let d = (seq16 - (last & 0xffff)) & 0xffff;
    if (d >= 0x8000) d -= 0x10000;
    return last + d;
  }

  /** Slot of extended `seq`, or -1 when it was never sent or is no longer kept. */
  find(seq: number): number {
    if (seq < 0) return -1;
    const i = seq % SLOTS;
    return this.seqs[i] === seq ? i : -1;
  }

  sendTimeOf(i: number): number {
    return this.sendTimes[i];
  }

  sizeOf(i: number): number {
    return this.sizes[i];
  }

  clusterOf(i: number): number {
    return this.clusters[i];
  }

  /** Each packet is reported once: a later feedback repeating it is ignored. */
  forget(i: number): void {
    this.seqs[i] = -1;
  }
}
