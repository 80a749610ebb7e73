/**
 * The worker half of a Consumer (mediasoup's RTC::Consumer), the base of
 * every consumer kind. Per packet the router hands it (`sendRtpPacket`) it
 * decides whether to forward — paused, the kind's layer choice
 * (`selectLayer`: keyframe sync for a simple consumer, the spatial layer for
 * simulcast), the temporal layer — then rewrites the packet in place
 * (SSRC/PT/seq/timestamp, extension ids, VP8 picture id/TL0PICIDX), logs
 * what it rewrote (the producer's stream keeps the packet itself, once for
 * all its consumers), gives it to its transport to protect and send, and
 * puts the changed bytes back for the next consumer: the packet is not
 * copied. Handles the receiver's NACK (a rebuilt packet, RTX when
 * negotiated), PLI/FIR and RR.
 */
import {
  absSendTimeFromMs,
  createExtensionIdTable,
  RTP_EXTENSION_URI,
  RtpPacketView,
  RtpStreamRewriter,
  rttMsFromReport,
  writeAbsSendTime,
} from '@tsfu/rtp';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type {
  ConsumerDump,
  ConsumerLayers,
  ConsumerStat,
  ConsumerTraceEventType,
  ConsumerType,
  SimpleConsumerDump,
} from '../../types/consumer.js';
import type { ProducerStat } from '../../types/producer.js';
import type { MediaKind, RtpEncodingParameters, RtpParameters } from '../../types/rtp-parameters.js';
import { layerIndex } from '../bwe/bitrate-allocator.js';
import type { BweConsumer } from '../bwe/transport-bwe.js';
import type { Producer } from '../producer.js';
import { BitrateMeter } from '../rtp/bitrate-meter.js';
import { type RecvStream, scoreFromLoss } from '../rtp/recv-stream.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import { SentPacketLog } from '../rtp/sent-packet-log.js';
import { encodingDump, rtpParametersDump } from '../rtp-parameters-dump.js';
import { Retransmitter } from './retransmitter.js';
import { Vp8PictureIds } from './vp8-picture-ids.js';

export const logger = new ThreadLogger('Consumer');

/** What a consumer tells the transport it sends on (mediasoup's Consumer::Listener). */
export interface ConsumerListener {
  /** False while the transport cannot send (not connected): nothing is prepared then. */
  readonly canSend: boolean;
  /** Protects and sends `packet[0, length)` (forwarded media); false when it was dropped for testing. */
  onConsumerSendRtpPacket(consumer: Consumer, packet: Buffer, length: number): boolean;
  /** Protects and sends a retransmission (RTX, or the media packet again). */
  onConsumerRetransmitRtpPacket(consumer: Consumer, packet: Buffer, length: number): void;
  /** The producer closed: the transport forgets the consumer. */
  onConsumerProducerClosed(consumer: Consumer): void;
}

/** Extensions forwarded to consumers (ids remapped); the rest (mid, rid, transport-cc, …) are removed. */
const FORWARDED_EXTENSIONS = new Set<string>([
  RTP_EXTENSION_URI.audioLevel,
  RTP_EXTENSION_URI.videoOrientation,
  RTP_EXTENSION_URI.toffset,
  RTP_EXTENSION_URI.absSendTime,
  RTP_EXTENSION_URI.absCaptureTime,
  RTP_EXTENSION_URI.playoutDelay,
  // Kept in place so the transport can write its own transport-wide sequence number into it (BWE).
  RTP_EXTENSION_URI.transportWideCc,
]);

/**
 * Retransmission history per video consumer: the last 512 packets sent (1.5–3 s of a 1–2 Mbps stream —
 * NACKs older than that are not worth answering), as long as the producer's stream still keeps them.
 */
const SENT_LOG_SLOTS = 512;

// One view and one backup for every consumer of this thread: packets are handled one at a time.
const rewriteView = new RtpPacketView();
const backup = Buffer.allocUnsafe(65536);
/** The VP8 payload descriptor's longest form (X, I/L/T/K, 2-byte picture id, TL0PICIDX, TID/KEYIDX). */
const VP8_DESCRIPTOR_MAX_LENGTH = 6;
// Buffer#copy copies between any Uint8Arrays without allocating a subarray view.
const bufferCopy = Buffer.prototype.copy;

