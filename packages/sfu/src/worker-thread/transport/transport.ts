/**
 * The base of every worker-side transport (mediasoup's RTC::Transport): its
 * producers and consumers, incoming RTP to the producers' streams (by SSRC,
 * or MID/RID for unsignalled simulcast SSRCs, RTX unwrapped) and on to the
 * router's fan-out, incoming RTCP (SR, SDES, RR, NACK, PLI, FIR, REMB,
 * transport-cc), and on a timer NACKs, transport-cc feedback and compound
 * reports. A subclass adds only how packets enter and leave: WebRtcTransport
 * (ICE + DTLS + SRTP), DirectTransport (the main thread's API), PlainTransport
 * (plain UDP, optional SRTP), PipeTransport (a PlainTransport between routers). It feeds `receiveRtpPacket` / `receiveRtcpPacket`
 * with plain packets and implements `sendRtpPacket` / `sendRtcpPacket` and
 * `canSend`. Nothing here allocates per RTP packet.
 */
import { SeqUpdate, unwrapRtx } from '@tsfu/rtp';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type {
  ConsumeRequest,
  ConsumeResponse,
  DataMessage,
  NotifyMain,
  ProduceRequest,
  TransportDump,
  TransportStat,
} from '../../protocol/worker-protocol.js';
import type { ProducerType } from '../../types/producer.js';
import type { SctpParameters } from '../../types/sctp-parameters.js';
import type {
  BaseTransportDump,
  BaseTransportStats,
  TransportTraceEventType,
} from '../../types/transport.js';
import type { TransportMediaCounters } from '../../types/webrtc-transport.js';
import { TransportBwe } from '../bwe/transport-bwe.js';
import type { Consumer, ConsumerListener } from '../consumer/consumer.js';
import { createConsumer } from '../consumer/create-consumer.js';
import type { DataConsumer } from '../data/data-consumer.js';
import type { DataProducer } from '../data/data-producer.js';
import { TransportSctp } from '../data/transport-sctp.js';
import { Producer, type ProducerListener } from '../producer.js';
import { BitrateMeter } from '../rtp/bitrate-meter.js';
import type { RecvStream } from '../rtp/recv-stream.js';
import { RtpPacket } from '../rtp/rtp-packet.js';
import { TransportCcRecorder } from '../rtp/transport-cc-recorder.js';
import { copyWithTransportCcSlot } from '../rtp/transport-cc-slot.js';
import { RtcpReceiver } from './rtcp-receiver.js';
import {
  DEFAULT_REMB_BITRATE,
  rtcpIntervalMs,
  sendCompoundReports,
  sendNacks,
  sendTransportCc,
} from './rtcp-reports.js';
import { RtpListener } from './rtp-listener.js';

const logger = new ThreadLogger('Transport');

/** What a transport tells its router (mediasoup's Transport::Listener), implemented by `Router`. */
export interface TransportListener {
  /** Throws when the router has a producer with this id already. */
  onTransportNewProducer(transport: Transport, producer: Producer): void;
  onTransportProducerClosed(transport: Transport, producer: Producer): void;
  onTransportProducerPaused(transport: Transport, producer: Producer): void;
  onTransportProducerResumed(transport: Transport, producer: Producer): void;
  /** One packet of `producer` to fan out to its consumers (`mappedPt`: the router payload type). */
  onTransportProducerRtpPacketReceived(
    producer: Producer,
    stream: RecvStream,
    packet: RtpPacket,
    mappedPt: number,
    nowMs: number,
  ): void;
  /** `producer`'s stream scores changed: its consumers report theirs too. */
  onTransportProducerScore(producer: Producer): void;
  /** The router's producer a new consumer will consume; throws when there is none. */
  getProducer(producerId: string): Producer;
  onTransportNewConsumer(transport: Transport, consumer: Consumer): void;
  onTransportConsumerClosed(transport: Transport, consumer: Consumer): void;
  /** A message one of its data producers received over SCTP. */
  onTransportDataProducerMessage(dataProducer: DataProducer, message: DataMessage): void;
}

export interface TransportOptions {
  id: string;
  listener: TransportListener;
  notify: NotifyMain;
  initialAvailableOutgoingBitrate: number;
  sctpParameters?: SctpParameters;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
}

