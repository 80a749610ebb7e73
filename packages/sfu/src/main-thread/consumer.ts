import type { AppData } from '../types/app-data.js';
import type {
  ConsumerDump,
  ConsumerLayers,
  ConsumerObserverEvents,
  ConsumerScore,
  ConsumerStat,
  ConsumerTraceEventData,
  ConsumerTraceEventType,
  ConsumerType,
} from '../types/consumer.js';
import type { ProducerStat } from '../types/producer.js';
import type { MediaKind, RtpParameters } from '../types/rtp-parameters.js';
import { closedObjectError } from './closed-error.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import { traceEventTypes } from './trace-event-types.js';
import { validateLayers, validatePriority } from './validate-media-options.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from './worker-channel.js';

export type ConsumerEvents = {
  transportclose: [];
  producerclose: [];
  producerpause: [];
  producerresume: [];
  score: [ConsumerScore];
  layerschange: [ConsumerLayers?];
  trace: [ConsumerTraceEventData];
  rtp: [Buffer];
  listenererror: [string, Error];
  '@close': [];
  '@producerclose': [];
};

export type { ConsumerObserverEvents };

const TRACE_TYPES: readonly ConsumerTraceEventType[] = ['rtp', 'keyframe', 'nack', 'pli', 'fir'];
const logger = new Logger('Consumer');

/** mediasoup's `Consumer` type (an interface there, implemented by `ConsumerImpl`; here the class itself). */
export type Consumer<ConsumerAppData extends AppData = AppData> = ConsumerImpl<ConsumerAppData>;