export interface ConsumerOptions {
  id: string;
  transportId: string;
  producer: Producer;
  rtpParameters: RtpParameters;
  paused: boolean;
  preferredLayers?: ConsumerLayers;
  ignoreDtx?: boolean;
  /** `consume({ pipe: true })` or a PipeTransport: a `PipeConsumer`. */
  pipe?: boolean;
  /** The producer's consumable encodings, for `dump()`. */
  consumableRtpEncodings?: RtpEncodingParameters[];
  listener: ConsumerListener;
  notify: NotifyMain;
}

export abstract class Consumer implements BweConsumer {
  readonly id: string;
  readonly transportId: string;
  readonly producer: Producer;
  abstract readonly type: ConsumerType;
  readonly kind: MediaKind;
  readonly rtpParameters: RtpParameters;
  readonly ssrc: number;
  readonly rtxSsrc: number;
  readonly rtxPayloadType: number;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly mimeType: string;
  protected readonly listener: ConsumerListener;
  protected readonly notify: NotifyMain;
  /** Router payload types this consumer's remote supports. */
  private readonly supportedPt = new Uint8Array(128);
  private readonly extTable: Uint8Array;
  private readonly absSendTimeId: number;
  /** The negotiated transport-cc element id (0: none): the transport stamps its sequence number there. */
  readonly transportCcExtId: number;
  /** Where the packet being sent carries the transport-cc value (-1: it has none), for the transport. */
  twccOffset = -1;
  /** Negotiated transport-cc or goog-remb: its transport estimates bandwidth and allocates layers. */
  readonly usesBwe: boolean;
  protected readonly rewriter: RtpStreamRewriter;
  /** What was sent, for NACKs (video with `nack` negotiated). */
  readonly sentLog: SentPacketLog | undefined;
  private readonly retransmitter: Retransmitter;
  paused: boolean;
  producerPaused: boolean;
  priority = 1;
  // Layers: every kind has temporal layers; simulcast/SVC have spatial ones too.
  readonly spatialLayers: number;
  readonly temporalLayers: number;
  preferredSpatial: number;
  preferredTemporal: number;
  currentTemporal = -1;
  /** Seq/timestamp continue across a source switch (the rewriter); VP8 picture ids too (this). */
  protected readonly pictureIds = new Vp8PictureIds();
  /** Output timestamp minus input timestamp of the last packet sent (for SR NTP↔RTP mapping). */
  tsOffset = 0;
  lastSentAtMs = 0;
  // Stats.
  packetCount = 0;
  byteCount = 0;
  readonly bitrate = new BitrateMeter();
  packetsRetransmitted = 0;
  packetsDiscarded = 0;
  nackCount = 0;
  nackPacketCount = 0;
  pliCount = 0;
  firCount = 0;
  packetsLost = 0;
  fractionLost = 0;
  jitter = 0;
  roundTripTime = 0;
  score = 10;
  traceEventTypes: ConsumerTraceEventType[] = [];
  closed = false;
  /** Counted in its producer's `transportCcSlotUsers` (uncounted when its transport forgets it). */
  usesTransportCcSlot = false;
  /** mediasoup's `ignoreDtx`: drop opus DTX packets (payload ≤ 2 bytes: comfort noise / silence). */
  readonly ignoreDtx: boolean;
  readonly pipe: boolean;
  private readonly consumableRtpEncodings: RtpEncodingParameters[];