/** mediasoup's floor for an outgoing bitrate limit (bps), and the highest limit it accepts. */
const MIN_OUTGOING_BITRATE = 30000;
const MAX_BITRATE = Number.MAX_SAFE_INTEGER;

function checkBitrateCeiling(bitrate: number): void {
  if (bitrate > MAX_BITRATE) throw new TypeError(`bitrate must be <= ${MAX_BITRATE} or 0 (unlimited)`);
}

// RTX unwrap output, one for every transport of this thread (a packet is handled to completion).
const rtxScratch = Buffer.allocUnsafe(65536);
/** A packet with a transport-cc slot added (`copyWithTransportCcSlot`): one per thread, used synchronously. */
const slotScratch = Buffer.allocUnsafe(65536 + 8);

export abstract class Transport implements ProducerListener, ConsumerListener {
  readonly id: string;
  protected readonly listener: TransportListener;
  protected readonly notify: NotifyMain;
  protected readonly options: TransportOptions;
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  /** Its data producers and consumers (the router's RouterData creates, routes and closes them). */
  readonly dataProducers = new Map<string, DataProducer>();
  readonly dataConsumers = new Map<string, DataConsumer>();
  /** Its SCTP association (transports with `enableSctp`, once the kind can carry it). */
  sctp: TransportSctp | undefined;
  private readonly rtpListener = new RtpListener();
  private readonly consumersBySsrc = new Map<number, Consumer>();
  /** The packet being received, and its RTX-unwrapped form: reused for every packet. */
  private readonly packet = new RtpPacket();
  private readonly rtxPacket = new RtpPacket();
  /** The received packet again, with room for transport-cc (`Producer.transportCcSlotId`). */
  private readonly slotPacket = new RtpPacket();
  /** Incoming RTCP: reports, NACKs and keyframe requests to consumers, SRs to streams; REMB, transport-cc. */
  readonly rtcpReceiver: RtcpReceiver;
  private readonly twcc = new TransportCcRecorder();
  /** Send-side bandwidth estimation, layer allocation and probation toward its consumers. */
  readonly bwe: TransportBwe;
  private readonly senderSsrc = (Math.random() * 0xffffffff) >>> 0;
  private nextRtcpAtMs = 0;
  private nextTwccAtMs = 0;
  private nextScoreAtMs = 0;
  private nextLayersAtMs = 0;
  private twccFbCount = 0;
  /** Every byte in and out (ICE, DTLS, RTP, RTCP), counted by the subclass. */
  protected bytesReceived = 0;
  protected bytesSent = 0;
  /** RTP bytes received as they arrived (protected), counted by the subclass. */
  protected rtpBytesReceived = 0;
  private rtpBytesSent = 0;
  private rtxBytesSent = 0;
  private rtxBytesReceived = 0;
  private readonly rtpRecvBitrate = new BitrateMeter();
  private readonly rtpSendBitrate = new BitrateMeter();
  private readonly rtxRecvBitrate = new BitrateMeter();
  private readonly rtxSendBitrate = new BitrateMeter();
  readonly mediaCounters: TransportMediaCounters = {
    rtpMalformed: 0,
    rtpUnknownSsrc: 0,
    rtpUnknownPayloadType: 0,
    rtpProbation: 0,
    rtxPaddingOnly: 0,
    rtcpMalformed: 0,
    rtcpUnknownSsrc: 0,
    rtpDroppedForTesting: 0,
    rtpForOtherProducer: 0,
  };
  /** The bitrate limits the API set (undefined: unlimited); the outgoing ones bound the BWE allocation. */
  maxIncomingBitrate: number | undefined;
  maxOutgoingBitrate: number | undefined;
  minOutgoingBitrate: number | undefined;
  /** `enableTraceEvent()`'s types ('bwe': each allocation run; 'probation': each probation packet). */
  traceEventTypes: TransportTraceEventType[] = [];
  /** Test-only loss injection: fraction of outgoing media packets dropped (0 = none). */
  dropOutgoingFraction = 0;
  private dropAccumulator = 0;
  protected closed = false;
  private readonly sendRtcp = (packet: Buffer): void => {
    this.sendRtcpPacket(packet, packet.length);
  };
  /** Sends one probation packet (on the first consumer's path: only DirectTransport looks at it). */
  private readonly sendProbation = (packet: Buffer, length: number): void => {
    const first = this.consumers.values().next().value;
    if (!first) return;
    this.sendRtpPacket(packet, length, first);
    if (this.traceEventTypes.includes('probation')) {
      this.notify('transport.trace', this.id, {
        type: 'probation',
        timestamp: Date.now(),
        direction: 'out',
        info: { ssrc: 1234, payloadType: 127, sequenceNumber: packet.readUInt16BE(2), size: length },
      });
    }
  };
  private readonly traceBwe = (info: object): void => {
    if (!this.traceEventTypes.includes('bwe')) return;
    this.notify('transport.trace', this.id, { type: 'bwe', timestamp: Date.now(), direction: 'out', info });
  };

