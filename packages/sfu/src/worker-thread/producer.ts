/**
 * The worker half of a Producer (mediasoup's RTC::Producer): its incoming
 * streams (one per encoding, found by SSRC or by MID/RID), the payload-type
 * mapping to the router's, which payload descriptor each payload type
 * carries, video orientation, and keyframe requests toward the sender. The
 * consumers it feeds are the router's business (`Router`), not its own.
 */

import { RTP_EXTENSION_URI, readVideoOrientation } from '@tsfu/rtp';
import type { RtpCodecsEncodingsMapping } from '../ortc/ortc.js';
import { parseScalabilityMode } from '../ortc/scalability-mode.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import type { NotifyMain } from '../protocol/worker-protocol.js';
import type { ProducerDump, ProducerStat, ProducerTraceEventType, ProducerType } from '../types/producer.js';
import type { MediaKind, RtpEncodingParameters, RtpParameters } from '../types/rtp-parameters.js';
import { RecvStream } from './rtp/recv-stream.js';
import { PayloadCodec, payloadCodecOf, type RtpPacket } from './rtp/rtp-packet.js';
import { transportCcSlotId } from './rtp/transport-cc-slot.js';
import type { RtpObserverWatch } from './rtp-observer/router-rtp-observers.js';
import { rtpParametersDump } from './rtp-parameters-dump.js';

const logger = new ThreadLogger('Producer');

/** Codecs whose single encoding may carry layers (mediasoup's `IsValidTypeForCodec(SVC)`). */
const SVC_CODECS = /^video\/(vp8|vp9|h264|av1)$/i;

/**
 * mediasoup-worker's `RtpParameters::GetType()`: simulcast for several encodings; for one, svc when its
 * scalability mode has several spatial or temporal layers (TypeError for a codec that cannot), else simple.
 */
function producerType(
  encodings: number,
  sm: { spatialLayers: number; temporalLayers: number },
  mimeType: string,
): ProducerType {
  if (encodings > 1) return 'simulcast';
  if (sm.spatialLayers === 1 && sm.temporalLayers === 1) return 'simple';
  if (!SVC_CODECS.test(mimeType)) throw new TypeError(`${mimeType} codec not supported for svc`);
  return 'svc';
}

/** The worker's mapping checks: the RTP listener needs an SSRC or RID per stream, or a MID for one. */
function checkEncodingIds(encodings: readonly RtpEncodingParameters[], mid: string | undefined): void {
  for (const e of encodings) {
    if (e.ssrc !== undefined || e.rid !== undefined) continue;
    if (encodings.length > 1)
      throw new TypeError('wrong entry in rtpMapping.encodings (missing ssrc or rid)');
    if (!mid) {
      throw new TypeError('wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)');
    }
  }
}

/** What a producer tells the transport it receives on (mediasoup's Producer::Listener). */
export interface ProducerListener {
  /** Sends a keyframe request (PLI/FIR) toward the sender. */
  onProducerSendRtcpPacket(producer: Producer, packet: Buffer): void;
  onProducerPaused(producer: Producer): void;
  onProducerResumed(producer: Producer): void;
}

export interface ProducerOptions {
  id: string;
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  rtpMapping: RtpCodecsEncodingsMapping;
  paused: boolean;
  keyFrameRequestDelay?: number;
  listener: ProducerListener;
  notify: NotifyMain;
}

export class Producer {
  readonly id: string;
  readonly transportId: string;
  readonly kind: MediaKind;
  readonly type: ProducerType;
  readonly rtpParameters: RtpParameters;
  readonly rtpMapping: RtpCodecsEncodingsMapping;
  private pausedValue: boolean;
  readonly keyFrameRequestDelay: number;
  readonly streams: RecvStream[] = [];
  readonly mid: string | undefined;
  /** Producer payload type → router (mapped) payload type, -1 when unknown. */
  readonly ptMap = new Int16Array(128).fill(-1);
  /** Producer RTX payload type → its media payload type, -1 otherwise. */
  readonly rtxApt = new Int16Array(128).fill(-1);
  /** Payload descriptor per producer payload type (`PayloadCodec`; none for audio). */
  private readonly payloadCodec: PayloadCodec[] = new Array<PayloadCodec>(128).fill(PayloadCodec.None);
  readonly midExtId: number;
  readonly ridExtId: number;
  readonly rridExtId: number;
  readonly transportCcExtId: number;
  /**
   * Video without transport-cc (pipe, plain, direct producers): the extension id the receiving
   * transport adds to each packet as room for consumers' transport-wide sequence numbers
   * (`transport-cc-slot.ts`); 0 otherwise.
   */
  readonly transportCcSlotId: number;
  /** Consumers that map the slot to their transport-cc element: the slot is added only while some do. */
  transportCcSlotUsers = 0;
  readonly absSendTimeExtId: number;
  readonly videoOrientationExtId: number;
  readonly temporalLayers: number;
  readonly cname: string;
  /** Keyframe requests the sender accepts: `nack pli` / `ccm fir` in its codec's feedback. */
  readonly usePli: boolean;
  readonly useFir: boolean;
  traceEventTypes: ProducerTraceEventType[] = [];
  /** The RTP observers watching this producer (set by its router's `RouterRtpObservers`); undefined: none. */
  rtpObserverWatch: RtpObserverWatch | undefined;
  private videoOrientation = -1;
  private readonly listener: ProducerListener;
  private readonly notify: NotifyMain;
  closed = false;

