/**
 * A pipe consumer (mediasoup's PipeConsumer): forwards every stream of its
 * producer (all simulcast encodings, or the one SVC stream) to a
 * PipeTransport that joins two routers, with no layer choice and no keyframe
 * sync. Each stream leaves with the SSRC of the consumer's encoding of the
 * same index (`getPipeConsumerRtpParameters`), the router payload type and
 * the consumer's extension ids; sequence numbers and timestamps stay the
 * producer's, so the far producer sees the streams as they were sent and a
 * NACK names the producer's own sequence numbers. A NACK is answered from the
 * producer stream's kept packets (RTX when `enableRtx`); a PLI/FIR goes to the
 * producer stream its SSRC names.
 */
import { createExtensionIdTable, RtpPacketView, wrapRtx } from '@tsfu/rtp';
import type { ConsumerLayers, ConsumerStat, SimpleConsumerDump } from '../../types/consumer.js';
import type { ProducerStat } from '../../types/producer.js';
import type { RecvStream } from '../rtp/recv-stream.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import { Consumer, type ConsumerOptions } from './consumer.js';

// One view, backup and retransmission buffers for every pipe consumer of this thread (one packet at a time).
const view = new RtpPacketView();
const headerBackup = Buffer.allocUnsafe(65536);
const rebuilt = Buffer.allocUnsafe(65536);
const rtxOut = Buffer.allocUnsafe(65536);
const bufferCopy = Buffer.prototype.copy;

export class PipeConsumer extends Consumer {
  readonly type = 'pipe';
  /** The SSRC each producer stream leaves with, by encoding index; and its RTX SSRC (0: none). */
  private readonly streamSsrcs: number[];
  private readonly streamRtxSsrcs: number[];
  /** Router media payload type → RTX payload type (-1: no RTX). */
  private readonly rtxPtOf = new Int16Array(128).fill(-1);
  private readonly pipeExtTable: Uint8Array;
  private readonly keepsForNack: boolean;
  private readonly rtxSeqs: number[];
  /** Per stream (encoding index): what `getStats()` reports for each SSRC. */
  private readonly perStream: {
    packets: Float64Array;
    bytes: Float64Array;
    nacks: Float64Array;
    nackPackets: Float64Array;
    retransmitted: Float64Array;
    plis: Float64Array;
    firs: Float64Array;
  };

  constructor(o: ConsumerOptions) {
    super({ ...o, pipe: true });
    const encodings = o.rtpParameters.encodings ?? [];
    this.streamSsrcs = encodings.map((e) => (e.ssrc ?? 0) >>> 0);
    this.streamRtxSsrcs = encodings.map((e) => (e.rtx?.ssrc ?? 0) >>> 0);
    this.rtxSeqs = encodings.map(() => Math.floor(Math.random() * 0x10000));
    const n = encodings.length;
    this.perStream = {
      packets: new Float64Array(n),
      bytes: new Float64Array(n),
      nacks: new Float64Array(n),
      nackPackets: new Float64Array(n),
      retransmitted: new Float64Array(n),
      plis: new Float64Array(n),
      firs: new Float64Array(n),
    };
    for (const c of o.rtpParameters.codecs) {
      if (!/\/rtx$/i.test(c.mimeType)) continue;
      const apt = Number(c.parameters?.apt);
      if (Number.isInteger(apt)) this.rtxPtOf[apt & 0x7f] = c.payloadType;
    }
    const pairs: Array<[number, number]> = [];
    for (const ce of o.rtpParameters.headerExtensions ?? []) {
      const pe = o.producer.rtpParameters.headerExtensions?.find((e) => e.uri === ce.uri);
      if (pe) pairs.push([pe.id, ce.id]);
    }
    this.pipeExtTable = createExtensionIdTable(pairs);
    const media = o.rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
    this.keepsForNack =
      this.kind === 'video' && (media?.rtcpFeedback ?? []).some((f) => f.type === 'nack' && !f.parameter);
  }

  /** Every SSRC it sends with (media and RTX): RTCP about any of them is its. */
  override get ssrcs(): number[] {
    return [...this.streamSsrcs, ...this.streamRtxSsrcs].filter((s) => s !== 0);
  }

  override get preferredLayers(): ConsumerLayers | undefined {
    return undefined;
  }

  get currentLayers(): ConsumerLayers | undefined {
    return undefined;
  }

  get forwardedStream(): RecvStream | undefined {
    return this.producer.streams[0];
  }

  override setPreferredLayers(_layers: ConsumerLayers, _nowMs: number): void {
    // A pipe consumer forwards every layer (as mediasoup's).
  }

  protected selectLayer(): boolean {
    return true;
  }

  override sendRtpPacket(stream: RecvStream, packet: RtpPacket, mappedPt: number, nowMs: number): void {
    if (!this.active || !this.listener.canSend) return;
    const ssrc = this.streamSsrcs[stream.encodingIdx];
    if (ssrc === undefined || packet.payloadLength === 0) return;
    const buf = packet.data;
    const n = packet.length;
    if (this.keepsForNack) stream.keepForRetransmission(packet.sequenceNumber, buf, n);
    // Only the header changes (SSRC, payload type, extension ids): rewritten in place, put back after.
    const h = packet.payloadOffset;
    bufferCopy.call(buf, headerBackup, 0, 0, h);
    if (!view.wrap(buf, n)) return;
    view.ssrc = ssrc;
    view.payloadType = mappedPt;
    view.remapExtensions(this.pipeExtTable);
    this.packetCount++;
    this.byteCount += n;
    this.perStream.packets[stream.encodingIdx]++;
    this.perStream.bytes[stream.encodingIdx] += n;
    this.bitrate.add(n, nowMs);
    this.lastSentAtMs = nowMs;
    this.listener.onConsumerSendRtpPacket(this, buf, n);
    bufferCopy.call(headerBackup, buf, 0, 0, h);
  }

