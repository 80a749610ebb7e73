/**
 * One incoming RTP stream of a producer (one encoding): its identity (SSRC,
 * RID, RTX), RFC 3550 receive statistics, loss tracking for NACKs, the last
 * sender report (for LSR/DLSR and the NTP↔RTP mapping consumers carry over),
 * keyframe-request throttling and a score.
 */
import { compactNtp, type RtcpReportBlock, RtpReceiveStats, SeqUpdate, unixMsFromNtp } from '@tsfu/rtp';
import type { ProducerStat } from '../../types/producer.js';
import { BitrateMeter } from './bitrate-meter.js';
import { NackGenerator } from './nack-generator.js';
import { RetransmissionBuffer } from './retransmission-buffer.js';

/** Producer packets kept per stream for consumers' retransmissions (≈3 s of 150 pkts/s video). */
export const RETRANSMISSION_SLOTS = 512;

export class RecvStream {
  ssrc: number;
  readonly rid: string | undefined;
  rtxSsrc: number | undefined;
  readonly mappedSsrc: number;
  readonly encodingIdx: number;
  readonly clockRate: number;
  readonly mimeType: string;
  readonly kind: 'audio' | 'video';
  readonly stats = new RtpReceiveStats();
  readonly nack = new NackGenerator();
  readonly bitrate = new BitrateMeter();
  /** What arrives of each temporal layer alone (video whose payload descriptor says), for the allocation. */
  private readonly temporalBitrates: BitrateMeter[] = [];
  /** Whether NACKs may be sent for this stream (the producer negotiated `nack`). */
  readonly useNack: boolean;
  /** This stream's packets for consumers' retransmissions; created by the first consumer that needs it. */
  retransmissionBuffer: RetransmissionBuffer | undefined;
  packetCount = 0;
  byteCount = 0;
  rtxPacketCount = 0;
  rtxPacketsDiscarded = 0;
  packetsDiscarded = 0;
  nackCount = 0;
  nackPacketCount = 0;
  pliCount = 0;
  firCount = 0;
  keyFrames = 0;
  lastPacketAtMs = 0;
  lastKeyFrameRequestAtMs = -Infinity;
  firSeqNr = 0;
  score = 0;
  /** Fraction lost in our last report block, 8-bit fixed point (0..255) as mediasoup reports it. */
  lastFractionLost = 0;
  /** Last SR from the sender: its NTP time (ms, Unix epoch), RTP timestamp, compact NTP and arrival. */
  srNtpMs = 0;
  srRtpTimestamp = 0;
  srCompactNtp = 0;
  srReceivedAtMs = 0;
  hasSr = false;
  /** Packets lost / expected at the previous score update. */
  private scoreExpectedPrior = 0;
  private scoreReceivedPrior = 0;
  private jitterClockOrigin = performance.now();

  constructor(opts: {
    ssrc: number;
    rid?: string;
    rtxSsrc?: number;
    mappedSsrc: number;
    encodingIdx: number;
    clockRate: number;
    mimeType: string;
    kind: 'audio' | 'video';
    useNack: boolean;
  }) {
    this.ssrc = opts.ssrc;
    this.rid = opts.rid;
    this.rtxSsrc = opts.rtxSsrc;
    this.mappedSsrc = opts.mappedSsrc;
    this.encodingIdx = opts.encodingIdx;
    this.clockRate = opts.clockRate;
    this.mimeType = opts.mimeType;
    this.kind = opts.kind;
    this.useNack = opts.useNack;
  }

  /**
   * Accounts one packet (after RTX unwrapping). Returns false when it must not
   * be forwarded (probation or a bad jump, RFC 3550 A.1). `nack` reports an
   * overflow of the loss list (the caller requests a keyframe).
   */
  receive(seq: number, timestamp: number, bytes: number, isKeyFrame: boolean, nowMs: number): SeqUpdate {
    const u = this.stats.update(seq);
    this.packetCount++;
    this.byteCount += bytes;
    this.bitrate.add(bytes, nowMs);
    this.lastPacketAtMs = nowMs;
    if (isKeyFrame) this.keyFrames++;
    if (u === SeqUpdate.Valid) {
      this.stats.updateJitter(
        timestamp,
        Math.floor(((nowMs - this.jitterClockOrigin) * this.clockRate) / 1000),
      );
    }
    return u;
  }

  /**
   * Keeps `packet[0, length)` (sequence number `seq`) for retransmission,
   * once however many consumers forward it.
   */
  keepForRetransmission(seq: number, packet: Uint8Array, length: number): void {
    let b = this.retransmissionBuffer;
    if (b === undefined) {
      b = new RetransmissionBuffer(RETRANSMISSION_SLOTS);
      this.retransmissionBuffer = b;
    }
    if (b.find(seq) < 0) b.store(seq, packet, length);
  }