  constructor(o: ProducerOptions) {
    this.id = o.id;
    this.transportId = o.transportId;
    this.kind = o.kind;
    this.rtpParameters = o.rtpParameters;
    this.rtpMapping = o.rtpMapping;
    this.pausedValue = o.paused;
    this.listener = o.listener;
    this.notify = o.notify;
    this.keyFrameRequestDelay =
      o.keyFrameRequestDelay && o.keyFrameRequestDelay > 0 ? o.keyFrameRequestDelay : 1000;
    this.mid = o.rtpParameters.mid;
    this.cname = o.rtpParameters.rtcp?.cname ?? '';
    const encodings = o.rtpParameters.encodings ?? [{}];
    checkEncodingIds(encodings, this.mid);
    const sm = parseScalabilityMode(encodings[0]?.scalabilityMode);
    const mediaCodec = o.rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
    if (!mediaCodec) throw new TypeError('no media codec in rtpParameters');
    this.type = producerType(encodings.length, sm, mediaCodec.mimeType);
    this.temporalLayers = sm.temporalLayers;
    for (const m of o.rtpMapping.codecs) this.ptMap[m.payloadType & 0x7f] = m.mappedPayloadType;
    for (const c of o.rtpParameters.codecs) {
      if (/\/rtx$/i.test(c.mimeType)) {
        const apt = Number(c.parameters?.apt);
        if (Number.isInteger(apt)) this.rtxApt[c.payloadType & 0x7f] = apt;
      } else if (o.kind === 'video') {
        this.payloadCodec[c.payloadType & 0x7f] = payloadCodecOf(c.mimeType);
      }
    }
    const extId = (uri: string) => o.rtpParameters.headerExtensions?.find((e) => e.uri === uri)?.id ?? 0;
    this.midExtId = extId(RTP_EXTENSION_URI.mid);
    this.ridExtId = extId(RTP_EXTENSION_URI.rid);
    this.rridExtId = extId(RTP_EXTENSION_URI.repairedRid);
    this.transportCcExtId = extId(RTP_EXTENSION_URI.transportWideCc);
    this.transportCcSlotId =
      o.kind === 'video' && this.transportCcExtId === 0
        ? transportCcSlotId((o.rtpParameters.headerExtensions ?? []).map((e) => e.id))
        : 0;
    this.absSendTimeExtId = extId(RTP_EXTENSION_URI.absSendTime);
    this.videoOrientationExtId = extId(RTP_EXTENSION_URI.videoOrientation);
    const fb = mediaCodec.rtcpFeedback ?? [];
    const useNack = fb.some((f) => f.type === 'nack' && !f.parameter);
    this.usePli = fb.some((f) => f.type === 'nack' && f.parameter === 'pli');
    this.useFir = fb.some((f) => f.type === 'ccm' && f.parameter === 'fir');
    encodings.forEach((e, i) => {
      this.streams.push(
        new RecvStream({
          ssrc: e.ssrc ?? 0,
          rid: e.rid,
          rtxSsrc: e.rtx?.ssrc,
          mappedSsrc: o.rtpMapping.encodings[i]?.mappedSsrc ?? 0,
          encodingIdx: i,
          clockRate: mediaCodec.clockRate,
          mimeType: mediaCodec.mimeType,
          kind: o.kind,
          useNack: useNack && o.kind === 'video',
        }),
      );
    });
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  /** mediasoup's `producer.pause()`: the router tells its consumers. */
  pause(): void {
    if (this.pausedValue) return;
    this.pausedValue = true;
    this.listener.onProducerPaused(this);
  }

  resume(): void {
    if (!this.pausedValue) return;
    this.pausedValue = false;
    this.listener.onProducerResumed(this);
  }

  /**
   * A media packet of this producer arrived (RTX already unwrapped): names
   * its payload descriptor, so the packet can tell its keyframes and layers,
   * and reports a new video orientation.
   */
  receiveRtpPacket(packet: RtpPacket): void {
    packet.setPayloadCodec(this.payloadCodec[packet.payloadType]);
    if (this.videoOrientationExtId === 0 || this.kind !== 'video' || packet.payloadLength === 0) return;
    const i = packet.findExtension(this.videoOrientationExtId);
    if (i < 0) return;
    const o = packet.extensionValueOffsets[i];
    const v = packet.buffer[o];
    if (v === this.videoOrientation || packet.extensionValueLengths[i] !== 1) return;
    this.videoOrientation = v;
    const vo = readVideoOrientation(packet.buffer, o, 1);
    if (vo) {
      this.notify('producer.videoorientationchange', this.id, {
        camera: vo.backCamera,
        flip: vo.flip,
        rotation: vo.rotation,
      });
    }
  }

  /**
   * Asks the sender for a keyframe on `stream`: PLI (RFC 4585 §6.3.1), or FIR
   * (RFC 5104 §4.3.1) when the producer negotiated only `ccm fir`; at most once
   * per `keyFrameRequestDelay`.
   */
  requestKeyFrame(stream: RecvStream, nowMs: number): boolean {
    if (this.kind !== 'video' || stream.ssrc === 0 || (!this.usePli && !this.useFir)) return false;
    if (!stream.takeKeyFrameRequest(nowMs, this.keyFrameRequestDelay)) return false;
    let b: Buffer;
    if (this.usePli) {
      stream.pliCount++;
      b = Buffer.alloc(12);
      b[0] = 0x81; // V=2, FMT=1 (PLI)
      b[1] = 206; // PSFB
      b.writeUInt16BE(2, 2);
    } else {
      stream.firCount++;
      b = Buffer.alloc(20);
      b[0] = 0x84; // V=2, FMT=4 (FIR)
      b[1] = 206;
      b.writeUInt16BE(4, 2);
      b.writeUInt32BE(stream.ssrc >>> 0, 12); // FCI: SSRC, seq nr
      stream.firSeqNr = (stream.firSeqNr + 1) & 0xff;
      b[16] = stream.firSeqNr;
    }
    b.writeUInt32BE(1, 4); // sender SSRC (we send no media on this transport's behalf here)
    if (this.usePli) b.writeUInt32BE(stream.ssrc >>> 0, 8); // media SSRC (FIR: 0, the FCI names it)
    this.listener.onProducerSendRtcpPacket(this, b);
    const type = this.usePli ? 'pli' : 'fir';
    if (logger.debugTagEnabled('rtcp')) {
      logger.debugTag(
        'rtcp',
        `requestKeyFrame() | sending ${type.toUpperCase()} [producerId:${this.id}, ssrc:${stream.ssrc}]`,
      );
    }
    if (this.traceEventTypes.includes(type)) {
      this.notify('producer.trace', this.id, {
        type,
        timestamp: Date.now(),
        direction: 'out',
        info: { ssrc: stream.ssrc },
      });
    }
    return true;
  }

  /** The videoorientation seen last, for dump(). */
  get lastVideoOrientation(): number {
    return this.videoOrientation;
  }

  /** A stream is reported once RTP arrived on it (mediasoup creates its RtpStreamRecv then). */
  getStats(): ProducerStat[] {
    return this.streams.filter((s) => s.packetCount > 0).map((s) => s.getStats());
  }

  dump(): ProducerDump {
    return {
      id: this.id,
      kind: this.kind,
      type: this.type,
      rtpParameters: rtpParametersDump(this.rtpParameters),
      rtpMapping: this.rtpMapping,
      rtpStreams: this.streams.map((s) => ({
        params: {
          encodingIdx: s.encodingIdx,
          ssrc: s.ssrc,
          rid: s.rid,
          rtxSsrc: s.rtxSsrc,
          mimeType: s.mimeType,
          clockRate: s.clockRate,
          useNack: s.useNack,
        },
        score: s.score,
      })),
      traceEventTypes: [...this.traceEventTypes],
      paused: this.pausedValue,
    };
  }
}
