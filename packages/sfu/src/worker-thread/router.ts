/**
 * The worker half of a Router (mediasoup's RTC::Router): its transports, the
 * producers and consumers on them, and the fan-out from each producer to its
 * consumers — every packet a transport receives for a producer is handed
 * here to each consumer of it, whatever transport that consumer sends on.
 */
import { NotFoundError } from '../errors.js';
import type { DataMessage, NotifyMain } from '../protocol/worker-protocol.js';
import type { RouterDump } from '../types/router.js';
import type { Consumer } from './consumer/consumer.js';
import type { DataProducer } from './data/data-producer.js';
import { RouterData } from './data/router-data.js';
import type { Producer } from './producer.js';
import type { RecvStream } from './rtp/recv-stream.js';
import type { RtpPacket } from './rtp/rtp-packet.js';
import { RouterRtpObservers } from './rtp-observer/router-rtp-observers.js';
import type { Transport, TransportListener } from './transport/transport.js';

const NO_CONSUMERS: readonly Consumer[] = [];

export class Router implements TransportListener {
  readonly id: string;
  readonly transports = new Map<string, Transport>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  /** Each producer's consumers; replaced, never changed in place, so a fan-out in progress is unaffected. */
  private readonly fanout = new Map<Producer, readonly Consumer[]>();
  /** Its AudioLevelObservers and ActiveSpeakerObservers, and the producers each watches. */
  readonly rtpObservers = new RouterRtpObservers();

  /** Its data producers and consumers, and the routing of their messages. */
  readonly data: RouterData;

  constructor(id: string, notify: NotifyMain = () => {}) {
    this.id = id;
    this.data = new RouterData(this.transports, notify);
  }

  addTransport(transport: Transport): void {
    this.transports.set(transport.id, transport);
  }

  /** Closes the transport (its producers' consumers on other transports go too) and forgets it. */
  closeTransport(transport: Transport): void {
    this.data.transportClosed(transport);
    transport.close();
    this.transports.delete(transport.id);
  }

  close(): void {
    for (const t of [...this.transports.values()]) this.closeTransport(t);
    this.rtpObservers.closeAll();
  }

  /** The consumers of `producer` (empty when it has none or is not this router's). */
  consumersOf(producer: Producer): readonly Consumer[] {
    return this.fanout.get(producer) ?? NO_CONSUMERS;
  }

  dump(): RouterDump {
    const producers = [...this.producers.values()];
    return {
      id: this.id,
      transportIds: [...this.transports.keys()],
      rtpObserverIds: [...this.rtpObservers.observers.keys()],
      mapProducerIdConsumerIds: producers.map((p) => ({
        key: p.id,
        values: this.consumersOf(p).map((c) => c.id),
      })),
      mapConsumerIdProducerId: producers.flatMap((p) =>
        this.consumersOf(p).map((c) => ({ key: c.id, value: p.id })),
      ),
      mapProducerIdObserverIds: producers.map((p) => ({
        key: p.id,
        values: this.rtpObservers.observerIdsOf(p),
      })),
      ...this.data.dump(),
    };
  }

  // ---- TransportListener -----------------------------------------------------------------

  onTransportDataProducerMessage(dataProducer: DataProducer, message: DataMessage): void {
    this.data.onProducerMessage(dataProducer, message);
  }

  onTransportNewProducer(_transport: Transport, producer: Producer): void {
    if (this.producers.has(producer.id))
      throw new Error(`a Producer with same producerId already exists [producerId:${producer.id}]`);
    this.producers.set(producer.id, producer);
    this.fanout.set(producer, NO_CONSUMERS);
  }

  onTransportProducerClosed(_transport: Transport, producer: Producer): void {
    if (this.producers.get(producer.id) === producer) this.producers.delete(producer.id);
    const consumers = this.consumersOf(producer);
    this.fanout.delete(producer);
    for (const c of consumers) c.producerClosed();
    this.rtpObservers.producerClosed(producer);
  }

  onTransportProducerPaused(_transport: Transport, producer: Producer): void {
    const now = performance.now();
    for (const c of this.consumersOf(producer)) c.setProducerPaused(true, now);
    this.rtpObservers.producerPaused(producer);
  }

  onTransportProducerResumed(_transport: Transport, producer: Producer): void {
    const now = performance.now();
    for (const c of this.consumersOf(producer)) c.setProducerPaused(false, now);
    this.rtpObservers.producerResumed(producer);
  }

  onTransportProducerRtpPacketReceived(
    producer: Producer,
    stream: RecvStream,
    packet: RtpPacket,
    mappedPt: number,
    nowMs: number,
  ): void {
    // Observers first (a consumer may rewrite the header it shares); unwatched producers skip the call.
    if (producer.rtpObserverWatch !== undefined) this.rtpObservers.onRtpPacket(producer, packet, nowMs);
    const consumers = this.fanout.get(producer);
    if (consumers === undefined) return;
    for (let i = 0; i < consumers.length; i++) consumers[i].sendRtpPacket(stream, packet, mappedPt, nowMs);
  }

  onTransportProducerScore(producer: Producer): void {
    for (const c of this.consumersOf(producer)) c.notifyScore();
  }

  getProducer(producerId: string): Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw new NotFoundError(`Producer not found [producerId:${producerId}]`);
    return producer;
  }

  onTransportNewConsumer(_transport: Transport, consumer: Consumer): void {
    this.consumers.set(consumer.id, consumer);
    this.fanout.set(consumer.producer, [...this.consumersOf(consumer.producer), consumer]);
  }

  onTransportConsumerClosed(_transport: Transport, consumer: Consumer): void {
    if (this.consumers.get(consumer.id) === consumer) this.consumers.delete(consumer.id);
    const list = this.fanout.get(consumer.producer);
    if (list)
      this.fanout.set(
        consumer.producer,
        list.filter((c) => c !== consumer),
      );
  }
}
