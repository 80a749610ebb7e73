import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import * as ortc from '../ortc/ortc.js';
import type { AppData } from '../types/app-data.js';
import type { ConsumerOptions } from '../types/consumer.js';
import type { ProducerOptions } from '../types/producer.js';
import type { RtpCapabilities, RtpParameters } from '../types/rtp-parameters.js';
import type { SctpParameters } from '../types/sctp-parameters.js';
import type { SctpState, TransportTraceEventType, TransportTuple } from '../types/transport.js';
import type {
  DtlsParameters,
  DtlsState,
  IceCandidate,
  IceParameters,
  IceState,
  WebRtcTransportDump,
  WebRtcTransportStatWithCounters,
} from '../types/webrtc-transport.js';
import { closedObjectError } from './closed-error.js';
import { type Consumer, ConsumerImpl } from './consumer.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import { type Producer, ProducerImpl } from './producer.js';
import { traceEventTypes } from './trace-event-types.js';
import { validateDtlsParameters } from './validate-dtls-parameters.js';
import { checkOptions } from './validate-fields.js';
import { validateConsumeOptions, validateProduceOptions } from './validate-media-options.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from './worker-channel.js';

export type WebRtcTransportEvents = {
  routerclose: [];
  listenserverclose: [];
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
  listenererror: [string, Error];
  '@close': [];
  '@listenserverclose': [];
  '@routerclose': [];
  '@newproducer': [Producer];
  '@producerclose': [Producer];
};

/** What a transport needs from its router (producers are registered there for `consume()`/`canConsume()`). */
export interface TransportRouterLink {
  readonly rtpCapabilities: RtpCapabilities;
  getProducer(id: string): Producer | undefined;
}

export type WebRtcTransportObserverEvents = {
  close: [];
  newproducer: [Producer];
  newconsumer: [Consumer];
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
};

export type { WebRtcTransportStatWithCounters };

export interface WebRtcTransportData {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: SctpParameters;
  /** Old SCTP option names (mediasoup < 3.20), stored as given. */
  numSctpStreams?: { OS: number; MIS: number };
  maxSctpMessageSize?: number;
}

const logger = new Logger('WebRtcTransport');

const TRANSPORT_TRACE_TYPES: readonly TransportTraceEventType[] = ['probation', 'bwe'];