  constructor(o: ConsumerOptions) {
    this.id = o.id;
    this.transportId = o.transportId;
    this.producer = o.producer;
    this.listener = o.listener;
    this.notify = o.notify;
    this.kind = o.producer.kind;
    this.rtpParameters = o.rtpParameters;
    this.paused = o.paused;
    this.producerPaused = o.producer.paused;
    this.ignoreDtx = o.ignoreDtx === true;
    this.pipe = o.pipe === true;
    this.consumableRtpEncodings = o.consumableRtpEncodings ?? [];
    const enc = o.rtpParameters.encodings?.[0] ?? {};
    this.ssrc = (enc.ssrc ?? 0) >>> 0;
    this.rtxSsrc = (enc.rtx?.ssrc ?? 0) >>> 0;
    const codecs = o.rtpParameters.codecs;
    const media = codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
    if (!media) throw new TypeError('no media codec in rtpParameters');
    this.payloadType = media.payloadType;
    this.clockRate = media.clockRate;
    this.mimeType = media.mimeType;
    const rtx = codecs.find(
      (c) => /\/rtx$/i.test(c.mimeType) && Number(c.parameters?.apt) === media.payloadType,
    );
    this.rtxPayloadType = rtx && this.rtxSsrc !== 0 ? rtx.payloadType : -1;
    for (const c of codecs) if (!/\/rtx$/i.test(c.mimeType)) this.supportedPt[c.payloadType & 0x7f] = 1;
    const pairs: Array<[number, number]> = [];
    let absId = 0;
    let twccId = 0;
    for (const ce of o.rtpParameters.headerExtensions ?? []) {
      if (ce.uri === RTP_EXTENSION_URI.transportWideCc) twccId = ce.id;
      const forwarded =
        FORWARDED_EXTENSIONS.has(ce.uri) ||
        (ce.uri === RTP_EXTENSION_URI.dependencyDescriptor && this.forwardsDependencyDescriptor);
      if (!forwarded) continue;
      const pe = o.producer.rtpParameters.headerExtensions?.find((e) => e.uri === ce.uri);
      if (pe) pairs.push([pe.id, ce.id]);
      // The room the receiving transport made for it in packets of a producer without transport-cc.
      else if (ce.uri === RTP_EXTENSION_URI.transportWideCc && o.producer.transportCcSlotId !== 0) {
        pairs.push([o.producer.transportCcSlotId, ce.id]);
        o.producer.transportCcSlotUsers++;
        this.usesTransportCcSlot = true;
      }
      if (ce.uri === RTP_EXTENSION_URI.absSendTime) absId = ce.id;
    }
    this.extTable = createExtensionIdTable(pairs);
    this.absSendTimeId = absId;
    this.transportCcExtId = twccId;
    const fbTypes = (media.rtcpFeedback ?? []).map((f) => f.type);
    this.usesBwe =
      (twccId !== 0 && fbTypes.includes('transport-cc')) || (absId !== 0 && fbTypes.includes('goog-remb'));
    this.retransmitter = new Retransmitter({
      ssrc: this.ssrc,
      rtxPayloadType: this.rtxPayloadType,
      rtxSsrc: this.rtxSsrc,
      extTable: this.extTable,
      absSendTimeId: absId,
    });
    this.rewriter = new RtpStreamRewriter({ ssrc: this.ssrc, clockRate: this.clockRate });
    const useNack = (media.rtcpFeedback ?? []).some((f) => f.type === 'nack' && !f.parameter);
    this.sentLog = useNack && this.kind === 'video' ? new SentPacketLog(SENT_LOG_SLOTS) : undefined;
    const sm = /^[LS](\d+)T(\d+)/.exec(enc.scalabilityMode ?? '');
    this.spatialLayers = sm ? Number(sm[1]) : 1;
    this.temporalLayers = sm ? Number(sm[2]) : 1;
    this.preferredSpatial = Math.min(
      o.preferredLayers?.spatialLayer ?? this.spatialLayers - 1,
      this.spatialLayers - 1,
    );
    this.preferredTemporal = Math.min(
      o.preferredLayers?.temporalLayer ?? this.temporalLayers - 1,
      this.temporalLayers - 1,
    );
    this.currentTemporal = this.preferredTemporal;
  }

  get active(): boolean {
    return !this.paused && !this.producerPaused && !this.closed;
  }

  /** The layers the app prefers (undefined for a simple consumer). */
  get preferredLayers(): ConsumerLayers | undefined {
    return { spatialLayer: this.preferredSpatial, temporalLayer: this.preferredTemporal };
  }

  /** The layers being forwarded (undefined for a simple consumer, or before the first). */
  abstract get currentLayers(): ConsumerLayers | undefined;

  /** The producer stream this consumer forwards now (for stats, scores, SR and keyframe requests). */
  abstract get forwardedStream(): RecvStream | undefined;

