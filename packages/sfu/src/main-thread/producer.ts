import type { AppData } from '../types/app-data.js';
import type {
  ProducerDump,
  ProducerObserverEvents,
  ProducerScore,
  ProducerStat,
  ProducerTraceEventData,
  ProducerTraceEventType,
  ProducerType,
  ProducerVideoOrientation,
} from '../types/producer.js';
import type { MediaKind, RtpParameters } from '../types/rtp-parameters.js';
import { closedObjectError } from './closed-error.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import { traceEventTypes } from './trace-event-types.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from './worker-channel.js';

export type ProducerEvents = {
  transportclose: [];
  score: [ProducerScore[]];
  videoorientationchange: [ProducerVideoOrientation];
  trace: [ProducerTraceEventData];
  listenererror: [string, Error];
  '@close': [];
};

export type { ProducerObserverEvents };

const TRACE_TYPES: readonly ProducerTraceEventType[] = ['rtp', 'keyframe', 'nack', 'pli', 'fir', 'sr'];
const logger = new Logger('Producer');

/** mediasoup's `Producer` type (an interface there, implemented by `ProducerImpl`; here the class itself). */
export type Producer<ProducerAppData extends AppData = AppData> = ProducerImpl<ProducerAppData>;

/** mediasoup's Producer: media a client sends into the router, forwarded by its worker thread. */
export class ProducerImpl<
  ProducerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<ProducerEvents> {
  readonly #id: string;
  readonly #transportId: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  readonly #kind: MediaKind;
  readonly #rtpParameters: RtpParameters;
  readonly #type: ProducerType;
  readonly #consumableRtpParameters: RtpParameters;
  #closed = false;
  #paused: boolean;
  #score: ProducerScore[] = [];
  #appData: ProducerAppData;
  /** A DirectTransport's producer: `send()` hands packets to the worker. */
  readonly #sendFromApi: boolean;
  readonly #observer = new EnhancedEventEmitter<ProducerObserverEvents>();
  readonly #onNotification = (n: WorkerNotification) => this.#handleNotification(n);

  /** @internal created by `transport.produce()`. */
  constructor(opts: {
    id: string;
    transportId: string;
    channel: WorkerChannel;
    events: TargetEvents;
    kind: MediaKind;
    rtpParameters: RtpParameters;
    type: ProducerType;
    consumableRtpParameters: RtpParameters;
    paused: boolean;
    sendFromApi?: boolean;
    appData?: ProducerAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#transportId = opts.transportId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#kind = opts.kind;
    this.#rtpParameters = opts.rtpParameters;
    this.#type = opts.type;
    this.#consumableRtpParameters = opts.consumableRtpParameters;
    this.#paused = opts.paused;
    this.#sendFromApi = opts.sendFromApi === true;
    this.#appData = opts.appData ?? ({} as ProducerAppData);
    this.#events.on(this.#id, this.#onNotification);
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get kind(): MediaKind {
    return this.#kind;
  }
  /** A clone of the RTP parameters the producer was created with (after mediasoup's normalization). */
  get rtpParameters(): RtpParameters {
    return structuredClone(this.#rtpParameters);
  }
  get type(): ProducerType {
    return this.#type;
  }
  /** A clone of the consumable RTP parameters (router payload types, mapped SSRCs). */
  get consumableRtpParameters(): RtpParameters {
    return structuredClone(this.#consumableRtpParameters);
  }
  get paused(): boolean {
    return this.#paused;
  }
  get score(): ProducerScore[] {
    return structuredClone(this.#score);
  }
  get appData(): ProducerAppData {
    return this.#appData;
  }
  set appData(appData: ProducerAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<ProducerObserverEvents> {
    return this.#observer;
  }

  /** Closes the producer; its consumers get `producerclose`. */
  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#channel.request('producer.close', { producerId: this.#id }).catch(logger.catcher('close()'));
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

  async dump(): Promise<ProducerDump> {
    logger.debug('dump()');
    this.#checkOpen();
    return this.#channel.request('producer.dump', { producerId: this.#id });
  }

  /** One `inbound-rtp` entry per stream (encoding) that exists. */
  async getStats(): Promise<ProducerStat[]> {
    logger.debug('getStats()');
    this.#checkOpen();
    return this.#channel.request('producer.getStats', { producerId: this.#id });
  }

  async pause(): Promise<void> {
    logger.debug('pause()');
    this.#checkOpen();
    await this.#channel.request('producer.pause', { producerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = true;
    if (!wasPaused) this.#observer.safeEmit('pause');
  }

  async resume(): Promise<void> {
    logger.debug('resume()');
    this.#checkOpen();
    await this.#channel.request('producer.resume', { producerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = false;
    if (wasPaused) this.#observer.safeEmit('resume');
  }

  /** Enables `trace` events of the given types ('rtp', 'keyframe', 'nack', 'pli', 'fir'). */
  async enableTraceEvent(types: ProducerTraceEventType[] = []): Promise<void> {
    logger.debug('enableTraceEvent()');
    const known = traceEventTypes(types, TRACE_TYPES);
    this.#checkOpen();
    await this.#channel.request('producer.enableTraceEvent', { producerId: this.#id, types: known });
  }

  /**
   * Sends one RTP packet into the router (DirectTransport producers only). The
   * worker parses it: a malformed packet or one of an unknown SSRC is dropped
   * there and counted (`transport.getStats()`'s `tsfuCounters.media`).
   */
  send(rtpPacket: Buffer): void {
    if (!this.#sendFromApi) throw new TypeError('send() is only for Producers of a DirectTransport');
    if (!(rtpPacket instanceof Uint8Array)) throw new TypeError('rtpPacket must be a Buffer');
    if (this.#closed) return;
    // A copy of exactly the packet: a Buffer from Node's pool would otherwise clone the whole pool slab.
    this.#channel.notify('producer.send', this.#id, new Uint8Array(rtpPacket));
  }

  /** Requests of a closed producer reject (inside the async methods: a rejection, not a throw). */
  #checkOpen(): void {
    if (this.#closed) throw closedObjectError(this.#channel, `Producer closed [producerId:${this.#id}]`);
  }

  #handleNotification(n: WorkerNotification): void {
    if (this.#closed) return;
    switch (n.event) {
      case 'producer.score':
        this.#score = n.data;
        this.safeEmit('score', structuredClone(this.#score));
        this.#observer.safeEmit('score', structuredClone(this.#score));
        break;
      case 'producer.videoorientationchange':
        this.safeEmit('videoorientationchange', n.data);
        this.#observer.safeEmit('videoorientationchange', n.data);
        break;
      case 'producer.trace':
        this.safeEmit('trace', n.data);
        this.#observer.safeEmit('trace', n.data);
        break;
      default:
        logger.error(`ignoring unknown event "${n.event}"`);
    }
  }
}