  constructor(options: TransportOptions) {
    this.id = options.id;
    this.listener = options.listener;
    this.notify = options.notify;
    this.options = options;
    this.rtcpReceiver = new RtcpReceiver(this.rtpListener, this.consumersBySsrc, this.mediaCounters);
    this.bwe = new TransportBwe(options.initialAvailableOutgoingBitrate);
    this.rtcpReceiver.bandwidthFeedback = this.bwe;
  }

  /** Whether media can be sent now (connected, keys in place). */
  abstract get canSend(): boolean;
  /** The largest message its data producers take (`dataProducer.send()` included). */
  get maxReceiveMessageSize(): number {
    return this.options.maxReceiveMessageSize;
  }
  /** A PipeTransport (mediasoup's Transport::IsPipe): its data messages carry subchannel metadata. */
  get isPipe(): boolean {
    return false;
  }
  /**
   * Protects (as the kind needs) and sends one RTP packet of `consumer`; `packet` may be reused once it
   * returns.
   */
  protected abstract sendRtpPacket(packet: Buffer, length: number, consumer: Consumer): boolean;
  /** Protects (as the kind needs) and sends one RTCP compound packet. */
  protected abstract sendRtcpPacket(packet: Buffer, length: number): boolean;

  get isClosed(): boolean {
    return this.closed;
  }

  /** mediasoup's `getStats()` entry of this kind (with tsfu's counters). */
  abstract getStats(): TransportStat;
  /** mediasoup's `dump()` of this kind. */
  abstract dump(): TransportDump;

  // ---- bitrate limits (mediasoup's checks; 0 = unlimited) -------------------------------

  setMaxIncomingBitrate(bitrate: number): void {
    checkBitrateCeiling(bitrate);
    this.maxIncomingBitrate = bitrate || undefined;
  }

  setMaxOutgoingBitrate(bitrate: number): void {
    checkBitrateCeiling(bitrate);
    if (bitrate > 0 && bitrate < MIN_OUTGOING_BITRATE) {
      throw new TypeError(`bitrate must be >= ${MIN_OUTGOING_BITRATE} or 0 (unlimited)`);
    }
    const min = this.minOutgoingBitrate ?? 0;
    if (bitrate > 0 && bitrate < min) {
      throw new TypeError(`bitrate must be >= current min outgoing bitrate (${min}) or 0 (unlimited)`);
    }
    this.maxOutgoingBitrate = bitrate || undefined;
    this.bwe.setLimits(this.minOutgoingBitrate, this.maxOutgoingBitrate);
  }

  setMinOutgoingBitrate(bitrate: number): void {
    checkBitrateCeiling(bitrate);
    if (bitrate > 0 && bitrate < MIN_OUTGOING_BITRATE) {
      throw new TypeError(`bitrate must be >= ${MIN_OUTGOING_BITRATE} or 0 (unlimited)`);
    }
    const max = this.maxOutgoingBitrate ?? 0;
    if (bitrate > 0 && max > 0 && bitrate > max) {
      throw new TypeError(`bitrate must be <= current max outgoing bitrate (${max}) or 0 (unlimited)`);
    }
    this.minOutgoingBitrate = bitrate || undefined;
    this.bwe.setLimits(this.minOutgoingBitrate, this.maxOutgoingBitrate);
  }

  // ---- producers / consumers -------------------------------------------------------------

