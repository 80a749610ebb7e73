/**
 * The main thread's view of a worker thread's control channel: what it may
 * request (`WorkerMethods`) and the notifications it hears, fanned out by
 * target id to the `Router`, `WebRtcTransport`, `Producer` or `Consumer` that
 * the notification is about.
 */
import type { Channel, Notification } from '../protocol/channel.js';
import type { MainEnd, WorkerEnd, WorkerNotifications } from '../protocol/worker-protocol.js';
import type { EnhancedEventEmitter } from './enhanced-event-emitter.js';

export type WorkerChannel = Channel<MainEnd, WorkerEnd>;
export type WorkerNotification = Notification<WorkerNotifications>;
/** Notifications by target id: an object listens on its own id. */
export type TargetEvents = EnhancedEventEmitter<Record<string, [WorkerNotification]>>;
