/**
 * mediasoup's RtpObserver (the base of AudioLevelObserver and
 * ActiveSpeakerObserver): pause/resume, the producers it watches, close and
 * routerclose, appData and the observer events. The worker half does the
 * watching (`worker-thread/rtp-observer/`); this one forwards its reports.
 */

import { NotFoundError } from '../../errors.js';
import type { AppData } from '../../types/app-data.js';
import type {
  RtpObserverEvents,
  RtpObserverObserverEvents,
  RtpObserverType,
} from '../../types/rtp-observer.js';
import { closedObjectError } from '../closed-error.js';
import { EnhancedEventEmitter } from '../enhanced-event-emitter.js';
import { Logger } from '../logger.js';
import type { Producer } from '../producer.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from '../worker-channel.js';

const logger = new Logger('RtpObserver');

/** What an observer gets from the router that creates it. */
export interface RtpObserverContext {
  id: string;
  routerId: string;
  channel: WorkerChannel;
  events: TargetEvents;
  /** The router's producers (an observer names them by id). */
  getProducerById(producerId: string): Producer | undefined;
}

export abstract class RtpObserverImpl<
  RtpObserverAppData extends AppData = AppData,
  Events extends RtpObserverEvents = RtpObserverEvents,
  ObserverEvents extends RtpObserverObserverEvents = RtpObserverObserverEvents,
> extends EnhancedEventEmitter<Events> {
  readonly #ctx: RtpObserverContext;
  #closed = false;
  #paused = false;
  #appData: RtpObserverAppData;
  readonly #observer: EnhancedEventEmitter<ObserverEvents>;
  readonly #onNotification = (n: WorkerNotification) => {
    if (!this.#closed) this.handleNotification(n);
  };

  protected constructor(ctx: RtpObserverContext, appData: RtpObserverAppData | undefined) {
    super();
    logger.debug('constructor()');
    this.#ctx = ctx;
    this.#appData = appData ?? ({} as RtpObserverAppData);
    this.#observer = new EnhancedEventEmitter<ObserverEvents>();
    this.#own.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    ctx.events.on(ctx.id, this.#onNotification);
  }

  get id(): string {
    return this.#ctx.id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  abstract get type(): RtpObserverType;
  get paused(): boolean {
    return this.#paused;
  }
  get appData(): RtpObserverAppData {
    return this.#appData;
  }
  set appData(appData: RtpObserverAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<ObserverEvents> {
    return this.#observer;
  }

  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#ctx.events.off(this.#ctx.id, this.#onNotification);
    this.#ctx.channel
      .request('router.closeRtpObserver', { routerId: this.#ctx.routerId, rtpObserverId: this.#ctx.id })
      .catch(logger.catcher('close()'));
    this.#own.safeEmit('@close');
    this.#base.safeEmit('close');
  }

  /** @internal the router closed (or its worker). */
  routerClosed(): void {
    if (this.#closed) return;
    logger.debug('routerClosed()');
    this.#closed = true;
    this.#ctx.events.off(this.#ctx.id, this.#onNotification);
    this.#own.safeEmit('routerclose');
    this.#base.safeEmit('close');
  }

  async pause(): Promise<void> {
    logger.debug('pause()');
    this.#checkOpen();
    const wasPaused = this.#paused;
    await this.#ctx.channel.request('rtpObserver.pause', { rtpObserverId: this.#ctx.id });
    this.#paused = true;
    if (!wasPaused) this.#base.safeEmit('pause');
  }

  async resume(): Promise<void> {
    logger.debug('resume()');
    this.#checkOpen();
    const wasPaused = this.#paused;
    await this.#ctx.channel.request('rtpObserver.resume', { rtpObserverId: this.#ctx.id });
    this.#paused = false;
    if (wasPaused) this.#base.safeEmit('resume');
  }

  /** Starts watching an audio producer of the router (NotFoundError for an unknown one, TypeError for video). */
  async addProducer({ producerId }: { producerId: string }): Promise<void> {
    logger.debug('addProducer()');
    const producer = this.#producer(producerId);
    this.#checkOpen();
    await this.#ctx.channel.request('rtpObserver.addProducer', { rtpObserverId: this.#ctx.id, producerId });
    this.#base.safeEmit('addproducer', producer);
  }

  async removeProducer({ producerId }: { producerId: string }): Promise<void> {
    logger.debug('removeProducer()');
    const producer = this.#producer(producerId);
    this.#checkOpen();
    await this.#ctx.channel.request('rtpObserver.removeProducer', {
      rtpObserverId: this.#ctx.id,
      producerId,
    });
    this.#base.safeEmit('removeproducer', producer);
  }

  /** A notification for this observer (only while open). */
  protected abstract handleNotification(n: WorkerNotification): void;

  protected getProducerById(producerId: string): Producer | undefined {
    return this.#ctx.getProducerById(producerId);
  }

  #producer(producerId: unknown): Producer {
    if (typeof producerId !== 'string') throw new TypeError('missing producerId');
    const producer = this.#ctx.getProducerById(producerId);
    if (!producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
    return producer;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw closedObjectError(this.#ctx.channel, `RtpObserver closed [rtpObserverId:${this.#ctx.id}]`);
  }

  /** The base events, whatever the subclass adds (TypeScript cannot narrow a generic event map). */
  get #own(): EnhancedEventEmitter<RtpObserverEvents> {
    return this as unknown as EnhancedEventEmitter<RtpObserverEvents>;
  }

  get #base(): EnhancedEventEmitter<RtpObserverObserverEvents> {
    return this.#observer as unknown as EnhancedEventEmitter<RtpObserverObserverEvents>;
  }
}
