/**
 * The error classes mediasoup 3.27 exports under `errors`. Same names, same
 * `name` property and the same one-argument constructor, so application code
 * that tests `error instanceof errors.UnsupportedError` or `error.name` keeps
 * working when it switches its import to tsfu.
 */

/** Something asked for is not supported (a codec, an RTX codec for a PT, …). */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
    // V8 only: drop this constructor's frame from the stack, as mediasoup does.
    Error.captureStackTrace?.(this, UnsupportedError);
  }
}

/** A method was called on a Worker (or an object of it) whose thread has closed. */
export class WorkerClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerClosedError';
    Error.captureStackTrace?.(this, WorkerClosedError);
  }
}

/** A referenced entity (a producer, a data producer, …) does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
    Error.captureStackTrace?.(this, NotFoundError);
  }
}
