/**
 * Worker-side handling of the Producer/Consumer requests of the channel
 * (`transport.produce`, `transport.consume`, `producer.*`, `consumer.*`):
 * creation, pause/resume, layers, stats and dumps, close.
 */
import type { ConsumeRequest, ConsumeResponse, ProduceRequest } from '../../protocol/worker-protocol.js';
import type {
  ConsumerDump,
  ConsumerLayers,
  ConsumerStat,
  ConsumerTraceEventType,
} from '../../types/consumer.js';
import type {
  ProducerDump,
  ProducerStat,
  ProducerTraceEventType,
  ProducerType,
} from '../../types/producer.js';
import type { WorkerWebRtcTransport } from '../worker-webrtc-transport.js';
import type { RecvStream } from './recv-stream.js';
import { WorkerConsumer } from './worker-consumer.js';
import { WorkerProducer } from './worker-producer.js';

export interface MediaRouter {
  id: string;
  producers: Map<string, WorkerProducer>;
}

interface ProducerEntry {
  producer: WorkerProducer;
  transport: WorkerWebRtcTransport;
  router: MediaRouter;
}

interface ConsumerEntry {
  consumer: WorkerConsumer;
  transport: WorkerWebRtcTransport;
}

const now = (): number => performance.now();

export class MediaRequests {
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();

  setProducerPaused(id: string, paused: boolean): void {
    const e = this.producer(id);
    if (e.producer.paused === paused) return;
    e.producer.paused = paused;
    for (const c of e.producer.consumers) {
      c.producerPaused = paused;
      c.transport.notify(paused ? 'consumer.producerpause' : 'consumer.producerresume', c.id);
      if (!paused && c.active) c.onResumed(now());
    }
  }

  producerStats(id: string): ProducerStat[] {
    return this.producer(id)
      .producer.streams.filter((s) => s.packetCount > 0 || s.ssrc !== 0)
      .map((s) => recvStats(s));
  }

  dumpProducer(id: string): ProducerDump {
    return dumpProducer(this.producer(id).producer);
  }

  enableProducerTrace(id: string, types: ProducerTraceEventType[]): void {
    this.producer(id).producer.traceEventTypes = [...types];
  }

  pauseConsumer(id: string): void {
    this.consumer(id).consumer.paused = true;
  }

  resumeConsumer(id: string): void {
    const c = this.consumer(id).consumer;
    if (c.paused) {
      c.paused = false;
      if (c.active) c.onResumed(now());
    }
  }

  setPreferredLayers(id: string, layers: ConsumerLayers): ConsumerLayers | null {
    const c = this.consumer(id).consumer;
    c.setPreferredLayers(layers, now());
    return c.preferredLayers ?? null;
  }

  setPriority(id: string, priority: number): number {
    const c = this.consumer(id).consumer;
    c.priority = Number(priority);
    return c.priority;
  }

  requestKeyFrame(id: string): void {
    this.consumer(id).consumer.requestKeyFrame(now());
  }

  consumerStats(id: string): Array<ConsumerStat | ProducerStat> {
    const c = this.consumer(id).consumer;
    const s =
      c.type === 'simulcast' ? c.producer.streams[Math.max(0, c.currentSpatial)] : c.producer.streams[0];
    return s ? [sendStats(c), recvStats(s)] : [sendStats(c)];
  }

  dumpConsumer(id: string): ConsumerDump {
    return dumpConsumer(this.consumer(id).consumer);
  }

  enableConsumerTrace(id: string, types: ConsumerTraceEventType[]): void {
    this.consumer(id).consumer.traceEventTypes = [...types];
  }

  private producer(id: string): ProducerEntry {
    const e = this.producers.get(id);
    if (!e) throw new Error(`Producer not found [producerId:${id}]`);
    return e;
  }

  private consumer(id: string): ConsumerEntry {
    const e = this.consumers.get(id);
    if (!e) throw new Error(`Consumer not found [consumerId:${id}]`);
    return e;
  }

  produce(transport: WorkerWebRtcTransport, router: MediaRouter, d: ProduceRequest): { type: ProducerType } {
    const id = d.producerId;
    if (this.producers.has(id))
      throw new Error(`a Producer with same producerId already exists [producerId:${id}]`);
    const producer = new WorkerProducer({
      id,
      kind: d.kind,
      rtpParameters: d.rtpParameters,
      rtpMapping: d.rtpMapping,
      paused: d.paused,
      keyFrameRequestDelay: d.keyFrameRequestDelay,
      transport: transport.media,
    });
    transport.media.addProducer(producer);
    router.producers.set(id, producer);
    this.producers.set(id, { producer, transport, router });
    return { type: producer.type };
  }

  consume(transport: WorkerWebRtcTransport, router: MediaRouter, d: ConsumeRequest): ConsumeResponse {
    const id = d.consumerId;
    const producer = router.producers.get(d.producerId);
    if (!producer) throw new Error(`Producer not found [producerId:${d.producerId}]`);
    const consumer = new WorkerConsumer({
      id,
      producer,
      transport: transport.media,
      rtpParameters: d.rtpParameters,
      paused: d.paused,
      preferredLayers: d.preferredLayers,
      ignoreDtx: d.ignoreDtx,
    });
    transport.media.addConsumer(consumer);
    producer.addConsumer(consumer);
    this.consumers.set(id, { consumer, transport });
    if (consumer.active) consumer.onResumed(now());
    return {
      paused: consumer.paused,
      producerPaused: consumer.producerPaused,
      score: {
        score: consumer.score,
        producerScore: consumer.producerScore,
        producerScores: producer.streams.map((s) => s.score),
      },
      preferredLayers: consumer.preferredLayers ?? null,
    };
  }

