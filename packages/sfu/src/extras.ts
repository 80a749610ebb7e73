/**
 * mediasoup's `extras` namespace: its `EnhancedEventEmitter` and
 * `enhancedOnce()` (Node's `events.once()` typed by the emitter's event map).
 */
import { once } from 'node:events';
import { EnhancedEventEmitter, type EventMap } from './main-thread/enhanced-event-emitter.js';

export { EnhancedEventEmitter };

/** Resolves with the arguments of `eventName`'s next emission (rejects on `'error'`, as `events.once()`). */
export async function enhancedOnce<E extends EventMap = EventMap>(
  emitter: EnhancedEventEmitter<E>,
  eventName: keyof E & string,
  options?: Parameters<typeof once>[2],
): Promise<unknown[]> {
  return once(emitter, eventName, options);
}
