/**
 * Rewrites one consumer's outgoing RTP stream in place: sequence numbers
 * through a `SeqNumMapper`, timestamps by an offset chosen at each source
 * switch so the output clock keeps advancing with wall time, and the
 * consumer's SSRC (and payload type when it differs). This is what a consumer
 * calls per packet — mediasoup's RtpStreamSend + SeqManager in one object.
 */
import type { RtpPacketView } from './rtp-packet-view.js';
import { isSeqNewer32 } from './seq-arith.js';
import { SeqNumMapper, type SeqNumMapperOptions } from './seq-num-mapper.js';

export interface RtpStreamRewriterOptions extends SeqNumMapperOptions {
  /** SSRC written into every outgoing packet. */
  ssrc: number;
  /** RTP clock rate of the codec, Hz (e.g. 90000 for video). */
  clockRate: number;
  /** Payload type written into every packet; undefined keeps the input's. */
  payloadType?: number;
  /** First output timestamp (default: random, as RFC 3550 asks). */
  initialTimestamp?: number;
}

export class RtpStreamRewriter {
  readonly seq: SeqNumMapper;
  ssrc: number;
  payloadType: number | undefined;
  readonly clockRate: number;
  private tsOffset = 0;
  private switchPending = true;
  private started = false;
  private readonly initialTimestamp: number;
  /** Highest output timestamp sent and the wall time (ms) it was sent at. */
  private lastTs = 0;
  private lastTsAtMs = 0;

  constructor(opts: RtpStreamRewriterOptions) {
    this.seq = new SeqNumMapper(opts);
    this.ssrc = opts.ssrc >>> 0;
    this.payloadType = opts.payloadType;
    this.clockRate = opts.clockRate;
    this.initialTimestamp = (opts.initialTimestamp ?? Math.floor(Math.random() * 0x100000000)) >>> 0;
  }

  /** Highest output timestamp sent so far. */
  get lastTimestamp(): number {
    return this.lastTs;
  }

  /**
   * The next packet comes from another source (simulcast switch), or the
   * stream resumes after a pause: its sequence number continues right after
   * the last one sent, and its timestamp after the last one plus the wall
   * time elapsed since. Call it before forwarding that packet (ideally a keyframe).
   */
  switchSource(): void {
    this.switchPending = true;
    this.seq.resync();
  }

  /** The consumer will not forward this input packet (e.g. a dropped temporal layer). */
  drop(packet: RtpPacketView): void {
    this.seq.drop(packet.sequenceNumber);
  }

  /**
   * Rewrites `packet` in place for this consumer. Returns false when it must
   * not be sent (too old, or from before the current source took over).
   * `nowMs` is the wall clock in ms (e.g. `performance.now()`), used only to
   * place the timestamps of a new source.
   */
  rewrite(packet: RtpPacketView, nowMs: number): boolean {
    const out = this.seq.map(packet.sequenceNumber);
    if (out < 0) return false;
    const ts = packet.timestamp;
    if (this.switchPending) {
      this.switchPending = false;
      let next = this.initialTimestamp;
      if (this.started) {
        const elapsed = Math.max(0, nowMs - this.lastTsAtMs);
        // At least one tick, so the first frame of the new source is a new frame.
        next = (this.lastTs + Math.max(1, Math.round((elapsed * this.clockRate) / 1000))) >>> 0;
      }
      this.tsOffset = (next - ts) >>> 0;
    }
    const outTs = (ts + this.tsOffset) >>> 0;
    if (!this.started || isSeqNewer32(outTs, this.lastTs)) {
      this.lastTs = outTs;
      this.lastTsAtMs = nowMs;
    }
    this.started = true;
    packet.sequenceNumber = out;
    packet.timestamp = outTs;
    packet.ssrc = this.ssrc;
    if (this.payloadType !== undefined) packet.payloadType = this.payloadType;
    return true;
  }
}
