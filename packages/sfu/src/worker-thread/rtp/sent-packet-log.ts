/**
 * What a consumer sent, per outgoing sequence number, so that a NACKed packet
 * can be rebuilt instead of kept: which producer packet it was (encoding index
 * and the producer's sequence number, whose bytes the producer's stream keeps
 * once for all its consumers in a `RetransmissionBuffer`) and the values this
 * consumer rewrote in it (timestamp, payload type, VP8 picture id / TL0PICIDX).
 * Everything else a consumer changes (SSRC, extension ids) is fixed per
 * consumer. 26 bytes per slot instead of a 1500-byte copy; nothing is
 * allocated per packet.
 */
export class SentPacketLog {
  readonly slots: number;
  /** Outgoing sequence number held by each slot, -1 when empty. */
  private readonly seqs: Int32Array;
  private readonly encodingIdx: Uint8Array;
  private readonly sourceSeqs: Uint16Array;
  private readonly timestamps: Uint32Array;
  private readonly payloadTypes: Uint8Array;
  /** Rewritten VP8 picture id and TL0PICIDX, -1 when left as the producer sent them. */
  private readonly pictureIds: Int32Array;
  private readonly tl0PicIdxs: Int16Array;
  /** When the packet was last resent (-Infinity: never), ms. */
  private readonly resentAt: Float64Array;

  constructor(slots = 512) {
    this.slots = slots;
    this.seqs = new Int32Array(slots).fill(-1);
    this.encodingIdx = new Uint8Array(slots);
    this.sourceSeqs = new Uint16Array(slots);
    this.timestamps = new Uint32Array(slots);
    this.payloadTypes = new Uint8Array(slots);
    this.pictureIds = new Int32Array(slots);
    this.tl0PicIdxs = new Int16Array(slots);
    this.resentAt = new Float64Array(slots);
  }

  /** Bytes this log holds (for memory accounting). */
  get byteLength(): number {
    return this.slots * (4 + 1 + 2 + 4 + 1 + 4 + 2 + 8);
  }

  record(
    seq: number,
    encodingIdx: number,
    sourceSeq: number,
    timestamp: number,
    payloadType: number,
    pictureId: number,
    tl0PicIdx: number,
  ): void {
    const i = seq % this.slots;
    this.seqs[i] = seq;
    this.encodingIdx[i] = encodingIdx;
    this.sourceSeqs[i] = sourceSeq;
    this.timestamps[i] = timestamp;
    this.payloadTypes[i] = payloadType;
    this.pictureIds[i] = pictureId;
    this.tl0PicIdxs[i] = tl0PicIdx;
    this.resentAt[i] = Number.NEGATIVE_INFINITY;
  }

  /** Slot index of `seq`, or -1 when it is not (or no longer) logged. */
  find(seq: number): number {
    const i = seq % this.slots;
    return this.seqs[i] === seq ? i : -1;
  }

  encodingOf(i: number): number {
    return this.encodingIdx[i];
  }

  sourceSeqOf(i: number): number {
    return this.sourceSeqs[i];
  }

  timestampOf(i: number): number {
    return this.timestamps[i];
  }

  payloadTypeOf(i: number): number {
    return this.payloadTypes[i];
  }

  pictureIdOf(i: number): number {
    return this.pictureIds[i];
  }

  tl0PicIdxOf(i: number): number {
    return this.tl0PicIdxs[i];
  }

  /** When slot `i` was last retransmitted (-Infinity: never). */
  lastResentAt(i: number): number {
    return this.resentAt[i];
  }

  markResent(i: number, nowMs: number): void {
    this.resentAt[i] = nowMs;
  }

  clear(): void {
    this.seqs.fill(-1);
  }
}
