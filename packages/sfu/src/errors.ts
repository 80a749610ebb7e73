/**
 * The error classes mediasoup 3.27.1 exports under `errors` (and, as types,
 * under `types`): exactly these three. Same names, same
 * `name` property and the same one-argument constructor, so application code
 * that tests `error instanceof errors.UnsupportedError` or `error.name` keeps
 * working when it switches its import to tsfu.
 */

/** Something asked for is not supported (a codec, an RTX codec for a PT, …). */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
    captureStack(this, UnsupportedError);
  }
}

/** A method was called on a Worker (or an object of it) whose thread has closed. */
export class WorkerClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerClosedError';
    captureStack(this, WorkerClosedError);
  }
}

/** A referenced entity (a producer, a data producer, …) does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
    captureStack(this, NotFoundError);
  }
}

// V8: drop the constructor's frame from the stack; elsewhere take a plain
// Error's stack. mediasoup does the same.
function captureStack(error: Error, constructorOpt: abstract new (message: string) => Error): void {
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, constructorOpt);
  else error.stack = new Error(error.message).stack;
}
