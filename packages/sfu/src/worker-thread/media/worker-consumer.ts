/**
 * The worker half of a Consumer: per packet it decides whether to forward
 * (pause, keyframe sync, simulcast layer, temporal layer), copies the
 * producer's packet into a reused buffer, rewrites SSRC/PT/seq/timestamp,
 * extension ids and (simulcast VP8) picture id/TL0PICIDX, logs what it
 * rewrote (the producer's stream keeps the packet itself, once for all its
 * consumers) and hands it to its transport to protect and send.
 * Handles the receiver's NACK (a rebuilt packet, RTX when negotiated),
 * PLI/FIR and RR.
 */
import {
  absSendTimeFromMs,
  createExtensionIdTable,
  RtpPacketView,
  RtpStreamRewriter,
  rttMsFromReport,
  Vp8Descriptor,
  wrapRtx,
  writeAbsSendTime,
} from '@tsfu/rtp';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { ConsumerLayers, ConsumerTraceEventType } from '../../types/consumer.js';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { BitrateMeter } from './bitrate-meter.js';
import type { RecvStream } from './recv-stream.js';
import { scoreFromLoss } from './recv-stream.js';
import { SentPacketLog } from './sent-packet-log.js';
import { EXT_URI, type WorkerProducer } from './worker-producer.js';

const logger = new ThreadLogger('Consumer');

/** What the consumer needs from its transport. */
export interface ConsumerTransport {
  /** Protects and sends `packet[0, length)`; false when it cannot be sent (not connected). */
  sendRtp(packet: Uint8Array, length: number, isRtx: boolean): boolean;
  readonly canSend: boolean;
  notify: NotifyMain;
  /** Test-only: drop this outgoing packet (loss injection). */
  shouldDropForTesting(): boolean;
}

/** Extensions forwarded to consumers (ids remapped); the rest (mid, rid, transport-cc, …) are removed. */
const FORWARDED_EXTENSIONS = new Set<string>([
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'urn:3gpp:video-orientation',
  'urn:ietf:params:rtp-hdrext:toffset',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
  'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
]);

/**
 * Retransmission history per video consumer: the last 512 packets sent (1.5–3 s of a 1–2 Mbps stream —
 * NACKs older than that are not worth answering), as long as the producer's stream still keeps them.
 */
const SENT_LOG_SLOTS = 512;

// One scratch buffer and view for every consumer of this thread: packets are handled one at a time.
const work = Buffer.allocUnsafe(65536);
const workView = new RtpPacketView();
const rtxOut = Buffer.allocUnsafe(65536);
const resendView = new RtpPacketView();
const resendVp8 = new Vp8Descriptor();

export interface WorkerConsumerOptions {
  id: string;
  producer: WorkerProducer;
  transport: ConsumerTransport;
  rtpParameters: RtpParameters;
  paused: boolean;
  preferredLayers?: ConsumerLayers;
  ignoreDtx?: boolean;
}

export class WorkerConsumer {
  readonly id: string;
  readonly producer: WorkerProducer;
  readonly transport: ConsumerTransport;
  readonly kind: 'audio' | 'video';
  readonly type: 'simple' | 'simulcast' | 'svc';
  readonly rtpParameters: RtpParameters;
  readonly ssrc: number;
  readonly rtxSsrc: number;
  readonly rtxPayloadType: number;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly mimeType: string;
  /** Router payload types this consumer's remote supports. */
  private readonly supportedPt = new Uint8Array(128);
  private readonly extTable: Uint8Array;
  private readonly absSendTimeId: number;
  readonly rewriter: RtpStreamRewriter;
  /** What was sent, for NACKs (video with `nack` negotiated). */
  readonly sentLog: SentPacketLog | undefined;
  private rtxSeq = Math.floor(Math.random() * 0x10000);
  paused: boolean;
  producerPaused: boolean;
  priority = 1;
  private syncRequired = true;
  // Layers (simulcast/svc).
  readonly spatialLayers: number;
  readonly temporalLayers: number;
  preferredSpatial: number;
  preferredTemporal: number;
  targetSpatial = -1;
  currentSpatial = -1;
  currentTemporal = -1;
  private pictureIdOffset = 0;
  // What rewriteVp8 wrote into the packet being forwarded (-1: nothing), for the sent log.
  private writtenPictureId = -1;
  private writtenTl0PicIdx = -1;
  private tl0Offset = 0;
  private lastPictureId = -1;
  private lastTl0 = -1;
  private pictureIdResync = false;
  private lastDroppedPictureId = -1;
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
  droppedForTesting = 0;
  traceEventTypes: ConsumerTraceEventType[] = [];
  closed = false;
  /** mediasoup's `ignoreDtx`: drop opus DTX packets (payload ≤ 2 bytes: comfort noise / silence). */
  readonly ignoreDtx: boolean;