  /**
   * The kind's layer choice for one packet of `stream`: true to go on and
   * forward it. May switch layers (at a keyframe) and ask for keyframes.
   */
  protected abstract selectLayer(stream: RecvStream, packet: RtpPacket, nowMs: number): boolean;

  /**
   * Forwards one packet of the producer's `stream` (`mappedPt` is its router
   * payload type). `packet` is left as it was, for the next consumer.
   */
  sendRtpPacket(stream: RecvStream, packet: RtpPacket, mappedPt: number, nowMs: number): void {
    if (!this.active || !this.listener.canSend) return;
    if (this.supportedPt[mappedPt] === 0) return;
    if (!this.selectLayer(stream, packet, nowMs)) return;
    if (
      packet.payloadLength === 0 ||
      (this.ignoreDtx && this.kind === 'audio' && packet.payloadLength <= 2)
    ) {
      // Padding only (probing), or a DTX packet the app asked to skip: not forwarded, no gap left.
      this.rewriter.drop(packet);
      return;
    }
    if (!this.passesTemporalLayer(packet)) return;
    const buf = packet.data;
    const n = packet.length;
    const inSeq = packet.sequenceNumber;
    const inTs = packet.timestamp;
    const vp8 = this.rewritesPictureIds ? packet.vp8Descriptor : undefined;
    const log = this.sentLog;
    // The producer's stream keeps the packet as it came, once for all its consumers.
    if (log !== undefined) stream.keepForRetransmission(inSeq, buf, n);
    // Rewritten in place for this consumer and put back for the next: only the header (SSRC, seq,
    // timestamp, PT, extension ids, abs-send-time) and the VP8 descriptor's first bytes change.
    const changed = Math.min(n, packet.payloadOffset + VP8_DESCRIPTOR_MAX_LENGTH);
    bufferCopy.call(buf, backup, 0, 0, changed);
    const v = rewriteView;
    if (!v.wrap(buf, n)) return;
    if (!this.rewriter.rewrite(v, nowMs)) {
      bufferCopy.call(backup, buf, 0, 0, changed);
      this.packetsDiscarded++;
      return;
    }
    v.payloadType = mappedPt;
    v.remapExtensions(this.extTable);
    this.twccOffset = -1;
    if (this.transportCcExtId !== 0) {
      const i = v.findExtension(this.transportCcExtId);
      if (i >= 0 && v.extensionValueLengths[i] === 2) this.twccOffset = v.extensionValueOffsets[i];
    }
    if (this.absSendTimeId !== 0) {
      const i = v.findExtension(this.absSendTimeId);
      if (i >= 0 && v.extensionValueLengths[i] === 3) {
        writeAbsSendTime(buf, v.extensionValueOffsets[i], absSendTimeFromMs(nowMs));
      }
    }
    let pictureId = -1;
    let tl0PicIdx = -1;
    if (vp8 !== undefined) {
      this.pictureIds.rewrite(vp8, buf, v.payloadOffset);
      pictureId = this.pictureIds.writtenPictureId;
      tl0PicIdx = this.pictureIds.writtenTl0PicIdx;
    }
    this.tsOffset = (v.timestamp - inTs) >>> 0;
    if (log !== undefined) {
      log.record(v.sequenceNumber, stream.encodingIdx, inSeq, v.timestamp, mappedPt, pictureId, tl0PicIdx);
    }
    this.packetCount++;
    this.byteCount += n;
    this.bitrate.add(n, nowMs);
    this.lastSentAtMs = nowMs;
    if (this.listener.onConsumerSendRtpPacket(this, buf, n) && this.traceEventTypes.length > 0) {
      this.traceRtp(v, packet.isKeyFrame);
    }
    bufferCopy.call(backup, buf, 0, 0, changed);
  }

  /**
   * Whether the AV1 dependency descriptor goes out as it came: only where the frames keep the
   * producer's numbering (one stream, `SvcConsumer`); a switch between simulcast streams would
   * jump its frame numbers and template structure.
   */
  protected get forwardsDependencyDescriptor(): boolean {
    return false;
  }

  /** VP8 picture ids and TL0PICIDX continue across source switches and dropped temporal layers. */
  protected get rewritesPictureIds(): boolean {
    return this.temporalLayers > 1;
  }

