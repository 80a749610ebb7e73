/**
 * What a method of a closed object rejects with, as in mediasoup: once the
 * worker closed (directly or by dying), its channel is closed and every
 * request fails with `WorkerClosedError`; while the worker runs, the object
 * is gone from it and a request for it fails with `NotFoundError`.
 */
import { NotFoundError, WorkerClosedError } from '../errors.js';
import type { WorkerChannel } from './worker-channel.js';

/** `what` names the object, e.g. `Producer closed [producerId:…]`. */
export function closedObjectError(channel: WorkerChannel, what: string): Error {
  return channel.acceptsRequests
    ? new NotFoundError(what)
    : new WorkerClosedError(`Channel closed, cannot send request [${what}]`);
}