  /** mediasoup's `transport.produce()`. */
  produce(d: ProduceRequest): { type: ProducerType } {
    if (this.producers.has(d.producerId))
      throw new Error(`a Producer with same producerId already exists [producerId:${d.producerId}]`);
    const producer = new Producer({
      id: d.producerId,
      transportId: this.id,
      kind: d.kind,
      rtpParameters: d.rtpParameters,
      rtpMapping: d.rtpMapping,
      paused: d.paused,
      keyFrameRequestDelay: d.keyFrameRequestDelay,
      listener: this,
      notify: this.notify,
    });
    this.rtpListener.addProducer(producer);
    try {
      this.listener.onTransportNewProducer(this, producer);
    } catch (error) {
      this.rtpListener.removeProducer(producer);
      throw error;
    }
    this.producers.set(producer.id, producer);
    return { type: producer.type };
  }

  /** mediasoup's `transport.consume()`: the consumer kind follows its producer's type. */
  consume(d: ConsumeRequest, nowMs: number): ConsumeResponse {
    if (this.consumers.has(d.consumerId))
      throw new Error(`a Consumer with same consumerId already exists [consumerId:${d.consumerId}]`);
    const producer = this.listener.getProducer(d.producerId);
    const consumer = createConsumer({
      id: d.consumerId,
      transportId: this.id,
      producer,
      rtpParameters: d.rtpParameters,
      paused: d.paused,
      preferredLayers: d.preferredLayers,
      ignoreDtx: d.ignoreDtx,
      pipe: d.pipe,
      consumableRtpEncodings: d.consumableRtpEncodings,
      listener: this,
      notify: this.notify,
    });
    this.consumers.set(consumer.id, consumer);
    for (const ssrc of consumer.ssrcs) this.consumersBySsrc.set(ssrc, consumer);
    this.listener.onTransportNewConsumer(this, consumer);
    if (consumer.active) consumer.onResumed(nowMs);
    const producerScores = producer.streams.map((s) => s.score);
    return {
      paused: consumer.paused,
      producerPaused: consumer.producerPaused,
      // mediasoup hard-codes a pipe consumer's score, and it has no layers.
      score: d.pipe
        ? { score: 10, producerScore: 10, producerScores }
        : { score: consumer.score, producerScore: consumer.producerScore, producerScores },
      preferredLayers: d.pipe ? null : (consumer.preferredLayers ?? null),
    };
  }

  /** The producer closes (its request, or this transport closing): the router closes its consumers. */
  closeProducer(producer: Producer): void {
    if (this.producers.get(producer.id) !== producer) return;
    this.producers.delete(producer.id);
    producer.closed = true;
    this.rtpListener.removeProducer(producer);
    this.listener.onTransportProducerClosed(this, producer);
  }

  closeConsumer(consumer: Consumer): void {
    if (!this.forgetConsumer(consumer)) return;
    this.listener.onTransportConsumerClosed(this, consumer);
  }

  private forgetConsumer(c: Consumer): boolean {
    if (this.consumers.get(c.id) !== c) return false;
    this.consumers.delete(c.id);
    c.closed = true;
    if (c.usesTransportCcSlot) c.producer.transportCcSlotUsers--;
    for (const ssrc of c.ssrcs) if (this.consumersBySsrc.get(ssrc) === c) this.consumersBySsrc.delete(ssrc);
    return true;
  }

  // ---- what producers and consumers tell this transport -----------------------------------

  onProducerSendRtcpPacket(_producer: Producer, packet: Buffer): void {
    this.sendRtcpPacket(packet, packet.length);
  }

  onProducerPaused(producer: Producer): void {
    this.listener.onTransportProducerPaused(this, producer);
  }

  onProducerResumed(producer: Producer): void {
    this.listener.onTransportProducerResumed(this, producer);
  }

  onConsumerSendRtpPacket(consumer: Consumer, packet: Buffer, length: number): boolean {
    const now = performance.now();
    // Stamped before the test-only drop: a dropped packet is a loss the estimator must see.
    this.bwe.stampAt(packet, length, consumer.twccOffset, now);
    if (this.dropOutgoingFraction > 0 && this.dropForTesting()) return false;
    this.rtpBytesSent += length;
    this.rtpSendBitrate.add(length, now);
    this.sendRtpPacket(packet, length, consumer);
    return true;
  }

  onConsumerRetransmitRtpPacket(consumer: Consumer, packet: Buffer, length: number): void {
    const now = performance.now();
    if (!this.bwe.allowsRetransmission(this.rtxSendBitrate.rate(now))) return;
    this.bwe.stamp(packet, length, consumer.transportCcExtId, now);
    this.rtxBytesSent += length;
    this.rtxSendBitrate.add(length, now);
    this.sendRtpPacket(packet, length, consumer);
  }

