/**
 * The packets of one producer stream, kept for retransmission on NACK (RFC
 * 4585 §6.2.1): a fixed ring of MTU-sized slots indexed by the producer's
 * sequence number, allocated on the first packet a NACK-capable consumer
 * forwards. It is shared by every consumer of the stream (each keeps only a
 * `SentPacketLog` of what it rewrote), so memory grows with producers, not
 * with consumers — as mediasoup shares one stored copy among its consumers.
 * Storing is one copy per producer packet; nothing is allocated per packet.
 */
export const RETRANSMISSION_SLOT_SIZE = 1500;

export class RetransmissionBuffer {
  readonly slots: number;
  private readonly data: Buffer;
  private readonly lengths: Uint16Array;
  /** Sequence number held by each slot, -1 when empty. */
  private readonly seqs: Int32Array;

  constructor(slots = 1024) {
    this.slots = slots;
    this.data = Buffer.alloc(slots * RETRANSMISSION_SLOT_SIZE);
    this.lengths = new Uint16Array(slots);
    this.seqs = new Int32Array(slots).fill(-1);
  }

  /** Bytes this buffer holds (for memory accounting). */
  get byteLength(): number {
    return this.data.length + this.slots * (2 + 4);
  }

  /** Stores `packet[0, length)` under `seq`; packets larger than a slot are not stored. */
  store(seq: number, packet: Uint8Array, length: number): void {
    const i = seq % this.slots;
    if (length > RETRANSMISSION_SLOT_SIZE) {
      this.seqs[i] = -1;
      return;
    }
    this.data.set(packet.subarray(0, length), i * RETRANSMISSION_SLOT_SIZE);
    this.lengths[i] = length;
    this.seqs[i] = seq;
  }

  /** Slot index of `seq`, or -1 when it is not (or no longer) held. */
  find(seq: number): number {
    const i = seq % this.slots;
    return this.seqs[i] === seq ? i : -1;
  }

  /** Copies the stored packet of slot `i` into `dst`; returns its length, or -1 when it does not fit. */
  copyPacket(i: number, dst: Uint8Array): number {
    const n = this.lengths[i];
    if (n > dst.length) return -1;
    const o = i * RETRANSMISSION_SLOT_SIZE;
    this.data.copy(dst, 0, o, o + n);
    return n;
  }

  clear(): void {
    this.seqs.fill(-1);
  }
}
