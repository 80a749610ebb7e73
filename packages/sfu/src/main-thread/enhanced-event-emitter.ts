import { EventEmitter } from 'node:events';
import { Logger } from './logger.js';

const logger = new Logger('EnhancedEventEmitter');

/** Event map: event name → listener argument tuple (mediasoup's `EnhancedEventEmitter` shape). */
// biome-ignore lint/suspicious/noExplicitAny: event maps are open records, as in mediasoup
export type EventMap = Record<string, any[]>;

/**
 * mediasoup's `EnhancedEventEmitter`: a typed `EventEmitter` whose `safeEmit`
 * never lets a throwing listener break the emitter; the error is reported as
 * `listenererror`, or logged when nobody listens for that (observers) or that listener throws too.
 */
export class EnhancedEventEmitter<E extends EventMap = EventMap> extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(Number.POSITIVE_INFINITY);
  }

  override emit<K extends keyof E & string>(eventName: K, ...args: E[K]): boolean {
    return super.emit(eventName, ...args);
  }

  /** Emits and returns whether anyone listened; a listener that throws is reported, not rethrown. */
  safeEmit<K extends keyof E & string>(eventName: K, ...args: E[K]): boolean {
    try {
      return super.emit(eventName, ...args);
    } catch (error) {
      try {
        if (!super.emit('listenererror', eventName, error)) {
          logger.error(`event listener threw an error [eventName:${eventName}]:`, toError(error));
        }
      } catch (error2) {
        // A throwing 'listenererror' listener must not escape either.
        logger.error(`'listenererror' listener threw an error [eventName:${eventName}]:`, toError(error2));
      }
      return Boolean(super.listenerCount(eventName));
    }
  }

  override on<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
    return super.on(eventName, listener as (...args: unknown[]) => void);
  }

  override once<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
    return super.once(eventName, listener as (...args: unknown[]) => void);
  }

  override off<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
    return super.off(eventName, listener as (...args: unknown[]) => void);
  }

  override addListener<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
    return super.addListener(eventName, listener as (...args: unknown[]) => void);
  }

  override removeListener<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
    return super.removeListener(eventName, listener as (...args: unknown[]) => void);
  }

  override listenerCount<K extends keyof E & string>(eventName: K): number {
    return super.listenerCount(eventName);
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