  /** Whether a keyframe request may go out now (at most once per `delayMs`); records it if so. */
  takeKeyFrameRequest(nowMs: number, delayMs: number): boolean {
    if (nowMs - this.lastKeyFrameRequestAtMs < delayMs) return false;
    this.lastKeyFrameRequestAtMs = nowMs;
    return true;
  }

  onSenderReport(ntp: bigint, rtpTimestamp: number, nowMs: number): void {
    this.srNtpMs = unixMsFromNtp(ntp);
    this.srRtpTimestamp = rtpTimestamp >>> 0;
    this.srCompactNtp = compactNtp(ntp);
    this.srReceivedAtMs = nowMs;
    this.hasSr = true;
  }

  /** A report block for our RR toward the sender (advances the fraction-lost interval). */
  takeReportBlock(nowMs: number): RtcpReportBlock {
    const dlsr = this.hasSr ? Math.floor(((nowMs - this.srReceivedAtMs) * 65536) / 1000) : 0;
    const block = this.stats.takeReportBlock(this.ssrc, this.hasSr ? this.srCompactNtp : 0, dlsr);
    this.lastFractionLost = block.fractionLost;
    return block;
  }

  /** Recomputes the 0..10 score from the loss since the previous call; true when it changed. */
  updateScore(nowMs: number): boolean {
    const expected = this.stats.expected;
    const received = this.stats.received;
    const ei = expected - this.scoreExpectedPrior;
    const ri = received - this.scoreReceivedPrior;
    this.scoreExpectedPrior = expected;
    this.scoreReceivedPrior = received;
    let score: number;
    if (this.packetCount === 0 || nowMs - this.lastPacketAtMs > 2000) score = 0;
    else if (ei <= 0) score = this.score === 0 ? 10 : this.score;
    else score = scoreFromLoss(Math.max(0, ei - ri) / ei);
    const changed = score !== this.score;
    this.score = score;
    return changed;
  }

  /** mediasoup's `inbound-rtp` stats entry of this stream. */
  getStats(): ProducerStat {
    return {
      type: 'inbound-rtp',
      timestamp: Date.now(),
      ssrc: this.ssrc,
      ...(this.rtxSsrc ? { rtxSsrc: this.rtxSsrc } : {}),
      ...(this.rid !== undefined ? { rid: this.rid } : {}),
      kind: this.kind,
      mimeType: this.mimeType,
      packetsLost: Math.max(0, this.stats.lost),
      fractionLost: this.lastFractionLost,
      jitter: this.stats.jitter,
      packetsDiscarded: this.packetsDiscarded,
      packetsRetransmitted: 0,
      packetsRepaired: this.nack.recovered,
      nackCount: this.nackCount,
      nackPacketCount: this.nackPacketCount,
      pliCount: this.pliCount,
      firCount: this.firCount,
      ...(this.rtxSsrc ? { rtxPacketsDiscarded: this.rtxPacketsDiscarded } : {}),
      score: this.score,
      packetCount: this.packetCount,
      byteCount: this.byteCount,
      bitrate: this.bitrate.rate(performance.now()),
      bitrateByLayer: this.bitrateByLayer(performance.now()),
    };
  }

  /**
   * mediasoup's `bitrateByLayer`: `"0.t"` → the bitrate of temporal layers 0…t (cumulative, as mediasoup
   * reports it); empty when the packets say no temporal layer. VP9 spatial layers are not metered apart.
   */
  private bitrateByLayer(nowMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    let sum = 0;
    for (let t = 0; t < this.temporalBitrates.length; t++) {
      sum += this.temporalBitrates[t].rate(nowMs);
      out[`0.${t}`] = sum;
    }
    return out;
  }

  /** Accounts a packet of temporal layer `tid` (its meter is made on the layer's first packet). */
  countTemporalLayer(tid: number, bytes: number, nowMs: number): void {
    if (tid < 0 || tid > 7) return;
    let m = this.temporalBitrates[tid];
    if (m === undefined) {
      for (let i = this.temporalBitrates.length; i <= tid; i++)
        this.temporalBitrates.push(new BitrateMeter());
      m = this.temporalBitrates[tid];
    }
    m.add(bytes, nowMs);
  }

  /** The bitrate of temporal layer `tid` alone; 0 if none of it came. */
  temporalRate(tid: number, nowMs: number): number {
    const m = this.temporalBitrates[tid];
    return m === undefined ? 0 : m.rate(nowMs);
  }

  /** Whether packets said their temporal layer (else `temporalRate` knows nothing). */
  get hasTemporalLayers(): boolean {
    return this.temporalBitrates.length > 0;
  }

  /** Active: a packet arrived recently. */
  isActive(nowMs: number): boolean {
    return this.packetCount > 0 && nowMs - this.lastPacketAtMs < 1500;
  }
}

/** mediasoup-like score: 10 without loss, down by one per 2 % lost. */
export function scoreFromLoss(fraction: number): number {
  if (!(fraction > 0)) return 10;
  return Math.max(0, 10 - Math.ceil(fraction * 50));
}