  /** The encoding index whose media or RTX SSRC is `ssrc`, -1 when none. */
  private encodingOfSsrc(ssrc: number): number {
    const i = this.streamSsrcs.indexOf(ssrc);
    return i >= 0 ? i : this.streamRtxSsrcs.indexOf(ssrc);
  }

  /** A NACK about the stream `ssrc` names: its packets again, from the producer stream's kept copies. */
  override onNack(pid: number, blp: number, nowMs: number, ssrc = this.ssrc): void {
    this.nackCount++;
    const idx = this.encodingOfSsrc(ssrc);
    if (idx >= 0) this.perStream.nacks[idx]++;
    const kept = this.producer.streams[idx]?.retransmissionBuffer;
    for (let k = -1; k < 16; k++) {
      if (k >= 0 && (blp & (1 << k)) === 0) continue;
      this.nackPacketCount++;
      if (idx >= 0) this.perStream.nackPackets[idx]++;
      if (kept === undefined) continue;
      const j = kept.find((pid + k + 1) & 0xffff);
      if (j < 0) continue;
      const n = this.rebuild(idx, kept.copyPacket(j, rebuilt));
      if (n <= 0) continue;
      this.packetsRetransmitted++;
      this.perStream.retransmitted[idx]++;
      this.listener.onConsumerRetransmitRtpPacket(this, rtxOut, n);
    }
    void nowMs;
  }

  /** The kept producer packet in `rebuilt[0, n)` as this consumer sends it, RTX-wrapped into `rtxOut`. */
  private rebuild(idx: number, n: number): number {
    if (n < 0 || !view.wrap(rebuilt, n)) return -1;
    const mappedPt = this.producer.ptMap[view.payloadType];
    if (mappedPt < 0) return -1;
    view.ssrc = this.streamSsrcs[idx];
    view.payloadType = mappedPt;
    view.remapExtensions(this.pipeExtTable);
    const rtxPt = this.rtxPtOf[mappedPt];
    const rtxSsrc = this.streamRtxSsrcs[idx];
    if (rtxPt < 0 || rtxSsrc === 0) {
      bufferCopy.call(rebuilt, rtxOut, 0, 0, n);
      return n;
    }
    this.rtxSeqs[idx] = (this.rtxSeqs[idx] + 1) & 0xffff;
    return wrapRtx(view, rtxOut, rtxPt, rtxSsrc, this.rtxSeqs[idx]);
  }

  /** PLI/FIR from the far router: a keyframe of the stream its SSRC names. */
  override onKeyFrameRequest(isFir: boolean, nowMs: number, ssrc = this.ssrc): void {
    if (isFir) this.firCount++;
    else this.pliCount++;
    const idx = this.encodingOfSsrc(ssrc);
    if (idx >= 0) (isFir ? this.perStream.firs : this.perStream.plis)[idx]++;
    if (!this.active) return;
    const s = this.producer.streams[idx];
    if (s) this.producer.requestKeyFrame(s, nowMs);
  }

  /** Resumed: the far consumers need a keyframe of every stream. */
  onResumed(nowMs: number): void {
    if (this.kind !== 'video') return;
    for (const s of this.producer.streams) {
      s.lastKeyFrameRequestAtMs = -Infinity;
      this.producer.requestKeyFrame(s, nowMs);
    }
  }

  override requestKeyFrame(nowMs: number): void {
    this.onResumed(nowMs);
  }

  /**
   * One `outbound-rtp` entry per stream it forwards (as mediasoup's pipe consumer): packets, bytes, NACKs,
   * retransmissions and keyframe requests are the stream's own; loss, jitter, RTT, score and bitrate are
   * the consumer's (from the far end's reports about its first SSRC).
   */
  override getStats(): Array<ConsumerStat | ProducerStat> {
    const [first] = super.getStats() as ConsumerStat[];
    const p = this.perStream;
    return this.streamSsrcs.map((ssrc, i) => ({
      ...first,
      ssrc,
      ...(this.streamRtxSsrcs[i] ? { rtxSsrc: this.streamRtxSsrcs[i] } : {}),
      packetCount: p.packets[i],
      byteCount: p.bytes[i],
      nackCount: p.nacks[i],
      nackPacketCount: p.nackPackets[i],
      packetsRetransmitted: p.retransmitted[i],
      pliCount: p.plis[i],
      firCount: p.firs[i],
    }));
  }

  override dump(): SimpleConsumerDump & { rtpStreams: SimpleConsumerDump['rtpStream'][] } {
    const base = this.baseDump();
    return {
      ...base,
      rtpStreams: this.streamSsrcs.map((ssrc, i) => ({
        ...base.rtpStream,
        params: {
          ...base.rtpStream.params,
          encodingIdx: i,
          ssrc,
          ...(this.streamRtxSsrcs[i] ? { rtxSsrc: this.streamRtxSsrcs[i] } : {}),
        },
      })),
    };
  }
}
