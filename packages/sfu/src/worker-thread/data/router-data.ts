/**
 * A router's data plane: its data producers and consumers (each owned by a
 * transport), the fan-out from each data producer to its consumers with
 * mediasoup's subchannel filter, and the close/pause cascades. A message is
 * handed to every consumer as the same Uint8Array; only a direct consumer's
 * delivery to the main thread copies it (postMessage), and a pipe consumer
 * sends a copy with the subchannel metadata in front when there is any.
 */
import type {
  ConsumeDataRequest,
  DataMessage,
  NotifyMain,
  ProduceDataRequest,
} from '../../protocol/worker-protocol.js';
import type { Transport } from '../transport/transport.js';
import { DataConsumer } from './data-consumer.js';
import { DataProducer } from './data-producer.js';

const NO_CONSUMERS: readonly DataConsumer[] = [];

/** Where a data consumer's messages leave the worker (its transport's SCTP association, or the main thread). */
export type DataConsumerSink = (consumer: DataConsumer, message: DataMessage) => boolean;

export class RouterData {
  readonly producers = new Map<string, DataProducer>();
  readonly consumers = new Map<string, DataConsumer>();
  /** Each data producer's consumers; replaced, never changed in place, so a fan-out in progress is unaffected. */
  private readonly fanout = new Map<DataProducer, readonly DataConsumer[]>();
  private readonly notify: NotifyMain;
  private readonly transports: ReadonlyMap<string, Transport>;
  /** How an 'sctp' consumer sends: its transport's association (dropped while there is none or it is down). */
  private readonly sctpSink: DataConsumerSink = (dc, m) =>
    this.transports.get(dc.transportId)?.sctp?.send(dc, m) ?? false;

  constructor(transports: ReadonlyMap<string, Transport>, notify: NotifyMain) {
    this.transports = transports;
    this.notify = notify;
  }

  produce(transport: Transport, d: ProduceDataRequest): void {
    if (this.producers.has(d.dataProducerId))
      throw new Error(
        `a DataProducer with same dataProducerId already exists [dataProducerId:${d.dataProducerId}]`,
      );
    const streamId = d.sctpStreamParameters?.streamId;
    if (streamId !== undefined) {
      for (const dp of transport.dataProducers.values()) {
        if (dp.sctpStreamParameters?.streamId === streamId)
          throw new Error(`streamId already in use [streamId:${streamId}]`);
      }
    }
    const dp = new DataProducer(transport.id, d);
    transport.dataProducers.set(dp.id, dp);
    this.producers.set(dp.id, dp);
    this.fanout.set(dp, NO_CONSUMERS);
  }

  consume(transport: Transport, d: ConsumeDataRequest): { dataProducerPaused: boolean } {
    if (this.consumers.has(d.dataConsumerId))
      throw new Error(
        `a DataConsumer with same dataConsumerId already exists [dataConsumerId:${d.dataConsumerId}]`,
      );
    const dp = this.producers.get(d.dataProducerId);
    if (!dp) throw new Error(`DataProducer not found [dataProducerId:${d.dataProducerId}]`);
    const dc = new DataConsumer(transport.id, d, dp.paused, transport.isPipe);
    transport.dataConsumers.set(dc.id, dc);
    this.consumers.set(dc.id, dc);
    this.fanout.set(dp, [...(this.fanout.get(dp) ?? NO_CONSUMERS), dc]);
    return { dataProducerPaused: dp.paused };
  }

  consumersOf(dp: DataProducer): readonly DataConsumer[] {
    return this.fanout.get(dp) ?? NO_CONSUMERS;
  }

  /** Its consumers close too (`dataproducerclose` in the main thread). */
  closeProducer(dp: DataProducer): void {
    if (this.producers.get(dp.id) !== dp) return;
    this.producers.delete(dp.id);
    this.transports.get(dp.transportId)?.dataProducers.delete(dp.id);
    const consumers = this.consumersOf(dp);
    this.fanout.delete(dp);
    for (const dc of consumers) {
      this.forgetConsumer(dc);
      this.notify('dataConsumer.dataproducerclose', dc.id);
    }
  }

  closeConsumer(dc: DataConsumer): void {
    if (this.consumers.get(dc.id) !== dc) return;
    this.forgetConsumer(dc);
    const dp = this.producers.get(dc.dataProducerId);
    if (dp)
      this.fanout.set(
        dp,
        this.consumersOf(dp).filter((c) => c !== dc),
      );
  }

  /** The transport closed: its data producers (and their consumers elsewhere) and its data consumers go. */
  transportClosed(transport: Transport): void {
    for (const dp of [...transport.dataProducers.values()]) this.closeProducer(dp);
    for (const dc of [...transport.dataConsumers.values()]) this.closeConsumer(dc);
  }

  setProducerPaused(dp: DataProducer, paused: boolean): void {
    if (dp.paused === paused) return;
    dp.paused = paused;
    for (const dc of this.consumersOf(dp)) {
      dc.dataProducerPaused = paused;
      this.notify(paused ? 'dataConsumer.dataproducerpause' : 'dataConsumer.dataproducerresume', dc.id);
    }
  }

  /** A message the data producer received (from SCTP or `dataProducer.send()`): counted, then forwarded. */
  onProducerMessage(dp: DataProducer, message: DataMessage): void {
    dp.messagesReceived++;
    dp.bytesReceived += message.data.byteLength;
    if (dp.paused) return;
    for (const dc of this.consumersOf(dp)) {
      if (!dc.active || !dc.accepts(message)) continue;
      const out = dc.wireMessage(message);
      const sent = dc.type === 'direct' ? this.sendDirect(dc, out) : this.sctpSink(dc, out);
      if (!sent) continue;
      dc.messagesSent++;
      dc.bytesSent += out.data.byteLength;
    }
  }

  /** `dataConsumer.send()`: a message from Node to one 'sctp' consumer's client. */
  sendToConsumer(dc: DataConsumer, message: DataMessage): void {
    if (!this.sctpSink(dc, message)) return;
    dc.messagesSent++;
    dc.bytesSent += message.data.byteLength;
  }

  dump(): {
    mapDataProducerIdDataConsumerIds: { key: string; values: string[] }[];
    mapDataConsumerIdDataProducerId: { key: string; value: string }[];
  } {
    const producers = [...this.producers.values()];
    return {
      mapDataProducerIdDataConsumerIds: producers.map((dp) => ({
        key: dp.id,
        values: this.consumersOf(dp).map((dc) => dc.id),
      })),
      mapDataConsumerIdDataProducerId: producers.flatMap((dp) =>
        this.consumersOf(dp).map((dc) => ({ key: dc.id, value: dp.id })),
      ),
    };
  }

  private sendDirect(dc: DataConsumer, message: DataMessage): boolean {
    this.notify('dataConsumer.message', dc.id, { ppid: message.ppid, data: message.data });
    return true;
  }

  private forgetConsumer(dc: DataConsumer): void {
    this.consumers.delete(dc.id);
    const transport = this.transports.get(dc.transportId);
    transport?.dataConsumers.delete(dc.id);
    transport?.sctp?.resetStream(dc);
  }
}