/** mediasoup sends the bitrate as a u64 (`BigInt(bitrate)`): a non-negative integer. */
function checkBitrateArgument(bitrate: number): void {
  if (!Number.isSafeInteger(bitrate) || bitrate < 0) {
    throw new TypeError(`bitrate must be a non-negative integer [bitrate:${bitrate}]`);
  }
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

/** mediasoup's `WebRtcTransport` type (an interface there, implemented by `WebRtcTransportImpl`; here the class itself). */
export type WebRtcTransport<WebRtcTransportAppData extends AppData = AppData> =
  WebRtcTransportImpl<WebRtcTransportAppData>;

/** mediasoup's WebRtcTransport (ICE-Lite + DTLS + SRTP), driven by its worker thread. */
export class WebRtcTransportImpl<
  WebRtcTransportAppData extends AppData = AppData,
> extends EnhancedEventEmitter<WebRtcTransportEvents> {
  readonly #id: string;
  readonly #routerId: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  readonly #data: WebRtcTransportData;
  #closed = false;
  #appData: WebRtcTransportAppData;
  #iceState: IceState = 'new';
  #iceSelectedTuple: TransportTuple | undefined;
  #dtlsState: DtlsState = 'new';
  #dtlsRemoteCert: string | undefined;
  #sctpState: SctpState | undefined;
  readonly #observer = new EnhancedEventEmitter<WebRtcTransportObserverEvents>();
  readonly #router: TransportRouterLink;
  readonly #producers = new Map<string, Producer>();
  readonly #consumers = new Map<string, Consumer>();
  #cnameForProducers: string | undefined;
  #nextMidForConsumers = 0;
  readonly #onNotification = (n: WorkerNotification) => this.#handleNotification(n);

  /** @internal created by `Router.createWebRtcTransport()`. */
  constructor(opts: {
    id: string;
    routerId: string;
    channel: WorkerChannel;
    events: TargetEvents;
    data: WebRtcTransportData;
    router: TransportRouterLink;
    appData?: WebRtcTransportAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#router = opts.router;
    this.#id = opts.id;
    this.#routerId = opts.routerId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#data = opts.data;
    this.#appData = opts.appData ?? ({} as WebRtcTransportAppData);
    this.#sctpState = opts.data.sctpParameters ? 'new' : undefined;
    this.#events.on(this.#id, this.#onNotification);
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get type(): 'webrtc' {
    return 'webrtc';
  }
  get appData(): WebRtcTransportAppData {
    return this.#appData;
  }
  set appData(appData: WebRtcTransportAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<WebRtcTransportObserverEvents> {
    return this.#observer;
  }
  get iceRole(): 'controlled' {
    return 'controlled';
  }
  get iceParameters(): IceParameters {
    return clone(this.#data.iceParameters);
  }
  get iceCandidates(): IceCandidate[] {
    return clone(this.#data.iceCandidates);
  }
  get iceState(): IceState {
    return this.#iceState;
  }
  get iceSelectedTuple(): TransportTuple | undefined {
    return clone(this.#iceSelectedTuple);
  }
  get dtlsParameters(): DtlsParameters {
    return clone(this.#data.dtlsParameters);
  }
  get dtlsState(): DtlsState {
    return this.#dtlsState;
  }
  get dtlsRemoteCert(): string | undefined {
    return this.#dtlsRemoteCert;
  }
  get sctpParameters(): SctpParameters | undefined {
    return clone(this.#data.sctpParameters);
  }
  get sctpState(): SctpState | undefined {
    return this.#sctpState;
  }

  /** Closes the transport (the worker sends DTLS close_notify and forgets its tuples). */
  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#channel
      .request('router.closeTransport', { routerId: this.#routerId, transportId: this.#id })
      .catch(logger.catcher('close()'));
    this.#setClosedState();
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    logger.debug('routerClosed()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#setClosedState();
    // For its WebRtcServer, which would otherwise keep it until the server closes (mediasoup does).
    this.safeEmit('@routerclose');
    this.safeEmit('routerclose');
    this.#observer.safeEmit('close');
  }

  /** @internal the WebRtcServer closed. */
  listenServerClosed(): void {
    if (this.#closed) return;
    logger.debug('listenServerClosed()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#setClosedState();
    this.safeEmit('@listenserverclose');
    this.safeEmit('listenserverclose');
    this.#observer.safeEmit('close');
  }

  #closeChildren(): void {
    for (const p of this.#producers.values()) {
      p.transportClosed();
      this.safeEmit('@producerclose', p);
    }
    this.#producers.clear();
    for (const c of this.#consumers.values()) c.transportClosed();
    this.#consumers.clear();
  }

  #setClosedState(): void {
    this.#closeChildren();
    this.#iceState = 'closed';
    this.#iceSelectedTuple = undefined;
    this.#dtlsState = 'closed';
    if (this.#sctpState) this.#sctpState = 'closed';
  }

  async dump(): Promise<WebRtcTransportDump> {
    logger.debug('dump()');
    this.#checkOpen();
    return this.#channel.request('transport.dump', { transportId: this.#id });
  }

  /** mediasoup's stats entry plus `tsfuCounters`. */
  async getStats(): Promise<WebRtcTransportStatWithCounters[]> {
    logger.debug('getStats()');
    this.#checkOpen();
    return this.#channel.request('transport.getStats', { transportId: this.#id });
  }

  /** Gives the remote DTLS parameters; DTLS starts once ICE is connected. */
  async connect(options: { dtlsParameters: DtlsParameters }): Promise<void> {
    logger.debug('connect()');
    const dtlsParameters = options?.dtlsParameters;
    validateDtlsParameters(dtlsParameters);
    this.#checkOpen();
    const { dtlsLocalRole } = await this.#channel.request('transport.connect', {
      transportId: this.#id,
      dtlsParameters,
    });
    this.#data.dtlsParameters.role = dtlsLocalRole;
  }

  /** New local ICE credentials (the old ones stop working at once). */
  async restartIce(): Promise<IceParameters> {
    logger.debug('restartIce()');
    this.#checkOpen();
    const iceParameters = await this.#channel.request('transport.restartIce', { transportId: this.#id });
    this.#data.iceParameters = iceParameters;
    return clone(iceParameters);
  }

  /** The REMB value sent toward this transport's producers (0: the default); in `getStats()`. */
  async setMaxIncomingBitrate(bitrate: number): Promise<void> {
    logger.debug(`setMaxIncomingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.#checkOpen();
    await this.#channel.request('transport.setMaxIncomingBitrate', { transportId: this.#id, bitrate });
  }

  /** Validated as mediasoup does and stored (in `getStats()`); enforced once send-side BWE exists. */
  async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
    logger.debug(`setMaxOutgoingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.#checkOpen();
    await this.#channel.request('transport.setMaxOutgoingBitrate', { transportId: this.#id, bitrate });
  }

  /** Validated as mediasoup does and stored (in `getStats()`); enforced once send-side BWE exists. */
  async setMinOutgoingBitrate(bitrate: number): Promise<void> {
    logger.debug(`setMinOutgoingBitrate() [bitrate:${bitrate}]`);
    checkBitrateArgument(bitrate);
    this.#checkOpen();
    await this.#channel.request('transport.setMinOutgoingBitrate', { transportId: this.#id, bitrate });
  }

  /** Trace types `probation` and `bwe` (others are ignored, as mediasoup does); in `dump()`. */
  async enableTraceEvent(types: TransportTraceEventType[] = []): Promise<void> {
    logger.debug('enableTraceEvent()');
    const known = traceEventTypes(types, TRANSPORT_TRACE_TYPES);
    this.#checkOpen();
    await this.#channel.request('transport.enableTraceEvent', { transportId: this.#id, types: known });
  }

  /** The SCTP options given at creation under mediasoup's pre-3.20 names (stored; SCTP lands with data producers). */
  get numSctpStreams(): { OS: number; MIS: number } | undefined {
    return clone(this.#data.numSctpStreams);
  }
  get maxSctpMessageSize(): number | undefined {
    return this.#data.maxSctpMessageSize;
  }

  /** Just for testing purposes (as mediasoup). */
  get producersForTesting(): Map<string, Producer> {
    return this.#producers;
  }

  /**
   * mediasoup's `produce()`: validates and normalizes `rtpParameters` (ortc),
   * maps them to the router's codecs, and starts receiving the media.
   */
  async produce<ProducerAppData extends AppData = AppData>(
    options: ProducerOptions<ProducerAppData>,
  ): Promise<Producer<ProducerAppData>> {
    logger.debug('produce()');
    checkOptions('options', options);
    const { id, kind, rtpParameters, paused = false, keyFrameRequestDelay, appData } = options;
    if (id && this.#producers.has(id)) throw new TypeError(`a Producer with same id "${id}" already exists`);
    if (!['audio', 'video'].includes(kind)) throw new TypeError(`invalid kind "${kind}"`);
    if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
    validateProduceOptions(options);
    if (this.#closed) throw closedObjectError(this.#channel, `Transport closed [transportId:${this.#id}]`);
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
    this.#checkOpen();
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
      appData,
    });
    if (this.#closed) {
      producer.transportClosed();
      return producer;
    }
    this.#producers.set(producer.id, producer as unknown as Producer);
    producer.on('@close', () => {
      this.#producers.delete(producer.id);
      this.safeEmit('@producerclose', producer as unknown as Producer);
    });
    this.safeEmit('@newproducer', producer as unknown as Producer);
    this.#observer.safeEmit('newproducer', producer as unknown as Producer);
    return producer;
  }

  /**
   * mediasoup's `consume()`: consumer RTP parameters for a client with
   * `rtpCapabilities` (ortc), a new SSRC (and RTX SSRC), and forwarding.
   */
  async consume<ConsumerAppData extends AppData = AppData>(
    options: ConsumerOptions<ConsumerAppData>,
  ): Promise<Consumer<ConsumerAppData>> {
    logger.debug('consume()');
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
    validateConsumeOptions(options);
    const caps = structuredClone(rtpCapabilities) as RtpCapabilities;
    ortc.validateAndNormalizeRtpCapabilities(caps);
    const producer = this.#router.getProducer(producerId);
    if (!producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
    if (this.#closed) throw closedObjectError(this.#channel, `Transport closed [transportId:${this.#id}]`);
    const rtpParameters = ortc.getConsumerRtpParameters({
      consumableRtpParameters: producer.consumableRtpParameters,
      remoteRtpCapabilities: caps,
      pipe,
      enableRtx: enableRtx ?? producer.kind === 'video',
    });
    if (!pipe) {
      if (mid) rtpParameters.mid = mid;
      else {
        rtpParameters.mid = `${this.#nextMidForConsumers++}`;
        if (this.#nextMidForConsumers === 100000000) {
          logger.error(`consume() | reaching max MID value "${this.#nextMidForConsumers}"`);
          this.#nextMidForConsumers = 0;
        }
      }
    }
    const consumerId = randomUUID();
    this.#checkOpen();
    const status = await this.#channel.request('transport.consume', {
      transportId: this.#id,
      consumerId,
      producerId,
      kind: producer.kind,
      rtpParameters,
      paused,
      preferredLayers,
      ignoreDtx,
      pipe,
      consumableRtpEncodings: producer.consumableRtpParameters.encodings ?? [],
    });
    const consumer = new ConsumerImpl<ConsumerAppData>({
      id: consumerId,
      producerId,
      channel: this.#channel,
      events: this.#events,
      kind: producer.kind,
      rtpParameters,
      type: pipe ? 'pipe' : producer.type,
      paused: status.paused,
      producerPaused: status.producerPaused,
      score: status.score,
      preferredLayers: status.preferredLayers ?? undefined,
      appData,
    });
    if (this.#closed) {
      consumer.transportClosed();
      return consumer;
    }
    this.#consumers.set(consumer.id, consumer as unknown as Consumer);
    consumer.on('@close', () => this.#consumers.delete(consumer.id));
    consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
    this.#observer.safeEmit('newconsumer', consumer as unknown as Consumer);
    return consumer;
  }

  /** tsfu test hook: drop this fraction (0..1) of the media packets sent on this transport (deterministically spread). */
  async setOutgoingLossForTesting(fraction: number): Promise<void> {
    this.#checkOpen();
    await this.#channel.request('transport.setDropOutgoingForTesting', { transportId: this.#id, fraction });
  }

  /** Requests of a closed transport reject (inside the async methods: a rejection, not a throw). */
  #checkOpen(): void {
    if (this.#closed) throw closedObjectError(this.#channel, `Transport closed [transportId:${this.#id}]`);
  }

  #handleNotification(n: WorkerNotification): void {
    if (this.#closed) return;
    switch (n.event) {
      case 'icestatechange': {
        this.#iceState = n.data.iceState;
        if (this.#iceState === 'disconnected') this.#iceSelectedTuple = undefined;
        this.safeEmit('icestatechange', this.#iceState);
        this.#observer.safeEmit('icestatechange', this.#iceState);
        break;
      }
      case 'iceselectedtuplechange': {
        this.#iceSelectedTuple = n.data.iceSelectedTuple;
        this.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        this.#observer.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        break;
      }
      case 'dtlsstatechange': {
        this.#dtlsState = n.data.dtlsState;
        if (this.#dtlsState === 'connected') this.#dtlsRemoteCert = n.data.dtlsRemoteCert;
        this.safeEmit('dtlsstatechange', this.#dtlsState);
        this.#observer.safeEmit('dtlsstatechange', this.#dtlsState);
        break;
      }
      default:
        logger.error(`ignoring unknown event "${n.event}"`);
    }
  }
}
