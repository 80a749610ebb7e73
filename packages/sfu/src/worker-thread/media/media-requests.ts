/**
 * Worker-side handling of the Producer/Consumer requests of the channel
 * (`transport.produce`, `transport.consume`, `producer.*`, `consumer.*`):
 * creation, pause/resume, layers, stats and dumps, close.
 */
import type { RtpCodecsEncodingsMapping } from '../../ortc/ortc.js';
import type { ConsumerLayers } from '../../types/consumer.js';
import type { RtpParameters } from '../../types/rtp-parameters.js';
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

  /** Handles `method` if it is ours; returns `{ handled: false }` otherwise. */
  handle(
    method: string,
    d: Record<string, unknown>,
    getTransport: (id: string) => WorkerWebRtcTransport,
    routerOf: (transportId: string) => MediaRouter,
  ): { handled: boolean; result?: unknown } {
    switch (method) {
      case 'transport.produce':
        return {
          handled: true,
          result: this.produce(getTransport(d.transportId as string), routerOf(d.transportId as string), d),
        };
      case 'transport.consume':
        return {
          handled: true,
          result: this.consume(getTransport(d.transportId as string), routerOf(d.transportId as string), d),
        };
      case 'transport.setDropOutgoingForTesting':
        getTransport(d.transportId as string).media.dropOutgoingFraction = Number(d.fraction) || 0;
        return { handled: true };
      case 'producer.close':
        this.closeProducer(d.producerId as string);
        return { handled: true };
      case 'producer.pause':
      case 'producer.resume': {
        const e = this.producer(d.producerId as string);
        const paused = method === 'producer.pause';
        if (e.producer.paused === paused) return { handled: true };
        e.producer.paused = paused;
        for (const c of e.producer.consumers) {
          c.producerPaused = paused;
          c.transport.notify(paused ? 'consumer.producerpause' : 'consumer.producerresume', c.id);
          if (!paused && c.active) c.onResumed(now());
        }
        return { handled: true };
      }
      case 'producer.getStats':
        return {
          handled: true,
          result: this.producer(d.producerId as string)
            .producer.streams.filter((s) => s.packetCount > 0 || s.ssrc !== 0)
            .map((s) => recvStats(s)),
        };
      case 'producer.dump':
        return { handled: true, result: dumpProducer(this.producer(d.producerId as string).producer) };
      case 'producer.enableTraceEvent':
        this.producer(d.producerId as string).producer.traceEventTypes = [...((d.types as string[]) ?? [])];
        return { handled: true };
      case 'consumer.close':
        this.closeConsumer(d.consumerId as string);
        return { handled: true };
      case 'consumer.pause': {
        const c = this.consumer(d.consumerId as string).consumer;
        c.paused = true;
        return { handled: true };
      }
      case 'consumer.resume': {
        const c = this.consumer(d.consumerId as string).consumer;
        if (c.paused) {
          c.paused = false;
          if (c.active) c.onResumed(now());
        }
        return { handled: true };
      }
      case 'consumer.setPreferredLayers': {
        const c = this.consumer(d.consumerId as string).consumer;
        c.setPreferredLayers(d.preferredLayers as ConsumerLayers, now());
        return { handled: true, result: c.preferredLayers ?? null };
      }
      case 'consumer.setPriority': {
        const c = this.consumer(d.consumerId as string).consumer;
        c.priority = Number(d.priority);
        return { handled: true, result: c.priority };
      }
      case 'consumer.requestKeyFrame':
        this.consumer(d.consumerId as string).consumer.requestKeyFrame(now());
        return { handled: true };
      case 'consumer.getStats': {
        const c = this.consumer(d.consumerId as string).consumer;
        const s =
          c.type === 'simulcast' ? c.producer.streams[Math.max(0, c.currentSpatial)] : c.producer.streams[0];
        return { handled: true, result: s ? [sendStats(c), recvStats(s)] : [sendStats(c)] };
      }
      case 'consumer.dump':
        return { handled: true, result: dumpConsumer(this.consumer(d.consumerId as string).consumer) };
      case 'consumer.enableTraceEvent':
        this.consumer(d.consumerId as string).consumer.traceEventTypes = [...((d.types as string[]) ?? [])];
        return { handled: true };
      default:
        return { handled: false };
    }
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

  private produce(
    transport: WorkerWebRtcTransport,
    router: MediaRouter,
    d: Record<string, unknown>,
  ): unknown {
    const id = d.producerId as string;
    if (this.producers.has(id))
      throw new Error(`a Producer with same producerId already exists [producerId:${id}]`);
    const producer = new WorkerProducer({
      id,
      kind: d.kind as 'audio' | 'video',
      rtpParameters: d.rtpParameters as RtpParameters,
      rtpMapping: d.rtpMapping as RtpCodecsEncodingsMapping,
      paused: Boolean(d.paused),
      keyFrameRequestDelay: d.keyFrameRequestDelay as number | undefined,
      transport: transport.media,
    });
    transport.media.addProducer(producer);
    router.producers.set(id, producer);
    this.producers.set(id, { producer, transport, router });
    return { type: producer.type };
  }

  private consume(
    transport: WorkerWebRtcTransport,
    router: MediaRouter,
    d: Record<string, unknown>,
  ): unknown {
    const id = d.consumerId as string;
    const producer = router.producers.get(d.producerId as string);
    if (!producer) throw new Error(`Producer not found [producerId:${d.producerId}]`);
    const consumer = new WorkerConsumer({
      id,
      producer,
      transport: transport.media,
      rtpParameters: d.rtpParameters as RtpParameters,
      paused: Boolean(d.paused),
      preferredLayers: d.preferredLayers as ConsumerLayers | undefined,
      ignoreDtx: Boolean(d.ignoreDtx),
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

function recvStats(s: RecvStream): Record<string, unknown> {
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

function sendStats(c: WorkerConsumer): Record<string, unknown> {
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

function dumpProducer(p: WorkerProducer): Record<string, unknown> {
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

function dumpConsumer(c: WorkerConsumer): Record<string, unknown> {
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