  onConsumerProducerClosed(consumer: Consumer): void {
    this.closeConsumer(consumer);
  }

  /** Deterministic test-only loss: every 1/fraction-th packet. */
  private dropForTesting(): boolean {
    this.dropAccumulator += this.dropOutgoingFraction;
    if (this.dropAccumulator < 1) return false;
    this.dropAccumulator -= 1;
    this.mediaCounters.rtpDroppedForTesting++;
    return true;
  }

  // ---- RTP in ----------------------------------------------------------------------------

  /**
   * A plain (decrypted) RTP packet `buf[0, length)` from the remote. `onlyFor`: the producer it was given
   * to (`producer.send()`); a packet of another producer's SSRCs is dropped and counted.
   */
  protected receiveRtpPacket(buf: Buffer, length: number, nowMs: number, onlyFor?: Producer): void {
    let packet = this.packet;
    if (!packet.wrap(buf, length)) {
      this.mediaCounters.rtpMalformed++;
      return;
    }
    const listener = this.rtpListener;
    const stream = listener.find(packet);
    const producer = stream === undefined ? undefined : listener.producerOf(stream);
    if (stream === undefined || producer === undefined) {
      this.mediaCounters.rtpUnknownSsrc++;
      return;
    }
    if (onlyFor !== undefined && producer !== onlyFor) {
      this.mediaCounters.rtpForOtherProducer++;
      return;
    }
    const isRtx = listener.isRtx;
    if (producer.transportCcExtId !== 0) {
      const i = packet.findExtension(producer.transportCcExtId);
      if (i >= 0 && packet.extensionValueLengths[i] === 2) {
        const o = packet.extensionValueOffsets[i];
        this.twcc.record((buf[o] << 8) | buf[o + 1], nowMs);
      }
    }
    if (isRtx) {
      stream.rtxPacketCount++;
      this.rtxBytesReceived += length;
      this.rtxRecvBitrate.add(length, nowMs);
      const mediaPt = producer.rtxApt[packet.payloadType];
      if (mediaPt < 0 || packet.payloadLength < 2 || stream.ssrc === 0) {
        if (packet.payloadLength < 2) this.mediaCounters.rtxPaddingOnly++;
        stream.rtxPacketsDiscarded++;
        return;
      }
      const n = unwrapRtx(packet, rtxScratch, mediaPt, stream.ssrc);
      if (n < 0 || !this.rtxPacket.wrap(rtxScratch, n)) {
        stream.rtxPacketsDiscarded++;
        return;
      }
      packet = this.rtxPacket;
    } else {
      this.rtpRecvBitrate.add(length, nowMs);
    }
    const mappedPt = producer.ptMap[packet.payloadType];
    if (mappedPt < 0) {
      this.mediaCounters.rtpUnknownPayloadType++;
      return;
    }
    if (producer.transportCcSlotId !== 0 && producer.transportCcSlotUsers > 0) {
      const n = copyWithTransportCcSlot(packet, producer.transportCcSlotId, slotScratch);
      if (n > 0 && this.slotPacket.wrap(slotScratch, n)) packet = this.slotPacket;
    }
    producer.receiveRtpPacket(packet);
    const seq = packet.sequenceNumber;
    const isKeyFrame = packet.isKeyFrame;
    const u = stream.receive(seq, packet.timestamp, length, isKeyFrame, nowMs);
    if (stream.kind === 'video') stream.countTemporalLayer(packet.temporalLayer, length, nowMs);
    if (u === SeqUpdate.Probation || u === SeqUpdate.Bad) {
      // RFC 3550 A.1: not yet (or no longer) a valid source; still let it through during probation.
      if (u === SeqUpdate.Bad) return;
      this.mediaCounters.rtpProbation++;
    }
    // As mediasoup: an RTX packet goes on only when it repairs a loss we are NACKing. Chromium's
    // bandwidth probes resend packets that already arrived; a receiver must not get them twice.
    const repairs = !isRtx || (stream.useNack && stream.nack.isMissing(seq));
    if (stream.useNack && !stream.nack.onPacket(seq, isKeyFrame)) producer.requestKeyFrame(stream, nowMs);
    if (!repairs) {
      stream.rtxPacketsDiscarded++;
      return;
    }
    if (producer.paused) return;
    this.listener.onTransportProducerRtpPacketReceived(producer, stream, packet, mappedPt, nowMs);
    if (producer.traceEventTypes.length > 0) this.traceRtp(producer, packet, isRtx);
  }

