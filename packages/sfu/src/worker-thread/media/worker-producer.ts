/**
 * The worker half of a Producer: its incoming streams (one per encoding,
 * found by SSRC or by MID/RID), payload-type mapping to the router's, what
 * each packet's payload descriptor says (keyframe, temporal layer), and the
 * consumers it feeds.
 */
import {
  isAv1KeyFrame,
  isH264KeyFrame,
  type RtpPacketView,
  readVideoOrientation,
  Vp8Descriptor,
  Vp9Descriptor,
} from '@tsfu/rtp';
import type { RtpCodecsEncodingsMapping } from '../../ortc/ortc.js';
import { parseScalabilityMode } from '../../ortc/scalability-mode.js';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { ProducerTraceEventType } from '../../types/producer.js';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { RecvStream } from './recv-stream.js';
import type { WorkerConsumer } from './worker-consumer.js';

const logger = new ThreadLogger('Producer');

export const CodecKind = { Other: 0, Vp8: 1, Vp9: 2, H264: 3, Av1: 4 } as const;

export const EXT_URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  rrid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  videoOrientation: 'urn:3gpp:video-orientation',
} as const;

/** What the producer needs from its transport. */
export interface ProducerTransport {
  sendRtcp(packet: Uint8Array): void;
  notify: NotifyMain;
}

export interface WorkerProducerOptions {
  id: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
  rtpMapping: RtpCodecsEncodingsMapping;
  paused: boolean;
  keyFrameRequestDelay?: number;
  transport: ProducerTransport;
}

export class WorkerProducer {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly type: 'simple' | 'simulcast' | 'svc';
  readonly rtpParameters: RtpParameters;
  readonly rtpMapping: RtpCodecsEncodingsMapping;
  readonly transport: ProducerTransport;
  paused: boolean;
  readonly keyFrameRequestDelay: number;
  readonly streams: RecvStream[] = [];
  consumers: WorkerConsumer[] = [];
  readonly mid: string | undefined;
  /** Producer payload type → router (mapped) payload type, -1 when unknown. */
  readonly ptMap = new Int16Array(128).fill(-1);
  /** Producer RTX payload type → its media payload type, -1 otherwise. */
  readonly rtxApt = new Int16Array(128).fill(-1);
  /** Codec family per producer payload type (which payload descriptor to read). */
  readonly codecKind = new Uint8Array(128);
  readonly midExtId: number;
  readonly ridExtId: number;
  readonly rridExtId: number;
  readonly transportCcExtId: number;
  readonly absSendTimeExtId: number;
  readonly videoOrientationExtId: number;
  readonly temporalLayers: number;
  readonly cname: string;
  /** Keyframe requests the sender accepts: `nack pli` / `ccm fir` in its codec's feedback. */
  readonly usePli: boolean;
  readonly useFir: boolean;
  traceEventTypes: ProducerTraceEventType[] = [];
  private videoOrientation = -1;
  // Per packet, set by inspect():
  isKeyFrame = false;
  /** Temporal layer id, -1 when the codec does not say. */
  tid = -1;
  layerSync = false;
  hasVp8Descriptor = false;
  readonly vp8 = new Vp8Descriptor();
  private readonly vp9 = new Vp9Descriptor();
  closed = false;