  constructor(o: WorkerConsumerOptions) {
    this.id = o.id;
    this.producer = o.producer;
    this.transport = o.transport;
    this.kind = o.producer.kind;
    this.rtpParameters = o.rtpParameters;
    this.paused = o.paused;
    this.producerPaused = o.producer.paused;
    this.ignoreDtx = o.ignoreDtx === true;
    const enc = o.rtpParameters.encodings?.[0] ?? {};
    this.ssrc = (enc.ssrc ?? 0) >>> 0;
    this.rtxSsrc = (enc.rtx?.ssrc ?? 0) >>> 0;
    const codecs = o.rtpParameters.codecs;
    const media = codecs.find((c) => !/\/rtx$/i.test(c.mimeType))!;
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
    for (const ce of o.rtpParameters.headerExtensions ?? []) {
      if (!FORWARDED_EXTENSIONS.has(ce.uri)) continue;
      const pe = o.producer.rtpParameters.headerExtensions?.find((e) => e.uri === ce.uri);
      if (pe) pairs.push([pe.id, ce.id]);
      if (ce.uri === EXT_URI.absSendTime) absId = ce.id;
    }
    this.extTable = createExtensionIdTable(pairs);
    this.absSendTimeId = absId;
    this.rewriter = new RtpStreamRewriter({ ssrc: this.ssrc, clockRate: this.clockRate });
    const useNack = (media.rtcpFeedback ?? []).some((f) => f.type === 'nack' && !f.parameter);
    this.sentLog = useNack && this.kind === 'video' ? new SentPacketLog(SENT_LOG_SLOTS) : undefined;
    const sm = /^[LS](\d+)T(\d+)/.exec(enc.scalabilityMode ?? '');
    this.spatialLayers = sm ? Number(sm[1]) : 1;
    this.temporalLayers = sm ? Number(sm[2]) : 1;
    this.type = o.producer.type;
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

  get preferredLayers(): ConsumerLayers | undefined {
    if (this.type === 'simple') return undefined;
    return { spatialLayer: this.preferredSpatial, temporalLayer: this.preferredTemporal };
  }

  get currentLayers(): ConsumerLayers | undefined {
    if (this.type === 'simple' || this.currentSpatial < 0) return undefined;
    return { spatialLayer: this.currentSpatial, temporalLayer: this.currentTemporal };
  }

  /**
   * Forwards one packet of `stream` (the producer's view `p`, not modified;
   * `mappedPt` is the router payload type). The producer already ran `inspect(p)`.
   */
  forward(stream: RecvStream, p: RtpPacketView, mappedPt: number, nowMs: number): void {
    if (!this.active || !this.transport.canSend) return;
    if (this.supportedPt[mappedPt] === 0) return;
    const producer = this.producer;
    if (this.type === 'simulcast') {
      if (stream.encodingIdx !== this.currentSpatial) {
        if (this.targetSpatial < 0) this.updateTargetLayer(nowMs);
        if (stream.encodingIdx !== this.targetSpatial) return;
        if (!producer.isKeyFrame) {
          producer.requestKeyFrame(stream, nowMs);
          return;
        }
        // Switch at this keyframe: seq and timestamp continue, picture ids continue.
        this.currentSpatial = stream.encodingIdx;
        this.rewriter.switchSource();
        this.pictureIdResync = true;
        this.syncRequired = false;
        this.notifyLayers();
      }
    } else if (this.syncRequired) {
      if (this.kind === 'video' && !producer.isKeyFrame) {
        producer.requestKeyFrame(stream, nowMs);
        return;
      }
      this.syncRequired = false;
      this.rewriter.switchSource();
      this.pictureIdResync = true;
    }
    if (p.payloadLength === 0 || (this.ignoreDtx && this.kind === 'audio' && p.payloadLength <= 2)) {
      // Padding only (probing), or a DTX packet the app asked to skip: not forwarded, no gap left.
      this.rewriter.drop(p);
      return;
    }
    // Temporal layers: drop what is above the current one; go up at a layer sync or keyframe.
    const tid = producer.tid;
    if (tid >= 0 && this.temporalLayers > 1) {
      if (this.currentTemporal !== this.preferredTemporal) {
        if (this.preferredTemporal < this.currentTemporal) {
          this.currentTemporal = this.preferredTemporal;
          this.notifyLayers();
        } else if (producer.isKeyFrame || (producer.layerSync && tid <= this.preferredTemporal)) {
          this.currentTemporal = this.preferredTemporal;
          this.notifyLayers();
        }
      }
      if (tid > this.currentTemporal) {
        this.rewriter.drop(p);
        // Close the picture id gap too (as mediasoup's VP8 encoding context does).
        if (producer.hasVp8Descriptor && producer.vp8.pictureId >= 0)
          this.dropPictureId(producer.vp8.pictureId);
        return;
      }
    }
    const n = p.copyTo(work);
    const v = workView;
    if (n < 0 || !v.wrap(work, n)) return;
    const inTs = p.timestamp;
    if (!this.rewriter.rewrite(v, nowMs)) {
      this.packetsDiscarded++;
      return;
    }
    v.payloadType = mappedPt;
    v.remapExtensions(this.extTable);
    if (this.absSendTimeId !== 0) {
      const i = v.findExtension(this.absSendTimeId);
      if (i >= 0 && v.extensionValueLengths[i] === 3) {
        writeAbsSendTime(work, v.extensionValueOffsets[i], absSendTimeFromMs(nowMs));
      }
    }
    this.writtenPictureId = -1;
    this.writtenTl0PicIdx = -1;
    if (producer.hasVp8Descriptor && (this.type === 'simulcast' || this.temporalLayers > 1))
      this.rewriteVp8(v);
    this.tsOffset = (v.timestamp - inTs) >>> 0;
    const seq = v.sequenceNumber;
    const log = this.sentLog;
    if (log !== undefined) {
      stream.keepForRetransmission(p.sequenceNumber, p.buffer, p.length);
      log.record(
        seq,
        stream.encodingIdx,
        p.sequenceNumber,
        v.timestamp,
        mappedPt,
        this.writtenPictureId,
        this.writtenTl0PicIdx,
      );
    }
    this.packetCount++;
    this.byteCount += n;
    this.bitrate.add(n, nowMs);
    this.lastSentAtMs = nowMs;
    if (this.transport.shouldDropForTesting()) {
      this.droppedForTesting++;
      return;
    }
    this.transport.sendRtp(work, n, false);
    if (this.traceEventTypes.length > 0) this.traceRtp(v, producer.isKeyFrame);
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

  private trace(type: ConsumerTraceEventType, direction: 'in' | 'out', info: Record<string, unknown>): void {
    this.transport.notify('consumer.trace', this.id, { type, timestamp: Date.now(), direction, info });
  }

  /** A dropped frame's picture id: later ones move down by one (once per picture, not per packet). */
  private dropPictureId(pictureId: number): void {
    if (pictureId === this.lastDroppedPictureId) return;
    this.lastDroppedPictureId = pictureId;
    this.pictureIdOffset = (this.pictureIdOffset + 0x7fff) & 0x7fff;
  }

  private rewriteVp8(v: RtpPacketView): void {
    const d = this.producer.vp8;
    const off = v.payloadOffset;
    if (d.pictureId >= 0) {
      const mod = d.pictureIdBits === 15 ? 0x8000 : 0x80;
      if (this.pictureIdResync) {
        this.pictureIdOffset =
          this.lastPictureId < 0 ? 0 : (this.lastPictureId + 1 - d.pictureId + mod) % mod;
        if (d.tl0PicIdx >= 0)
          this.tl0Offset = this.lastTl0 < 0 ? 0 : (this.lastTl0 + 1 - d.tl0PicIdx + 256) & 0xff;
        this.pictureIdResync = false;
      }
      const pid = (d.pictureId + this.pictureIdOffset) % mod;
      d.setPictureId(work, off, pid);
      this.lastPictureId = pid;
      this.writtenPictureId = pid;
    }
    if (d.tl0PicIdx >= 0) {
      const tl0 = (d.tl0PicIdx + this.tl0Offset) & 0xff;
      d.setTl0PicIdx(work, off, tl0);
      this.lastTl0 = tl0;
      this.writtenTl0PicIdx = tl0;
    }
  }

  /** Picks the spatial layer to forward: the preferred one if active, else the best lower, else the lowest higher. */
  updateTargetLayer(nowMs: number): void {
    if (this.type !== 'simulcast') return;
    const streams = this.producer.streams;
    let target = -1;
    for (let i = Math.min(this.preferredSpatial, streams.length - 1); i >= 0; i--) {
      if (streams[i].isActive(nowMs)) {
        target = i;
        break;
      }
    }
    if (target < 0) {
      for (let i = this.preferredSpatial + 1; i < streams.length; i++) {
        if (streams[i].isActive(nowMs)) {
          target = i;
          break;
        }
      }
    }
    this.targetSpatial = target;
    if (target >= 0 && target !== this.currentSpatial && this.active) {
      this.producer.requestKeyFrame(streams[target], nowMs);
    }
  }

  private notifyLayers(): void {
    if (logger.debugTagEnabled('simulcast')) {
      const l = this.currentLayers;
      const layers = l ? `spatial:${l.spatialLayer}, temporal:${l.temporalLayer}` : 'none';
      logger.debugTag(
        'simulcast',
        `notifyLayers() | current layers changed [consumerId:${this.id}, ${layers}]`,
      );
    }
    this.transport.notify('consumer.layerschange', this.id, this.currentLayers ?? null);
  }

  setPreferredLayers(layers: ConsumerLayers, nowMs: number): void {
    if (this.type === 'simple') return;
    this.preferredSpatial = Math.max(0, Math.min(layers.spatialLayer, this.spatialLayers - 1));
    this.preferredTemporal = Math.max(
      0,
      Math.min(layers.temporalLayer ?? this.temporalLayers - 1, this.temporalLayers - 1),
    );
    this.updateTargetLayer(nowMs);
  }

  /** Sync on the next keyframe (start, resume, producer resume), asking the producer for one. */
  requestKeyFrame(nowMs: number): void {
    if (this.kind !== 'video') return;
    const s =
      this.type === 'simulcast'
        ? this.producer.streams[
            this.targetSpatial >= 0 ? this.targetSpatial : Math.max(0, this.currentSpatial)
          ]
        : this.producer.streams[0];
    if (s) {
      s.lastKeyFrameRequestAtMs = -Infinity;
      this.producer.requestKeyFrame(s, nowMs);
    }
  }

  /** Resumed (consumer or producer): seq/timestamp continue; video waits for a keyframe. */
  onResumed(nowMs: number): void {
    this.syncRequired = true;
    if (this.type === 'simulcast') {
      this.currentSpatial = -1;
      this.updateTargetLayer(nowMs);
    }
    this.requestKeyFrame(nowMs);
  }

  /** A NACK from the receiver: retransmit what is still kept (as RTX when negotiated). */
  onNack(pid: number, blp: number, nowMs: number): void {
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
      const n = this.rebuild(log, i, seq, nowMs);
      if (n < 0) continue;
      log.markResent(i, nowMs);
      this.packetsRetransmitted++;
      if (this.rtxPayloadType >= 0) {
        this.rtxSeq = (this.rtxSeq + 1) & 0xffff;
        const r = wrapRtx(resendView, rtxOut, this.rtxPayloadType, this.rtxSsrc, this.rtxSeq);
        if (r > 0) this.transport.sendRtp(rtxOut, r, true);
      } else {
        this.transport.sendRtp(work, n, true);
      }
    }
  }

  /**
   * Rebuilds the packet of log slot `i` (sent as `seq`) into `work`/`resendView`
   * from the producer's kept copy: the same rewrite `forward` applied, with the
   * values logged then. Returns its length, or -1 when the producer no longer keeps it.
   */
  private rebuild(log: SentPacketLog, i: number, seq: number, nowMs: number): number {
    const kept = this.producer.streams[log.encodingOf(i)]?.retransmissionBuffer;
    if (kept === undefined) return -1;
    const j = kept.find(log.sourceSeqOf(i));
    if (j < 0) return -1;
    const n = kept.copyPacket(j, work);
    const v = resendView;
    if (n < 0 || !v.wrap(work, n)) return -1;
    v.sequenceNumber = seq;
    v.timestamp = log.timestampOf(i);
    v.ssrc = this.ssrc;
    v.payloadType = log.payloadTypeOf(i);
    v.remapExtensions(this.extTable);
    if (this.absSendTimeId !== 0) {
      const e = v.findExtension(this.absSendTimeId);
      if (e >= 0 && v.extensionValueLengths[e] === 3) {
        writeAbsSendTime(work, v.extensionValueOffsets[e], absSendTimeFromMs(nowMs));
      }
    }
    const pictureId = log.pictureIdOf(i);
    const tl0 = log.tl0PicIdxOf(i);
    if ((pictureId >= 0 || tl0 >= 0) && resendVp8.parse(work, v.payloadOffset, v.payloadLength)) {
      if (pictureId >= 0 && resendVp8.pictureId >= 0)
        resendVp8.setPictureId(work, v.payloadOffset, pictureId);
      if (tl0 >= 0 && resendVp8.tl0PicIdx >= 0) resendVp8.setTl0PicIdx(work, v.payloadOffset, tl0);
    }
    return n;
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
    this.transport.notify('consumer.score', this.id, {
      score: this.score,
      producerScore: this.producerScore,
      producerScores: this.producer.streams.map((s) => s.score),
    });
  }

  get producerScore(): number {
    if (this.type === 'simulcast') {
      const s = this.producer.streams[Math.max(this.currentSpatial, 0)];
      return s?.score ?? 0;
    }
    return this.producer.streams[0]?.score ?? 0;
  }

  /** PLI/FIR from the receiver: forwarded to the producer (throttled there). */
  onKeyFrameRequest(isFir: boolean, nowMs: number): void {
    if (isFir) this.firCount++;
    else this.pliCount++;
    const type = isFir ? 'fir' : 'pli';
    if (logger.debugTagEnabled('rtcp')) {
      logger.debugTag('rtcp', `onKeyFrameRequest() | ${type.toUpperCase()} received [consumerId:${this.id}]`);
    }
    if (this.traceEventTypes.includes(type)) this.trace(type, 'in', { ssrc: this.ssrc });
    if (!this.active) return;
    const s =
      this.type === 'simulcast'
        ? this.producer.streams[
            this.currentSpatial >= 0 ? this.currentSpatial : Math.max(0, this.targetSpatial)
          ]
        : this.producer.streams[0];
    if (s) this.producer.requestKeyFrame(s, nowMs);
  }

  /** The RTP timestamp of this stream at wall time `nowMs` (for our SR), or -1 when unknown. */
  rtpTimestampAt(nowMs: number): number {
    if (this.packetCount === 0) return -1;
    const s =
      this.type === 'simulcast'
        ? this.producer.streams[Math.max(0, this.currentSpatial)]
        : this.producer.streams[0];
    if (s?.hasSr) {
      // The producer's SR maps its NTP clock to its RTP clock; carry that over through our offset.
      const inTs = s.srRtpTimestamp + ((nowMs - s.srReceivedAtMs) * this.clockRate) / 1000;
      return (Math.round(inTs) + this.tsOffset) >>> 0;
    }
    return (
      (this.rewriter.lastTimestamp + Math.round(((nowMs - this.lastSentAtMs) * this.clockRate) / 1000)) >>> 0
    );
  }
}