  private traceRtp(producer: Producer, packet: RtpPacket, isRtx: boolean): void {
    const types = producer.traceEventTypes;
    const isKeyFrame = packet.isKeyFrame;
    const type = types.includes('rtp') ? 'rtp' : isKeyFrame && types.includes('keyframe') ? 'keyframe' : '';
    if (!type) return;
    this.notify('producer.trace', producer.id, {
      type,
      timestamp: Date.now(),
      direction: 'in',
      info: {
        ssrc: packet.ssrc,
        payloadType: packet.payloadType,
        sequenceNumber: packet.sequenceNumber,
        timestamp: packet.timestamp,
        isKeyFrame,
        isRtx,
      },
    });
  }

  // ---- RTCP in ---------------------------------------------------------------------------

  /** A plain (decrypted) RTCP compound packet `buf[0, length)` from the remote. */
  protected receiveRtcpPacket(buf: Buffer, length: number, nowMs: number): void {
    this.rtcpReceiver.receive(buf, length, nowMs);
  }

  // ---- timer -----------------------------------------------------------------------------

  /** Called every ~20 ms by the worker. */
  tick(nowMs: number): void {
    if (!this.canSend) return;
    sendNacks(this.producers.values(), this.senderSsrc, nowMs, this.sendRtcp, this.notify);
    if (this.producers.size > 0 && nowMs >= this.nextTwccAtMs) {
      this.nextTwccAtMs = nowMs + 100;
      const sent = sendTransportCc(
        this.twcc,
        this.producers.values(),
        this.senderSsrc,
        this.twccFbCount,
        this.sendRtcp,
      );
      if (sent) this.twccFbCount++;
    }
    this.bwe.tick(nowMs, this.consumers, this.sendProbation, this.traceBwe);
    if (nowMs >= this.nextLayersAtMs) {
      this.nextLayersAtMs = nowMs + 500;
      for (const c of this.consumers.values()) c.updateLayers(nowMs);
    }
    if (nowMs >= this.nextScoreAtMs) {
      this.nextScoreAtMs = nowMs + 1000;
      for (const p of this.producers.values()) this.updateScores(p, nowMs);
    }
    if (nowMs >= this.nextRtcpAtMs) {
      this.nextRtcpAtMs = nowMs + this.rtcpIntervalMs(nowMs) * (0.5 + Math.random());
      sendCompoundReports(
        this.consumers.values(),
        this.producers.values(),
        this.senderSsrc,
        this.maxIncomingBitrate ?? DEFAULT_REMB_BITRATE,
        nowMs,
        this.sendRtcp,
      );
    }
  }

  /** The producer's stream scores, reported (with its consumers' scores) when one changed. */
  private updateScores(p: Producer, nowMs: number): void {
    let changed = false;
    for (const s of p.streams) if (s.updateScore(nowMs)) changed = true;
    if (!changed) return;
    if (logger.debugTagEnabled('score')) {
      const scores = p.streams.map((s) => s.score).join(',');
      logger.debugTag('score', `tick() | producer score changed [producerId:${p.id}, scores:${scores}]`);
    }
    this.notify(
      'producer.score',
      p.id,
      p.streams.map((s) => ({ encodingIdx: s.encodingIdx, ssrc: s.ssrc, rid: s.rid, score: s.score })),
    );
    this.listener.onTransportProducerScore(p);
  }

  /** How long until the next compound report (RFC 3550 §6.2, sized by this transport's bitrate). */
  rtcpIntervalMs(nowMs: number): number {
    return rtcpIntervalMs(this.consumers.values(), this.producers.values(), nowMs);
  }

  /** Starts the SCTP association over `send` (the kind calls it when its underlying transport is ready). */
  protected createSctp(send: (packet: Buffer) => void): TransportSctp | undefined {
    const params = this.options.sctpParameters;
    if (!params || this.sctp) return this.sctp;
    const owner = {
      id: this.id,
      dataProducers: this.dataProducers,
      dataConsumers: this.dataConsumers,
      isPipe: this.isPipe,
      onDataProducerMessage: (dp: DataProducer, m: DataMessage) =>
        this.listener.onTransportDataProducerMessage(dp, m),
    };
    // The loss test hook covers SCTP packets too (data channels under loss).
    const sendMaybeDropped = (packet: Buffer) => {
      if (this.dropOutgoingFraction > 0 && this.dropForTesting()) return;
      send(packet);
    };
    this.sctp = new TransportSctp(owner, params, sendMaybeDropped, this.notify);
    return this.sctp;
  }