  /** The temporal layer to forward: the preferred one (simulcast/SVC: capped by the bandwidth allocation). */
  protected get targetTemporal(): number {
    return this.preferredTemporal;
  }

  /**
   * Temporal layers: drops what is above the current one; goes down at the next frame, up at a
   * keyframe (to the target) or at a layer sync frame (to its layer). Only at a frame's first packet:
   * a frame cut after its first packets never completes, and the picture id its rest gives back
   * would go to the next frame too (two frames with one picture id stalled Chromium's VP8 decoder).
   */
  protected passesTemporalLayer(packet: RtpPacket): boolean {
    if (this.temporalLayers <= 1) return true;
    const tid = packet.temporalLayer;
    if (tid < 0) return true;
    const target = this.targetTemporal;
    if (this.currentTemporal !== target && packet.isFrameStart) {
      if (target < this.currentTemporal || packet.isKeyFrame) {
        this.currentTemporal = target;
        this.notifyLayers();
      } else if (packet.isLayerSync && tid > this.currentTemporal && tid <= target) {
        this.currentTemporal = tid;
        this.notifyLayers();
      }
    }
    if (tid <= this.currentTemporal) return true;
    this.rewriter.drop(packet);
    // Close the picture id gap too (as mediasoup's VP8 encoding context does).
    const vp8 = packet.vp8Descriptor;
    if (vp8 !== undefined && vp8.pictureId >= 0) this.pictureIds.drop(vp8.pictureId);
    return false;
  }

  private traceRtp(v: RtpPacketView, isKeyFrame: boolean): void {
    const type = this.traceEventTypes.includes('rtp')
      ? 'rtp'
      : isKeyFrame && this.traceEventTypes.includes('keyframe')
        ? 'keyframe'
        : '';
    if (type) {
      this.trace(type, 'out', {
        ssrc: v.ssrc,
        payloadType: v.payloadType,
        sequenceNumber: v.sequenceNumber,
        timestamp: v.timestamp,
        isKeyFrame,
      });
    }
  }

  protected trace(
    type: ConsumerTraceEventType,
    direction: 'in' | 'out',
    info: Record<string, unknown>,
  ): void {
    this.notify('consumer.trace', this.id, { type, timestamp: Date.now(), direction, info });
  }

  protected notifyLayers(): void {
    if (logger.debugTagEnabled('simulcast')) {
      const l = this.currentLayers;
      const layers = l ? `spatial:${l.spatialLayer}, temporal:${l.temporalLayer}` : 'none';
      logger.debugTag(
        'simulcast',
        `notifyLayers() | current layers changed [consumerId:${this.id}, ${layers}]`,
      );
    }
    this.notify('consumer.layerschange', this.id, this.currentLayers ?? null);
  }

  /** mediasoup's `setPreferredLayers()` (a simple consumer has none and ignores it). */
  setPreferredLayers(layers: ConsumerLayers, _nowMs: number): void {
    this.storePreferredLayers(layers);
  }

  /** Keeps `layers`, each clamped to what the stream has. */
  protected storePreferredLayers(layers: ConsumerLayers): void {
    this.preferredSpatial = Math.max(0, Math.min(layers.spatialLayer, this.spatialLayers - 1));
    this.preferredTemporal = Math.max(
      0,
      Math.min(layers.temporalLayer ?? this.temporalLayers - 1, this.temporalLayers - 1),
    );
  }

  /** The stream this consumer syncs on next (the target layer while switching). */
  protected get syncStream(): RecvStream | undefined {
    return this.forwardedStream;
  }

  /** The stream a receiver's PLI/FIR goes to (the forwarded layer, else the target). */
  protected get pliStream(): RecvStream | undefined {
    return this.forwardedStream;
  }

  /** Sync on the next keyframe (start, resume, producer resume), asking the producer for one. */
  requestKeyFrame(nowMs: number): void {
    if (this.kind !== 'video') return;
    const s = this.syncStream;
    if (s) {
      s.lastKeyFrameRequestAtMs = -Infinity;
      this.producer.requestKeyFrame(s, nowMs);
    }
  }

  /** Resumed (consumer or producer): seq/timestamp continue; video waits for a keyframe. */
  abstract onResumed(nowMs: number): void;