/** mediasoup's Consumer: one producer's media sent to a client, rewritten for it by the worker thread. */
export class ConsumerImpl<
  ConsumerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<ConsumerEvents> {
  readonly #id: string;
  readonly #producerId: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  readonly #kind: MediaKind;
  readonly #rtpParameters: RtpParameters;
  readonly #type: ConsumerType;
  #closed = false;
  #paused: boolean;
  #producerPaused: boolean;
  #priority = 1;
  #score: ConsumerScore;
  #preferredLayers: ConsumerLayers | undefined;
  #currentLayers: ConsumerLayers | undefined;
  #appData: ConsumerAppData;
  readonly #observer = new EnhancedEventEmitter<ConsumerObserverEvents>();
  readonly #onNotification = (n: WorkerNotification) => this.#handleNotification(n);

  /** @internal created by `transport.consume()`. */
  constructor(opts: {
    id: string;
    producerId: string;
    channel: WorkerChannel;
    events: TargetEvents;
    kind: MediaKind;
    rtpParameters: RtpParameters;
    type: ConsumerType;
    paused: boolean;
    producerPaused: boolean;
    score: ConsumerScore;
    preferredLayers?: ConsumerLayers;
    appData?: ConsumerAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#producerId = opts.producerId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#kind = opts.kind;
    this.#rtpParameters = opts.rtpParameters;
    this.#type = opts.type;
    this.#paused = opts.paused;
    this.#producerPaused = opts.producerPaused;
    this.#score = opts.score;
    this.#preferredLayers = opts.preferredLayers;
    this.#appData = opts.appData ?? ({} as ConsumerAppData);
    this.#events.on(this.#id, this.#onNotification);
  }

  get id(): string {
    return this.#id;
  }
  get producerId(): string {
    return this.#producerId;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get kind(): MediaKind {
    return this.#kind;
  }
  /** A clone of the consumer's RTP parameters (to give to the client's `transport.consume()`). */
  get rtpParameters(): RtpParameters {
    return structuredClone(this.#rtpParameters);
  }
  get type(): ConsumerType {
    return this.#type;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get producerPaused(): boolean {
    return this.#producerPaused;
  }
  get priority(): number {
    return this.#priority;
  }
  get score(): ConsumerScore {
    return structuredClone(this.#score);
  }
  get preferredLayers(): ConsumerLayers | undefined {
    return this.#preferredLayers ? { ...this.#preferredLayers } : undefined;
  }
  get currentLayers(): ConsumerLayers | undefined {
    return this.#currentLayers ? { ...this.#currentLayers } : undefined;
  }
  get appData(): ConsumerAppData {
    return this.#appData;
  }
  set appData(appData: ConsumerAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<ConsumerObserverEvents> {
    return this.#observer;
  }

  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#channel.request('consumer.close', { consumerId: this.#id }).catch(logger.catcher('close()'));
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    logger.debug('transportClosed()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.safeEmit('transportclose');
    this.#observer.safeEmit('close');
  }

  async dump(): Promise<ConsumerDump> {
    logger.debug('dump()');
    this.#checkOpen();
    return this.#channel.request('consumer.dump', { consumerId: this.#id });
  }

  /** The consumer's `outbound-rtp` entry, then the producer stream's `inbound-rtp` it forwards. */
  async getStats(): Promise<Array<ConsumerStat | ProducerStat>> {
    logger.debug('getStats()');
    this.#checkOpen();
    return this.#channel.request('consumer.getStats', { consumerId: this.#id });
  }

  async pause(): Promise<void> {
    logger.debug('pause()');
    this.#checkOpen();
    await this.#channel.request('consumer.pause', { consumerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = true;
    if (!wasPaused && !this.#producerPaused) this.#observer.safeEmit('pause');
  }

  /** Resumes; a video consumer asks the producer for a keyframe and waits for it. */
  async resume(): Promise<void> {
    logger.debug('resume()');
    this.#checkOpen();
    await this.#channel.request('consumer.resume', { consumerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = false;
    if (wasPaused && !this.#producerPaused) this.#observer.safeEmit('resume');
  }

  async setPreferredLayers(preferredLayers: ConsumerLayers): Promise<void> {
    logger.debug('setPreferredLayers()');
    validateLayers(preferredLayers, 'preferredLayers');
    const { spatialLayer, temporalLayer } = preferredLayers;
    this.#checkOpen();
    const layers = await this.#channel.request('consumer.setPreferredLayers', {
      consumerId: this.#id,
      preferredLayers: { spatialLayer, temporalLayer },
    });
    this.#preferredLayers = layers ?? undefined;
  }

  async setPriority(priority: number): Promise<void> {
    logger.debug('setPriority()');
    validatePriority(priority);
    this.#checkOpen();
    this.#priority = await this.#channel.request('consumer.setPriority', { consumerId: this.#id, priority });
  }

  async unsetPriority(): Promise<void> {
    logger.debug('unsetPriority()');
    await this.setPriority(1);
  }

  async requestKeyFrame(): Promise<void> {
    logger.debug('requestKeyFrame()');
    this.#checkOpen();
    await this.#channel.request('consumer.requestKeyFrame', { consumerId: this.#id });
  }

  async enableTraceEvent(types: ConsumerTraceEventType[] = []): Promise<void> {
    logger.debug('enableTraceEvent()');
    const known = traceEventTypes(types, TRACE_TYPES);
    this.#checkOpen();
    await this.#channel.request('consumer.enableTraceEvent', { consumerId: this.#id, types: known });
  }

  /** Requests of a closed consumer reject (inside the async methods: a rejection, not a throw). */
  #checkOpen(): void {
    if (this.#closed) throw closedObjectError(this.#channel, `Consumer closed [consumerId:${this.#id}]`);
  }

  #handleNotification(n: WorkerNotification): void {
    if (this.#closed) return;
    switch (n.event) {
      case 'consumer.producerclose':
        this.#closed = true;
        this.#events.off(this.#id, this.#onNotification);
        this.safeEmit('@producerclose');
        this.safeEmit('producerclose');
        this.#observer.safeEmit('close');
        break;
      case 'consumer.producerpause':
        if (this.#producerPaused) break;
        this.#producerPaused = true;
        this.safeEmit('producerpause');
        if (!this.#paused) this.#observer.safeEmit('pause');
        break;
      case 'consumer.producerresume':
        if (!this.#producerPaused) break;
        this.#producerPaused = false;
        this.safeEmit('producerresume');
        if (!this.#paused) this.#observer.safeEmit('resume');
        break;
      case 'consumer.score':
        this.#score = n.data;
        this.safeEmit('score', structuredClone(this.#score));
        this.#observer.safeEmit('score', structuredClone(this.#score));
        break;
      case 'consumer.layerschange': {
        const layers = n.data ?? undefined;
        this.#currentLayers = layers;
        this.safeEmit('layerschange', layers ? { ...layers } : undefined);
        this.#observer.safeEmit('layerschange', layers ? { ...layers } : undefined);
        break;
      }
      case 'consumer.trace':
        this.safeEmit('trace', n.data);
        this.#observer.safeEmit('trace', n.data);
        break;
      case 'consumer.rtp':
        // A DirectTransport consumer's packet (the worker's copy, as a Buffer without another copy).
        this.safeEmit('rtp', Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength));
        break;
      default:
        logger.error(`ignoring unknown event "${n.event}"`);
    }
  }
}