  closeProducer(id: string): void {
    const e = this.producers.get(id);
    if (!e) return;
    this.producers.delete(id);
    e.producer.closed = true;
    e.transport.media.removeProducer(e.producer);
    e.router.producers.delete(id);
    for (const c of e.producer.consumers) {
      c.transport.notify('consumer.producerclose', c.id);
      this.closeConsumer(c.id);
    }
  }

  closeConsumer(id: string): void {
    const e = this.consumers.get(id);
    if (!e) return;
    this.consumers.delete(id);
    e.consumer.closed = true;
    e.transport.media.removeConsumer(e.consumer);
    e.consumer.producer.removeConsumer(e.consumer);
  }

  /** The transport closed: its producers (with their consumers anywhere) and consumers go. */
  closeTransport(transport: WorkerWebRtcTransport): void {
    for (const id of [...transport.media.producers.keys()]) this.closeProducer(id);
    for (const id of [...transport.media.consumers.keys()]) this.closeConsumer(id);
  }
}

function recvStats(s: RecvStream): ProducerStat {
  const t = performance.now();
  return {
    type: 'inbound-rtp',
    timestamp: Date.now(),
    ssrc: s.ssrc,
    ...(s.rtxSsrc ? { rtxSsrc: s.rtxSsrc } : {}),
    ...(s.rid !== undefined ? { rid: s.rid } : {}),
    kind: s.kind,
    mimeType: s.mimeType,
    packetsLost: Math.max(0, s.stats.lost),
    fractionLost: s.lastFractionLost,
    jitter: s.stats.jitter,
    packetsDiscarded: s.packetsDiscarded,
    packetsRetransmitted: 0,
    packetsRepaired: s.nack.recovered,
    nackCount: s.nackCount,
    nackPacketCount: s.nackPacketCount,
    pliCount: s.pliCount,
    firCount: s.firCount,
    ...(s.rtxSsrc ? { rtxPacketsDiscarded: s.rtxPacketsDiscarded } : {}),
    score: s.score,
    packetCount: s.packetCount,
    byteCount: s.byteCount,
    bitrate: s.bitrate.rate(t),
    bitrateByLayer: {},
  };
}

function sendStats(c: WorkerConsumer): ConsumerStat {
  return {
    type: 'outbound-rtp',
    timestamp: Date.now(),
    ssrc: c.ssrc,
    ...(c.rtxSsrc ? { rtxSsrc: c.rtxSsrc } : {}),
    kind: c.kind,
    mimeType: c.mimeType,
    packetsLost: c.packetsLost,
    fractionLost: c.fractionLost,
    jitter: c.jitter,
    packetsDiscarded: c.packetsDiscarded,
    packetsRetransmitted: c.packetsRetransmitted,
    packetsRepaired: 0,
    nackCount: c.nackCount,
    nackPacketCount: c.nackPacketCount,
    pliCount: c.pliCount,
    firCount: c.firCount,
    roundTripTime: c.roundTripTime,
    score: c.score,
    packetCount: c.packetCount,
    byteCount: c.byteCount,
    bitrate: c.bitrate.rate(performance.now()),
  };
}

function dumpProducer(p: WorkerProducer): ProducerDump {
  return {
    id: p.id,
    kind: p.kind,
    type: p.type,
    rtpParameters: p.rtpParameters,
    rtpMapping: p.rtpMapping,
    rtpStreams: p.streams.map((s) => ({
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
    traceEventTypes: [...p.traceEventTypes],
    paused: p.paused,
  };
}

function dumpConsumer(c: WorkerConsumer): ConsumerDump {
  const base = {
    id: c.id,
    producerId: c.producer.id,
    kind: c.kind,
    type: c.type,
    rtpParameters: c.rtpParameters,
    consumableRtpEncodings: c.producer.rtpMapping.encodings.map((e) => ({ ssrc: e.mappedSsrc })),
    supportedCodecPayloadTypes: c.rtpParameters.codecs
      .filter((x) => !/\/rtx$/i.test(x.mimeType))
      .map((x) => x.payloadType),
    traceEventTypes: [...c.traceEventTypes],
    paused: c.paused,
    producerPaused: c.producerPaused,
    priority: c.priority,
    rtpStream: {
      params: {
        encodingIdx: 0,
        ssrc: c.ssrc,
        payloadType: c.payloadType,
        mimeType: c.mimeType,
        clockRate: c.clockRate,
        cname: c.rtpParameters.rtcp?.cname ?? '',
        ...(c.rtxSsrc ? { rtxSsrc: c.rtxSsrc, rtxPayloadType: c.rtxPayloadType } : {}),
        useNack: c.sentLog !== undefined,
        usePli: true,
        useFir: false,
        useInBandFec: false,
        useDtx: false,
        spatialLayers: c.spatialLayers,
        temporalLayers: c.temporalLayers,
      },
      score: c.score,
    },
  };
  if (c.type === 'simple') return base;
  return {
    ...base,
    preferredSpatialLayer: c.preferredSpatial,
    targetSpatialLayer: c.targetSpatial,
    currentSpatialLayer: c.currentSpatial,
    preferredTemporalLayer: c.preferredTemporal,
    targetTemporalLayer: c.preferredTemporal,
    currentTemporalLayer: c.currentTemporal,
  };
}