  /**
   * Bitrates of the (spatial, temporal) layers the allocation may give it (simulcast, SVC), by
   * `layerIndex`; undefined: it takes what it sends.
   */
  bweLayerBitrates(_nowMs: number): number[] | undefined {
    return undefined;
  }

  /** The highest layer (`layerIndex`) the transport's bandwidth allocation gives it (-1: no limit). */
  setBweLayer(_layer: number, _nowMs: number): void {}

  /** The layer (`layerIndex`) it forwards now, for the allocation (-1: none). */
  get bweCurrentLayer(): number {
    const l = this.currentLayers;
    return l ? layerIndex(l.spatialLayer, Math.max(0, l.temporalLayer ?? 0), this.temporalLayers) : -1;
  }

  /** Called every ~500 ms by the transport: the kind re-checks its layers (simulcast). */
  updateLayers(_nowMs: number): void {}

  pause(): void {
    this.paused = true;
  }

  resume(nowMs: number): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.active) this.onResumed(nowMs);
  }

  /** The producer paused or resumed (the router tells every consumer of it). */
  setProducerPaused(paused: boolean, nowMs: number): void {
    this.producerPaused = paused;
    this.notify(paused ? 'consumer.producerpause' : 'consumer.producerresume', this.id);
    if (!paused && this.active) this.onResumed(nowMs);
  }

  /** The producer closed: the main thread's Consumer closes, the transport forgets this one. */
  producerClosed(): void {
    this.notify('consumer.producerclose', this.id);
    this.listener.onConsumerProducerClosed(this);
  }

  /** Every SSRC it sends with (media, RTX): the transport routes RTCP about them here. */
  get ssrcs(): number[] {
    return this.rtxSsrc ? [this.ssrc, this.rtxSsrc] : [this.ssrc];
  }

  /** A NACK from the receiver (about `_ssrc`): retransmit what is still kept (as RTX when negotiated). */
  onNack(pid: number, blp: number, nowMs: number, _ssrc?: number): void {
    this.nackCount++;
    if (this.traceEventTypes.includes('nack')) this.trace('nack', 'in', { pid, blp });
    const log = this.sentLog;
    for (let k = -1; k < 16; k++) {
      if (k >= 0 && (blp & (1 << k)) === 0) continue;
      const seq = (pid + k + 1) & 0xffff;
      this.nackPacketCount++;
      if (!log) continue;
      const i = log.find(seq);
      if (i < 0) continue;
      // A retransmission is not repeated within one RTT (the previous copy may still be on its way).
      if (nowMs - log.lastResentAt(i) < Math.max(10, this.roundTripTime)) continue;
      const n = this.retransmitter.rebuild(this.producer.streams, log, i, seq, nowMs);
      if (n < 0) continue;
      log.markResent(i, nowMs);
      this.packetsRetransmitted++;
      if (n > 0) this.listener.onConsumerRetransmitRtpPacket(this, this.retransmitter.buffer, n);
    }
  }

  /** A report block about our stream from the receiver's RR/SR. */
  onReportBlock(
    fractionLost: number,
    packetsLost: number,
    jitter: number,
    lsr: number,
    dlsr: number,
    nowCompact: number,
  ): void {
    this.fractionLost = fractionLost;
    this.packetsLost = packetsLost;
    this.jitter = jitter;
    const rtt = rttMsFromReport(nowCompact, lsr, dlsr);
    if (rtt >= 0) this.roundTripTime = rtt;
    const score = scoreFromLoss(fractionLost / 256);
    if (score !== this.score) {
      if (logger.debugTagEnabled('score')) {
        logger.debugTag('score', `onReportBlock() | score changed [consumerId:${this.id}, score:${score}]`);
      }
      this.score = score;
      this.notifyScore();
    }
  }

  notifyScore(): void {
    this.notify('consumer.score', this.id, {
      score: this.score,
      producerScore: this.producerScore,
      producerScores: this.producer.streams.map((s) => s.score),
    });
  }

  get producerScore(): number {
    return this.forwardedStream?.score ?? 0;
  }

  /** PLI/FIR from the receiver (about `_ssrc`): forwarded to the producer (throttled there). */
  onKeyFrameRequest(isFir: boolean, nowMs: number, _ssrc?: number): void {
    if (isFir) this.firCount++;
    else this.pliCount++;
    const type = isFir ? 'fir' : 'pli';
    if (logger.debugTagEnabled('rtcp')) {
      logger.debugTag('rtcp', `onKeyFrameRequest() | ${type.toUpperCase()} received [consumerId:${this.id}]`);
    }
    if (this.traceEventTypes.includes(type)) this.trace(type, 'in', { ssrc: this.ssrc });
    if (!this.active) return;
    const s = this.pliStream;
    if (s) this.producer.requestKeyFrame(s, nowMs);
  }

  /** The RTP timestamp of this stream at wall time `nowMs` (for our SR), or -1 when unknown. */
  rtpTimestampAt(nowMs: number): number {
    if (this.packetCount === 0) return -1;
    const s = this.forwardedStream;
    if (s?.hasSr) {
      // The producer's SR maps its NTP clock to its RTP clock; carry that over through our offset.
      const inTs = s.srRtpTimestamp + ((nowMs - s.srReceivedAtMs) * this.clockRate) / 1000;
      return (Math.round(inTs) + this.tsOffset) >>> 0;
    }
    return (
      (this.rewriter.lastTimestamp + Math.round(((nowMs - this.lastSentAtMs) * this.clockRate) / 1000)) >>> 0
    );
  }

  /** The consumer's `outbound-rtp` entry, then the producer stream's `inbound-rtp` it forwards. */
  getStats(): Array<ConsumerStat | ProducerStat> {
    const sent: ConsumerStat = {
      type: 'outbound-rtp',
      timestamp: Date.now(),
      ssrc: this.ssrc,
      ...(this.rtxSsrc ? { rtxSsrc: this.rtxSsrc } : {}),
      kind: this.kind,
      mimeType: this.mimeType,
      packetsLost: this.packetsLost,
      fractionLost: this.fractionLost,
      jitter: this.jitter,
      packetsDiscarded: this.packetsDiscarded,
      packetsRetransmitted: this.packetsRetransmitted,
      packetsRepaired: 0,
      nackCount: this.nackCount,
      nackPacketCount: this.nackPacketCount,
      pliCount: this.pliCount,
      firCount: this.firCount,
      roundTripTime: this.roundTripTime,
      score: this.score,
      packetCount: this.packetCount,
      byteCount: this.byteCount,
      bitrate: this.bitrate.rate(performance.now()),
    };
    // The producer's stream exists (in mediasoup) once RTP arrived on it.
    const s = this.forwardedStream;
    return s && s.packetCount > 0 ? [sent, s.getStats()] : [sent];
  }

  /** mediasoup's consumer dump (the kinds with layers add theirs). */
  dump(): ConsumerDump {
    return this.baseDump();
  }

  protected baseDump(): SimpleConsumerDump {
    return {
      id: this.id,
      producerId: this.producer.id,
      kind: this.kind,
      type: this.pipe ? 'pipe' : this.type,
      rtpParameters: rtpParametersDump(this.rtpParameters),
      consumableRtpEncodings: this.consumableRtpEncodings.map((e) => encodingDump(e)),
      supportedCodecPayloadTypes: this.rtpParameters.codecs
        .filter((x) => !/\/rtx$/i.test(x.mimeType))
        .map((x) => x.payloadType),
      traceEventTypes: [...this.traceEventTypes],
      paused: this.paused,
      producerPaused: this.producerPaused,
      priority: this.priority,
      rtpStream: {
        params: {
          encodingIdx: 0,
          ssrc: this.ssrc,
          payloadType: this.payloadType,
          mimeType: this.mimeType,
          clockRate: this.clockRate,
          cname: this.rtpParameters.rtcp?.cname ?? '',
          ...(this.rtxSsrc ? { rtxSsrc: this.rtxSsrc, rtxPayloadType: this.rtxPayloadType } : {}),
          useNack: this.sentLog !== undefined,
          usePli: true,
          useFir: false,
          useInBandFec: false,
          useDtx: false,
          spatialLayers: this.spatialLayers,
          temporalLayers: this.temporalLayers,
        },
        score: this.score,
      },
    };
  }
}
