/**
 * Receiver-side loss tracking for one incoming stream (RFC 4585 §6.2.1):
 * sequence numbers missing after a jump are NACKed on a timer, each at most
 * `maxRetries` times and not more often than `retryIntervalMs`; a keyframe
 * makes older losses moot (give up on them), and too long a list is cleared
 * (the caller asks for a keyframe instead). Allocates only when packets are
 * lost, never per packet received.
 */
import { isSeqNewer16 } from '@tsfu/rtp';

export const NACK_MAX_RETRIES = 10;
export const NACK_MAX_LIST = 1000;
/** Losses further back than this (in packets) are not worth asking for. */
export const NACK_MAX_AGE_PACKETS = 10000;

interface Missing {
  retries: number;
  /** When last NACKed (-Infinity: never). */
  sentAtMs: number;
}

export class NackGenerator {
  private started = false;
  private highest = 0;
  private readonly missing = new Map<number, Missing>();
  /** Losses recovered by a retransmission (or late arrival). */
  recovered = 0;
  /** Losses given up after `maxRetries`, a keyframe or an overflow. */
  givenUp = 0;
  retryIntervalMs = 20;

  constructor(readonly maxRetries = NACK_MAX_RETRIES) {}

  get size(): number {
    return this.missing.size;
  }

  /** Whether `seq` is a loss still waiting for its retransmission. */
  isMissing(seq: number): boolean {
    return this.missing.has(seq);
  }

  /**
   * Feeds a received sequence number; returns false when the list overflowed
   * (it is cleared: request a keyframe).
   */
  onPacket(seq: number, isKeyFrame: boolean): boolean {
    if (!this.started) {
      this.started = true;
      this.highest = seq;
      return true;
    }
    if (isSeqNewer16(seq, this.highest)) {
      const gap = (seq - this.highest - 1) & 0xffff;
      if (gap > 0) {
        if (gap + this.missing.size > NACK_MAX_LIST) {
          this.givenUp += this.missing.size + gap;
          this.missing.clear();
          this.highest = seq;
          return false;
        }
        for (let s = (this.highest + 1) & 0xffff; s !== seq; s = (s + 1) & 0xffff) {
          this.missing.set(s, { retries: 0, sentAtMs: Number.NEGATIVE_INFINITY });
        }
      }
      this.highest = seq;
    } else if (this.missing.delete(seq)) {
      this.recovered++;
    }
    if (isKeyFrame && this.missing.size > 0) {
      // Losses before a keyframe no longer matter to the decoder.
      for (const s of this.missing.keys()) {
        if (isSeqNewer16(seq, s)) {
          this.missing.delete(s);
          this.givenUp++;
        }
      }
    }
    return true;
  }

  /** Sequence numbers to NACK now (advances their retry counters), or undefined. */
  due(nowMs: number): number[] | undefined {
    if (this.missing.size === 0) return undefined;
    let out: number[] | undefined;
    for (const [seq, m] of this.missing) {
      if (nowMs - m.sentAtMs < this.retryIntervalMs) continue;
      if (m.retries >= this.maxRetries) {
        this.missing.delete(seq);
        this.givenUp++;
        continue;
      }
      m.retries++;
      m.sentAtMs = nowMs;
      if (!out) out = [];
      out.push(seq);
    }
    return out;
  }

  reset(): void {
    this.started = false;
    this.missing.clear();
  }
}
