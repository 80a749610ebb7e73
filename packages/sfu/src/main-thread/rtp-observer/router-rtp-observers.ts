/**
 * A router's RTP observers on the main thread: option checks (mediasoup's,
 * plus finite numbers and an integer `maxEntries` that fits its uint16),
 * creation in the worker, the router's map of them, and their end when the
 * router closes. `Router` delegates `createAudioLevelObserver()` and
 * `createActiveSpeakerObserver()` here.
 */
import { randomUUID } from 'node:crypto';
import type { AppData } from '../../types/app-data.js';
import type { ActiveSpeakerObserverOptions, AudioLevelObserverOptions } from '../../types/rtp-observer.js';
import { type ActiveSpeakerObserver, ActiveSpeakerObserverImpl } from './active-speaker-observer.js';
import { type AudioLevelObserver, AudioLevelObserverImpl } from './audio-level-observer.js';
import type { RtpObserverContext, RtpObserverImpl } from './rtp-observer.js';

/** Any RTP observer (what `router.observer` announces with `newrtpobserver`). */
export type RtpObserver<T extends AppData = AppData> = AudioLevelObserver<T> | ActiveSpeakerObserver<T>;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkAppData(appData: unknown): void {
  if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
}

function checkInterval(interval: unknown): void {
  if (!isFiniteNumber(interval)) throw new TypeError('if given, interval must be a number');
}

/** `createAudioLevelObserver` options with mediasoup's defaults, or TypeError. */
export function audioLevelObserverSettings(options: AudioLevelObserverOptions | undefined): {
  maxEntries: number;
  threshold: number;
  interval: number;
} {
  const { maxEntries = 1, threshold = -80, interval = 1000, appData } = options ?? {};
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 0xffff)
    throw new TypeError('if given, maxEntries must be a positive integer');
  if (!isFiniteNumber(threshold) || threshold < -127 || threshold > 0)
    throw new TypeError('if given, threshold must be a number from -127 to 0');
  checkInterval(interval);
  checkAppData(appData);
  return { maxEntries, threshold, interval };
}

export function activeSpeakerObserverSettings(options: ActiveSpeakerObserverOptions | undefined): {
  interval: number;
} {
  const { interval = 300, appData } = options ?? {};
  checkInterval(interval);
  checkAppData(appData);
  return { interval };
}

/** What the router provides besides the observers' context. */
export interface RouterHooks {
  /** The error a request of the router rejects with once it is closed; undefined while open. */
  closedError(): Error | undefined;
  /** Emits the router's `newrtpobserver`. */
  announce(observer: RtpObserver): void;
}

export class RouterRtpObservers {
  readonly #ctx: Omit<RtpObserverContext, 'id'>;
  readonly #observers = new Map<string, RtpObserver>();
  readonly #router: RouterHooks;

  constructor(ctx: Omit<RtpObserverContext, 'id'>, router: RouterHooks) {
    this.#ctx = ctx;
    this.#router = router;
  }

  get ids(): string[] {
    return [...this.#observers.keys()];
  }

  async createAudioLevelObserver<T extends AppData = AppData>(
    options: AudioLevelObserverOptions<T> | undefined,
  ): Promise<AudioLevelObserver<T>> {
    const settings = audioLevelObserverSettings(options);
    this.#checkRouterOpen();
    const id = randomUUID();
    await this.#ctx.channel.request('router.createAudioLevelObserver', {
      routerId: this.#ctx.routerId,
      rtpObserverId: id,
      ...settings,
    });
    return this.#register(new AudioLevelObserverImpl<T>({ ...this.#ctx, id }, options?.appData));
  }

  async createActiveSpeakerObserver<T extends AppData = AppData>(
    options: ActiveSpeakerObserverOptions<T> | undefined,
  ): Promise<ActiveSpeakerObserver<T>> {
    const settings = activeSpeakerObserverSettings(options);
    this.#checkRouterOpen();
    const id = randomUUID();
    await this.#ctx.channel.request('router.createActiveSpeakerObserver', {
      routerId: this.#ctx.routerId,
      rtpObserverId: id,
      ...settings,
    });
    return this.#register(new ActiveSpeakerObserverImpl<T>({ ...this.#ctx, id }, options?.appData));
  }

  /** The router closed: each observer gets `routerclose`. */
  routerClosed(): void {
    const observers = [...this.#observers.values()];
    this.#observers.clear();
    for (const o of observers) o.routerClosed();
  }

  #checkRouterOpen(): void {
    const error = this.#router.closedError();
    if (error) throw error;
  }

  #register<O extends RtpObserver>(observer: O): O {
    // The router closed while the worker created it: it is born closed.
    if (this.#router.closedError()) {
      observer.routerClosed();
      return observer;
    }
    this.#observers.set(observer.id, observer);
    (observer as RtpObserverImpl).on('@close', () => this.#observers.delete(observer.id));
    this.#router.announce(observer as RtpObserver);
    return observer;
  }
}
