/**
 * What every transport kind shares on the main thread (mediasoup's
 * Transport.ts): id, appData, observer, the close cascade (router, listen
 * server, itself) to its producers and consumers, `produce()`/`consume()`,
 * stats and dump requests, bitrate limits and trace events. The kinds
 * (`WebRtcTransportImpl`, `DirectTransportImpl`, `PlainTransportImpl`,
 * `PipeTransportImpl`) add
 * their own state, `connect()` and notifications.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import * as ortc from '../ortc/ortc.js';
import type { AppData } from '../types/app-data.js';
import type { ConsumerOptions } from '../types/consumer.js';
import type { DataConsumerOptions } from '../types/data-consumer.js';
import type { DataProducerOptions } from '../types/data-producer.js';
import type { ProducerOptions } from '../types/producer.js';
import type { RtpCapabilities, RtpParameters } from '../types/rtp-parameters.js';
import type { SctpParameters, SctpStreamParameters } from '../types/sctp-parameters.js';
import type { TransportTraceEventData, TransportTraceEventType, TransportType } from '../types/transport.js';
import { closedObjectError } from './closed-error.js';
import { type Consumer, ConsumerImpl } from './consumer.js';
import { checkDataConsumerOptions, consumerSctpStreamParameters } from './data/consume-data-options.js';
import { type DataConsumer, DataConsumerImpl } from './data/data-consumer.js';
import { type DataProducer, DataProducerImpl } from './data/data-producer.js';
import { normalizeDataProducerOptions } from './data/produce-data-options.js';
import { SctpStreamIds } from './data/sctp-stream-ids.js';
import { normalizeSubchannels } from './data/subchannels.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import { type Producer, ProducerImpl } from './producer.js';
import { traceEventTypes } from './trace-event-types.js';
import { checkOptions } from './validate-fields.js';
import { validateConsumeOptions, validateProduceOptions } from './validate-media-options.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from './worker-channel.js';

/** Events every transport emits (mediasoup's `TransportEvents`, plus tsfu's internal ones). */
export type TransportEvents = {
  routerclose: [];
  listenserverclose: [];
  trace: [TransportTraceEventData];
  listenererror: [string, Error];
  '@close': [];
  '@listenserverclose': [];
  '@routerclose': [];
  '@newproducer': [Producer];
  '@producerclose': [Producer];
  '@newdataproducer': [DataProducer];
  '@dataproducerclose': [DataProducer];
};

/** Observer events every transport emits (mediasoup's `TransportObserverEvents`, media part). */
export type TransportObserverEvents = {
  close: [];
  newproducer: [Producer];
  newconsumer: [Consumer];
  newdataproducer: [DataProducer];
  newdataconsumer: [DataConsumer];
  trace: [TransportTraceEventData];
};

/** What a transport needs from its router (producers are registered there for `consume()`/`canConsume()`). */
export interface TransportRouterLink {
  readonly rtpCapabilities: RtpCapabilities;
  getProducer(id: string): Producer | undefined;
  getDataProducer(id: string): DataProducer | undefined;
}

/** What the router gives every transport it creates. */
export interface TransportConstructorOptions<TransportAppData> {
  id: string;
  routerId: string;
  channel: WorkerChannel;
  events: TargetEvents;
  router: TransportRouterLink;
  appData?: TransportAppData;
}

/** Every transport as the router, WebRtcServer and observers see it. */
export type Transport = TransportImpl<AppData, TransportEvents, TransportObserverEvents>;

const TRANSPORT_TRACE_TYPES: readonly TransportTraceEventType[] = ['probation', 'bwe'];

/** mediasoup sends the bitrate as a u64 (`BigInt(bitrate)`): a non-negative integer. */
function checkBitrateArgument(bitrate: number): void {
  if (!Number.isSafeInteger(bitrate) || bitrate < 0) {
    throw new TypeError(`bitrate must be a non-negative integer [bitrate:${bitrate}]`);
  }
}

export abstract class TransportImpl<
  TransportAppData extends AppData = AppData,
  Events extends TransportEvents = TransportEvents,
  ObserverEvents extends TransportObserverEvents = TransportObserverEvents,