  // ---- close, stats, dump ----------------------------------------------------------------

  /** Closes its producers (their consumers anywhere go with them) and its consumers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sctp?.close();
    for (const p of [...this.producers.values()]) this.closeProducer(p);
    for (const c of [...this.consumers.values()]) this.closeConsumer(c);
  }

  /** Bytes held for retransmissions by this transport's producers and consumers. */
  retransmissionBufferBytes(): number {
    let bytes = 0;
    for (const p of this.producers.values())
      for (const s of p.streams) bytes += s.retransmissionBuffer?.byteLength ?? 0;
    for (const c of this.consumers.values()) bytes += c.sentLog?.byteLength ?? 0;
    return bytes;
  }

  /** mediasoup's stats fields every transport has. */
  protected baseStats(): BaseTransportStats {
    const now = performance.now();
    const o = this.options;
    return {
      transportId: this.id,
      timestamp: Date.now(),
      ...(o.sctpParameters ? { sctpState: 'new' as const } : {}),
      bytesReceived: this.bytesReceived,
      recvBitrate: this.rtpRecvBitrate.rate(now) + this.rtxRecvBitrate.rate(now),
      bytesSent: this.bytesSent,
      sendBitrate: this.rtpSendBitrate.rate(now) + this.rtxSendBitrate.rate(now),
      rtpBytesReceived: this.rtpBytesReceived,
      rtpRecvBitrate: this.rtpRecvBitrate.rate(now),
      rtpBytesSent: this.rtpBytesSent,
      rtpSendBitrate: this.rtpSendBitrate.rate(now),
      rtxBytesReceived: this.rtxBytesReceived,
      rtxRecvBitrate: this.rtxRecvBitrate.rate(now),
      rtxBytesSent: this.rtxBytesSent,
      rtxSendBitrate: this.rtxSendBitrate.rate(now),
      probationBytesSent: this.bwe.probationBytesSent,
      probationSendBitrate: this.bwe.probationBitrate.rate(now),
      availableOutgoingBitrate: this.bwe.availableBitrate,
      maxIncomingBitrate: this.maxIncomingBitrate,
      maxOutgoingBitrate: this.maxOutgoingBitrate,
      minOutgoingBitrate: this.minOutgoingBitrate,
    };
  }

  /** mediasoup's dump fields every transport has. */
  protected baseDump(): BaseTransportDump {
    const o = this.options;
    const consumers = [...this.consumers.values()];
    return {
      id: this.id,
      producerIds: [...this.producers.keys()],
      consumerIds: [...this.consumers.keys()],
      mapSsrcConsumerId: consumers.map((c) => ({ key: c.ssrc, value: c.id })),
      mapRtxSsrcConsumerId: consumers
        .filter((c) => c.rtxSsrc !== 0)
        .map((c) => ({ key: c.rtxSsrc, value: c.id })),
      recvRtpHeaderExtensions: {},
      rtpListener: this.rtpListener.dump(),
      maxSendMessageSize: o.maxSendMessageSize,
      maxReceiveMessageSize: o.maxReceiveMessageSize,
      dataProducerIds: [...this.dataProducers.keys()],
      dataConsumerIds: [...this.dataConsumers.keys()],
      ...(o.sctpParameters
        ? {
            sctpParameters: o.sctpParameters,
            sctpState: this.sctp?.state ?? ('new' as const),
            // Nothing negotiated before the association is up.
            sctpNegotiatedCapabilities: this.sctp?.negotiatedCapabilities ?? {
              negotiatedMaxOutboundStreams: 0,
              negotiatedMaxInboundStreams: 0,
            },
            sctpListener: {
              streamIdTable: [...this.dataProducers.values()].flatMap((dp) =>
                dp.sctpStreamParameters ? [{ key: dp.sctpStreamParameters.streamId, value: dp.id }] : [],
              ),
            },
          }
        : {}),
      traceEventTypes: [...this.traceEventTypes],
    };
  }
}
