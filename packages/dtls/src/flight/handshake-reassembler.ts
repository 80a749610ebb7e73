import type { HandshakeHeader } from '../handshake/handshake-header.js';

/** A whole handshake message put back together from its fragments. */
export interface AssembledMessage {
  type: number;
  messageSeq: number;
  body: Buffer;
  /** Epoch of the records that carried it (Finished must come under epoch 1). */
  epoch: number;
}

interface Partial {
  type: number;
  epoch: number;
  body: Buffer;
  /** Received byte ranges as sorted, merged [start, end) pairs. */
  ranges: number[];
  complete: boolean;
}

export type AcceptResult = 'accepted' | 'old' | 'dropped';

/**
 * Handshake reassembly (RFC 6347 §4.2.3): fragments of any size, in any
 * order, duplicated or overlapping. Memory is bounded: messages may be at
 * most `maxMessageLength`, only `window` sequence numbers ahead of the next
 * expected one are buffered, and the total is capped.
 */
export class HandshakeReassembler {
  /** Messages below this sequence number were consumed; their fragments are "old". */
  minSeq = 0;
  private readonly messages = new Map<number, Partial>();
  private buffered = 0;

  constructor(
    private readonly maxMessageLength = 32 * 1024,
    private readonly window = 16,
    private readonly maxBufferedBytes = 128 * 1024,
  ) {}

  accept(h: HandshakeHeader, fragment: Uint8Array, epoch: number): AcceptResult {
    if (h.messageSeq < this.minSeq) return 'old';
    if (h.messageSeq >= this.minSeq + this.window || h.length > this.maxMessageLength) return 'dropped';
    let m = this.messages.get(h.messageSeq);
    if (!m) {
      if (this.buffered + h.length > this.maxBufferedBytes) return 'dropped';
      m = { type: h.type, epoch, body: Buffer.alloc(h.length), ranges: [], complete: false };
      this.messages.set(h.messageSeq, m);
      this.buffered += h.length;
    } else if (m.type !== h.type || m.body.length !== h.length) {
      return 'dropped';
    }
    if (m.complete) return 'accepted';
    m.body.set(fragment.subarray(0, h.fragmentLength), h.fragmentOffset);
    m.epoch = Math.max(m.epoch, epoch);
    this.addRange(m, h.fragmentOffset, h.fragmentOffset + h.fragmentLength);
    return 'accepted';
  }

  private addRange(m: Partial, start: number, end: number): void {
    const r = m.ranges;
    r.push(start, end);
    // sort pairs by start, then merge overlapping/adjacent ones
    const pairs: [number, number][] = [];
    for (let i = 0; i < r.length; i += 2) pairs.push([r[i], r[i + 1]]);
    pairs.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [s, e] of pairs) {
      const n = merged.length;
      if (n > 0 && s <= merged[n - 1]) merged[n - 1] = Math.max(merged[n - 1], e);
      else merged.push(s, e);
    }
    m.ranges = merged;
    m.complete = merged.length === 2 && merged[0] === 0 && merged[1] === m.body.length;
  }

  /** The complete message with this sequence number, if any. */
  get(seq: number): AssembledMessage | undefined {
    const m = this.messages.get(seq);
    if (!m?.complete) return undefined;
    return { type: m.type, messageSeq: seq, body: m.body, epoch: m.epoch };
  }

  /** Lowest-numbered complete message at or above `minSeq`. */
  lowestComplete(): AssembledMessage | undefined {
    let best = -1;
    for (const [seq, m] of this.messages) if (m.complete && (best < 0 || seq < best)) best = seq;
    return best < 0 ? undefined : this.get(best);
  }

  /** Forgets everything up to and including `seq`. */
  consumeThrough(seq: number): void {
    for (const [s, m] of this.messages) {
      if (s <= seq) {
        this.buffered -= m.body.length;
        this.messages.delete(s);
      }
    }
    this.minSeq = Math.max(this.minSeq, seq + 1);
  }

  /** Bytes currently held for partial and complete messages. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  get size(): number {
    return this.messages.size;
  }
}