> extends EnhancedEventEmitter<Events> {
  readonly #id: string;
  readonly #routerId: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  readonly #router: TransportRouterLink;
  #closed = false;
  #appData: TransportAppData;
  readonly #observer = new EnhancedEventEmitter<ObserverEvents>();
  readonly #producers = new Map<string, Producer>();
  readonly #consumers = new Map<string, Consumer>();
  readonly #dataProducers = new Map<string, DataProducer>();
  readonly #dataConsumers = new Map<string, DataConsumer>();
  #sctpStreamIds: SctpStreamIds | undefined;
  #cnameForProducers: string | undefined;
  #nextMidForConsumers = 0;
  readonly #onNotification = (n: WorkerNotification) => {
    if (!this.#closed) this.handleNotification(n);
  };
  protected readonly logger: Logger;

  constructor(opts: TransportConstructorOptions<TransportAppData>, loggerName: string) {
    super();
    this.logger = new Logger(loggerName);
    this.logger.debug('constructor()');
    this.base.on('listenererror', (eventName, error) => {
      this.logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#routerId = opts.routerId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#router = opts.router;
    this.#appData = opts.appData ?? ({} as TransportAppData);
    this.#events.on(this.#id, this.#onNotification);
  }

  /** This emitter typed with the events every kind has (the generic `Events` hides them from `safeEmit`). */
  protected get base(): EnhancedEventEmitter<TransportEvents> {
    return this as unknown as EnhancedEventEmitter<TransportEvents>;
  }
  protected get baseObserver(): EnhancedEventEmitter<TransportObserverEvents> {
    return this.#observer as unknown as EnhancedEventEmitter<TransportObserverEvents>;
  }
  protected get channel(): WorkerChannel {
    return this.#channel;
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  abstract get type(): TransportType;
  /** mediasoup's `dump()` of this kind. */
  abstract dump(): Promise<unknown>;
  /** mediasoup's `getStats()` of this kind (one entry). */
  abstract getStats(): Promise<unknown[]>;
  /** The kind's remote parameters (a no-op for a DirectTransport). */
  abstract connect(params: never): Promise<void>;
  get appData(): TransportAppData {
    return this.#appData;
  }
  set appData(appData: TransportAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<ObserverEvents> {
    return this.#observer;
  }

  /** Just for testing purposes (as mediasoup). */
  get producersForTesting(): Map<string, Producer> {
    return this.#producers;
  }

  /** Closes the transport, its producers and its consumers. */
  close(): void {
    if (this.#closed) return;
    this.logger.debug('close()');
    this.#markClosed();
    this.#channel
      .request('router.closeTransport', { routerId: this.#routerId, transportId: this.#id })
      .catch(this.logger.catcher('close()'));
    this.base.safeEmit('@close');
    this.baseObserver.safeEmit('close');
  }

  /** @internal the router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    this.logger.debug('routerClosed()');
    this.#markClosed();
    // For its WebRtcServer, which would otherwise keep it until the server closes (mediasoup does).
    this.base.safeEmit('@routerclose');
    this.base.safeEmit('routerclose');
    this.baseObserver.safeEmit('close');
  }

  /** @internal the WebRtcServer closed. */
  listenServerClosed(): void {
    if (this.#closed) return;
    this.logger.debug('listenServerClosed()');
    this.#markClosed();
    this.base.safeEmit('@listenserverclose');
    this.base.safeEmit('listenserverclose');
    this.baseObserver.safeEmit('close');
  }

  #markClosed(): void {
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    for (const p of this.#producers.values()) {
      p.transportClosed();
      this.base.safeEmit('@producerclose', p);
    }
    this.#producers.clear();
    for (const c of this.#consumers.values()) c.transportClosed();
    this.#consumers.clear();
    for (const dp of this.#dataProducers.values()) {
      dp.transportClosed();
      this.base.safeEmit('@dataproducerclose', dp);
    }
    this.#dataProducers.clear();
    for (const dc of this.#dataConsumers.values()) dc.transportClosed();
    this.#dataConsumers.clear();
    this.onClosed();
  }

  /** The kind's own state when the transport closes (ICE/DTLS `closed`, …). */
  protected onClosed(): void {}

  /** A notification for this transport's id (never called once closed). */
  protected handleNotification(n: WorkerNotification): void {
    if (n.event === 'transport.trace') {
      this.base.safeEmit('trace', n.data);
      this.baseObserver.safeEmit('trace', n.data);
      return;
    }
    this.logger.error(`ignoring unknown event "${n.event}"`);
  }

  /** Requests of a closed transport reject (inside the async methods: a rejection, not a throw). */
  protected checkOpen(): void {
    if (this.#closed) throw closedObjectError(this.#channel, `Transport closed [transportId:${this.#id}]`);
  }

  /** The worker's dump of this transport (each kind narrows its type). */
  protected async requestDump(): Promise<unknown> {
    this.logger.debug('dump()');
    this.checkOpen();
    return this.#channel.request('transport.dump', { transportId: this.#id });
  }

  /** The worker's stats entry of this transport (each kind narrows its type). */
  protected async requestStats(): Promise<unknown[]> {
    this.logger.debug('getStats()');
    this.checkOpen();
    return this.#channel.request('transport.getStats', { transportId: this.#id });
  }

  /** The REMB value sent toward this transport's producers (0: the default); in `getStats()`. */
  async setMaxIncomingBitrate(bitrate: number): Promise<void> {
    this.logger.debug(`setMaxIncomingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.checkOpen();
    await this.#channel.request('transport.setMaxIncomingBitrate', { transportId: this.#id, bitrate });
  }

  /** Validated as mediasoup does and stored (in `getStats()`); enforced once send-side BWE exists. */
  async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
    this.logger.debug(`setMaxOutgoingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.checkOpen();
    await this.#channel.request('transport.setMaxOutgoingBitrate', { transportId: this.#id, bitrate });
  }

  /** Validated as mediasoup does and stored (in `getStats()`); enforced once send-side BWE exists. */
  async setMinOutgoingBitrate(bitrate: number): Promise<void> {
    this.logger.debug(`setMinOutgoingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.checkOpen();
    await this.#channel.request('transport.setMinOutgoingBitrate', { transportId: this.#id, bitrate });
  }

  /** Trace types `probation` and `bwe` (others are ignored, as mediasoup does); in `dump()`. */
  async enableTraceEvent(types: TransportTraceEventType[] = []): Promise<void> {
    this.logger.debug('enableTraceEvent()');
    const known = traceEventTypes(types, TRANSPORT_TRACE_TYPES);
    this.checkOpen();
    await this.#channel.request('transport.enableTraceEvent', { transportId: this.#id, types: known });
  }

  /** tsfu test hook: drop this fraction (0..1) of the media packets sent on this transport (deterministically spread). */
  async setOutgoingLossForTesting(fraction: number): Promise<void> {
    this.checkOpen();
    await this.#channel.request('transport.setDropOutgoingForTesting', { transportId: this.#id, fraction });
  }

  /** Whether the producers of this kind take packets from `producer.send()` (DirectTransport). */
  protected get producersSendFromApi(): boolean {
    return false;
  }

  /**
   * mediasoup's `produce()`: validates and normalizes `rtpParameters` (ortc),
   * maps them to the router's codecs, and starts receiving the media.
   */
  async produce<ProducerAppData extends AppData = AppData>(
    options: ProducerOptions<ProducerAppData>,
  ): Promise<Producer<ProducerAppData>> {
    this.logger.debug('produce()');
    checkOptions('options', options);
    const { id, kind, rtpParameters, paused = false, keyFrameRequestDelay, appData } = options;
    if (id && this.#producers.has(id)) throw new TypeError(`a Producer with same id "${id}" already exists`);
    if (!['audio', 'video'].includes(kind)) throw new TypeError(`invalid kind "${kind}"`);
    if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
    validateProduceOptions(options);
    this.checkOpen();
    const params = structuredClone(rtpParameters) as RtpParameters;
    ortc.validateAndNormalizeRtpParameters(params);
    if (!Array.isArray(params.encodings) || params.encodings.length === 0) params.encodings = [{}];
    if (!this.#cnameForProducers && params.rtcp?.cname) this.#cnameForProducers = params.rtcp.cname;
    else if (!this.#cnameForProducers) this.#cnameForProducers = randomUUID().slice(0, 8);
    params.rtcp = params.rtcp ?? {};
    params.rtcp.cname = this.#cnameForProducers;
    const routerCaps = this.#router.rtpCapabilities;
    const rtpMapping = ortc.getProducerRtpParametersMapping(params, routerCaps);
    const consumableRtpParameters = ortc.getConsumableRtpParameters(kind, params, routerCaps, rtpMapping);
    const producerId = id ?? randomUUID();
    this.checkOpen();
    const { type } = await this.#channel.request('transport.produce', {
      transportId: this.#id,
      producerId,
      kind,
      rtpParameters: params,
      rtpMapping,
      paused,
      keyFrameRequestDelay,
    });
    const producer = new ProducerImpl<ProducerAppData>({
      id: producerId,
      transportId: this.#id,
      channel: this.#channel,
      events: this.#events,
      kind,
      rtpParameters: params,
      type,
      consumableRtpParameters,
      paused,
      sendFromApi: this.producersSendFromApi,
      appData,
    });
    if (this.#closed) {
      producer.transportClosed();
      return producer;
    }
    const p = producer as unknown as Producer;
    this.#producers.set(producer.id, p);
    producer.on('@close', () => {
      this.#producers.delete(producer.id);
      this.base.safeEmit('@producerclose', p);
    });
    this.base.safeEmit('@newproducer', p);
    this.baseObserver.safeEmit('newproducer', p);
    return producer;
  }

  /**
   * mediasoup's `consume()`: consumer RTP parameters for a client with
   * `rtpCapabilities` (ortc), a new SSRC (and RTX SSRC), and forwarding.
   */
  async consume<ConsumerAppData extends AppData = AppData>(
    options: ConsumerOptions<ConsumerAppData>,
  ): Promise<Consumer<ConsumerAppData>> {
    this.logger.debug('consume()');
    checkOptions('options', options);
    const {
      producerId,
      rtpCapabilities,
      paused = false,
      mid,
      preferredLayers,
      ignoreDtx = false,
      enableRtx,
      pipe = false,
      appData,
    } = options;
    if (!producerId || typeof producerId !== 'string') throw new TypeError('missing producerId');
    if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
    if (mid && (typeof mid !== 'string' || mid.length === 0)) {
      throw new TypeError('if given, mid must be non empty string');
    }
    const caps = this.consumerRtpCapabilities(rtpCapabilities);
    validateConsumeOptions({ ...options, rtpCapabilities: caps });
    ortc.validateAndNormalizeRtpCapabilities(caps);
    const producer = this.#router.getProducer(producerId);
    if (!producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
    this.checkOpen();
    const asPipe = pipe || this.consumesAsPipe;
    const rtpParameters = this.consumesAsPipe
      ? this.consumerRtpParameters(producer)
      : ortc.getConsumerRtpParameters({
          consumableRtpParameters: producer.consumableRtpParameters,
          remoteRtpCapabilities: caps,
          pipe,
          enableRtx: enableRtx ?? producer.kind === 'video',
        });
    if (!asPipe) {
      if (mid) rtpParameters.mid = mid;
      else {
        rtpParameters.mid = `${this.#nextMidForConsumers++}`;
        if (this.#nextMidForConsumers === 100000000) {
          this.logger.error(`consume() | reaching max MID value "${this.#nextMidForConsumers}"`);
          this.#nextMidForConsumers = 0;
        }
      }
    }
    const consumerId = randomUUID();
    this.checkOpen();
    const status = await this.#channel.request('transport.consume', {
      transportId: this.#id,
      consumerId,
      producerId,
      kind: producer.kind,
      rtpParameters,
      paused,
      preferredLayers,
      ignoreDtx,
      pipe: asPipe,
      consumableRtpEncodings: producer.consumableRtpParameters.encodings ?? [],
    });
    const consumer = new ConsumerImpl<ConsumerAppData>({
      id: consumerId,
      producerId,
      channel: this.#channel,
      events: this.#events,
      kind: producer.kind,
      rtpParameters,
      type: asPipe ? 'pipe' : producer.type,
      paused: status.paused,
      producerPaused: status.producerPaused,
      // A PipeTransport's consumer reports no producer scores (as mediasoup's PipeTransport.consume()).
      score: this.consumesAsPipe ? { score: 10, producerScore: 10, producerScores: [] } : status.score,
      preferredLayers: status.preferredLayers ?? undefined,
      appData,
    });
    if (this.#closed) {
      consumer.transportClosed();
      return consumer;
    }
    const c = consumer as unknown as Consumer;
    this.#consumers.set(consumer.id, c);
    consumer.on('@close', () => this.#consumers.delete(consumer.id));
    consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
    this.baseObserver.safeEmit('newconsumer', c);
    return consumer;
  }

  /** mediasoup's `produceData()`: an SCTP stream of this transport's association, or direct data. */
  async produceData<DataProducerAppData extends AppData = AppData>(
    options: DataProducerOptions<DataProducerAppData> = {},
  ): Promise<DataProducer<DataProducerAppData>> {
    this.logger.debug('produceData()');
    const { id, appData } = options ?? {};
    if (id && this.#dataProducers.has(id))
      throw new TypeError(`a DataProducer with same id "${id}" already exists`);
    const o = normalizeDataProducerOptions(options, this.producersSendFromApi);
    this.checkOpen();
    const dataProducerId = id ?? randomUUID();
    await this.#channel.request('transport.produceData', { transportId: this.#id, dataProducerId, ...o });
    const dataProducer = new DataProducerImpl<DataProducerAppData>({
      id: dataProducerId,
      channel: this.#channel,
      ...o,
      appData,
    });
    if (this.#closed) {
      dataProducer.transportClosed();
      return dataProducer;
    }
    const dp = dataProducer as unknown as DataProducer;
    this.#dataProducers.set(dp.id, dp);
    dataProducer.on('@close', () => {
      this.#dataProducers.delete(dp.id);
      this.base.safeEmit('@dataproducerclose', dp);
    });
    this.base.safeEmit('@newdataproducer', dp);
    this.baseObserver.safeEmit('newdataproducer', dp);
    return dataProducer;
  }

  /**
   * mediasoup's `consumeData()`: an 'sctp' consumer gets a stream id of its
   * own on this transport's association; a DirectTransport's is 'direct'.
   */
  async consumeData<DataConsumerAppData extends AppData = AppData>(
    options: DataConsumerOptions<DataConsumerAppData>,
  ): Promise<DataConsumer<DataConsumerAppData>> {
    this.logger.debug('consumeData()');
    checkDataConsumerOptions(options);
    const { dataProducerId, paused = false, appData } = options;
    const subchannels = normalizeSubchannels(options.subchannels);
    const dataProducer = this.#router.getDataProducer(dataProducerId);
    if (!dataProducer) throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
    this.checkOpen();
    const direct = this.producersSendFromApi;
    let sctpStreamParameters: SctpStreamParameters | undefined;
    if (!direct) {
      const streamId = this.#streamIds().take();
      sctpStreamParameters = {
        ...consumerSctpStreamParameters(options, dataProducer.sctpStreamParameters),
        streamId,
      };
    }
    const dataConsumerId = randomUUID();
    const common = {
      dataProducerId,
      type: direct ? ('direct' as const) : ('sctp' as const),
      ...(sctpStreamParameters ? { sctpStreamParameters } : {}),
      label: dataProducer.label,
      protocol: dataProducer.protocol,
      paused: paused === true,
      subchannels,
    };
    let status: { dataProducerPaused: boolean };
    try {
      status = await this.#channel.request('transport.consumeData', {
        transportId: this.#id,
        dataConsumerId,
        ...common,
      });
    } catch (error) {
      if (sctpStreamParameters) this.#sctpStreamIds?.release(sctpStreamParameters.streamId);
      throw error;
    }
    const dataConsumer = new DataConsumerImpl<DataConsumerAppData>({
      id: dataConsumerId,
      channel: this.#channel,
      events: this.#events,
      ...common,
      dataProducerPaused: status.dataProducerPaused,
      appData,
    });
    if (this.#closed) {
      dataConsumer.transportClosed();
      return dataConsumer;
    }
    const dc = dataConsumer as unknown as DataConsumer;
    this.#dataConsumers.set(dc.id, dc);
    const forget = () => {
      this.#dataConsumers.delete(dc.id);
      if (sctpStreamParameters) this.#sctpStreamIds?.release(sctpStreamParameters.streamId);
    };
    dataConsumer.on('@close', forget);
    dataConsumer.on('@dataproducerclose', forget);
    this.baseObserver.safeEmit('newdataconsumer', dc);
    return dataConsumer;
  }

  /** The stream ids of this transport's data consumers (MIS of its SCTP parameters). */
  #streamIds(): SctpStreamIds {
    if (!this.#sctpStreamIds) {
      const mis = (this as { sctpParameters?: SctpParameters }).sctpParameters?.MIS;
      if (typeof mis !== 'number') throw new TypeError('missing sctpParameters.MIS');
      this.#sctpStreamIds = new SctpStreamIds(mis);
    }
    return this.#sctpStreamIds;
  }

  /** Whether its consumers are pipe consumers (a PipeTransport's). */
  protected get consumesAsPipe(): boolean {
    return false;
  }

  /** A pipe transport's consumer parameters (`consumesAsPipe`). */
  protected consumerRtpParameters(_producer: Producer): RtpParameters {
    throw new TypeError('not a pipe transport');
  }

  /** The capabilities a consumer is computed for (a DirectTransport uses the router's when none are given). */
  protected consumerRtpCapabilities(rtpCapabilities: RtpCapabilities | undefined): RtpCapabilities {
    return structuredClone(rtpCapabilities) as RtpCapabilities;
  }

  /** The router's RTP capabilities (a clone). */
  protected get routerRtpCapabilities(): RtpCapabilities {
    return structuredClone(this.#router.rtpCapabilities);
  }
}