  constructor(o: WorkerProducerOptions) {
    this.id = o.id;
    this.kind = o.kind;
    this.rtpParameters = o.rtpParameters;
    this.rtpMapping = o.rtpMapping;
    this.paused = o.paused;
    this.transport = o.transport;
    this.keyFrameRequestDelay =
      o.keyFrameRequestDelay && o.keyFrameRequestDelay > 0 ? o.keyFrameRequestDelay : 1000;
    this.mid = o.rtpParameters.mid;
    this.cname = o.rtpParameters.rtcp?.cname ?? '';
    const encodings = o.rtpParameters.encodings ?? [{}];
    const sm = parseScalabilityMode(encodings[0]?.scalabilityMode);
    this.type = encodings.length > 1 ? 'simulcast' : sm.spatialLayers > 1 ? 'svc' : 'simple';
    this.temporalLayers = sm.temporalLayers;
    for (const m of o.rtpMapping.codecs) this.ptMap[m.payloadType & 0x7f] = m.mappedPayloadType;
    const mediaCodec = o.rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType))!;
    for (const c of o.rtpParameters.codecs) {
      const mime = c.mimeType.toLowerCase();
      if (mime.endsWith('/rtx')) {
        const apt = Number(c.parameters?.apt);
        if (Number.isInteger(apt)) this.rtxApt[c.payloadType & 0x7f] = apt;
        continue;
      }
      this.codecKind[c.payloadType & 0x7f] =
        mime === 'video/vp8'
          ? CodecKind.Vp8
          : mime === 'video/vp9'
            ? CodecKind.Vp9
            : mime === 'video/h264'
              ? CodecKind.H264
              : mime === 'video/av1'
                ? CodecKind.Av1
                : CodecKind.Other;
    }
    const extId = (uri: string) => o.rtpParameters.headerExtensions?.find((e) => e.uri === uri)?.id ?? 0;
    this.midExtId = extId(EXT_URI.mid);
    this.ridExtId = extId(EXT_URI.rid);
    this.rridExtId = extId(EXT_URI.rrid);
    this.transportCcExtId = extId(EXT_URI.transportCc);
    this.absSendTimeExtId = extId(EXT_URI.absSendTime);
    this.videoOrientationExtId = extId(EXT_URI.videoOrientation);
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

  /** Reads the payload descriptor of `p` (already a media packet, RTX unwrapped). */
  inspect(p: RtpPacketView): void {
    this.isKeyFrame = false;
    this.tid = -1;
    this.layerSync = false;
    this.hasVp8Descriptor = false;
    if (this.kind !== 'video' || p.payloadLength === 0) return;
    const buf = p.buffer;
    const off = p.payloadOffset;
    const len = p.payloadLength;
    switch (this.codecKind[p.payloadType]) {
      case CodecKind.Vp8:
        if (this.vp8.parse(buf, off, len)) {
          this.hasVp8Descriptor = true;
          this.isKeyFrame = this.vp8.isKeyFrame;
          this.tid = this.vp8.tid;
          this.layerSync = this.vp8.layerSync;
        }
        break;
      case CodecKind.Vp9:
        if (this.vp9.parse(buf, off, len)) {
          this.isKeyFrame = this.vp9.isKeyFrame;
          this.tid = this.vp9.tid;
          this.layerSync = this.vp9.switchingUpPoint;
        }
        break;
      case CodecKind.H264:
        this.isKeyFrame = isH264KeyFrame(buf, off, len);
        break;
      case CodecKind.Av1:
        this.isKeyFrame = isAv1KeyFrame(buf, off, len);
        break;
    }
    if (this.videoOrientationExtId !== 0) {
      const i = p.findExtension(this.videoOrientationExtId);
      if (i >= 0) {
        const o = p.extensionValueOffsets[i];
        const v = buf[o];
        if (v !== this.videoOrientation && p.extensionValueLengths[i] === 1) {
          this.videoOrientation = v;
          const vo = readVideoOrientation(buf, o, 1);
          if (vo) {
            this.transport.notify('producer.videoorientationchange', this.id, {
              camera: vo.backCamera,
              flip: vo.flip,
              rotation: vo.rotation,
            });
          }
        }
      }
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
    this.transport.sendRtcp(b);
    const type = this.usePli ? 'pli' : 'fir';
    if (logger.debugTagEnabled('rtcp')) {
      logger.debugTag(
        'rtcp',
        `requestKeyFrame() | sending ${type.toUpperCase()} [producerId:${this.id}, ssrc:${stream.ssrc}]`,
      );
    }
    if (this.traceEventTypes.includes(type)) {
      this.transport.notify('producer.trace', this.id, {
        type,
        timestamp: Date.now(),
        direction: 'out',
        info: { ssrc: stream.ssrc },
      });
    }
    return true;
  }

  /** The stream currently carrying encoding `i`'s media, or the first. */
  streamByEncoding(i: number): RecvStream | undefined {
    return this.streams[i];
  }

  addConsumer(c: WorkerConsumer): void {
    this.consumers = [...this.consumers, c];
  }

  removeConsumer(c: WorkerConsumer): void {
    this.consumers = this.consumers.filter((x) => x !== c);
  }

  /** The videoorientation seen last, for dump(). */
  get lastVideoOrientation(): number {
    return this.videoOrientation;
  }
}
