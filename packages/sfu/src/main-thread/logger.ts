/**
 * mediasoup's Logger (node/src/Logger.ts): one `debug` instance per level and
 * class, namespaces `tsfu:<Class>`, `tsfu:WARN:<Class>` and `tsfu:ERROR:<Class>`
 * (debug lines go to stdout through `console.debug`, warn and error lines to
 * stderr, as mediasoup's). Every line also reaches the listeners given to
 * `setLogEventListeners()`. The listener registry lives here, not in index.ts,
 * so that classes can log without importing the package entry (no cycle).
 */
import { debug as consoleDebug, error as consoleError, warn as consoleWarn } from 'node:console';
import createDebug, { type Debugger } from 'debug';
import { WorkerClosedError } from '../errors.js';
import type { LogEventListeners } from '../types/log.js';

const APP_NAME = 'tsfu';

let listeners: LogEventListeners | undefined;

export class Logger {
  readonly #debug: Debugger;
  readonly #warn: Debugger;
  readonly #error: Debugger;

  constructor(prefix?: string) {
    const base = prefix ? `${APP_NAME}:${prefix}` : APP_NAME;
    this.#debug = createDebug(base);
    this.#warn = createDebug(prefix ? `${APP_NAME}:WARN:${prefix}` : `${APP_NAME}:WARN`);
    this.#error = createDebug(prefix ? `${APP_NAME}:ERROR:${prefix}` : `${APP_NAME}:ERROR`);
    this.#debug.log = consoleDebug;
    this.#warn.log = consoleWarn;
    this.#error.log = consoleError;
  }

  // '%s': a '%' in the text must not be read as a format directive.
  debug(log: string): void {
    this.#debug('%s', log);
    const ondebug = listeners?.ondebug;
    if (ondebug) this.#emit(() => ondebug(this.#debug.namespace, log));
  }

  warn(log: string): void {
    this.#warn('%s', log);
    const onwarn = listeners?.onwarn;
    if (onwarn) this.#emit(() => onwarn(this.#warn.namespace, log));
  }

  error(log: string, error?: Error): void {
    if (error) this.#error('%s', log, error);
    else this.#error('%s', log);
    const onerror = listeners?.onerror;
    if (onerror) this.#emit(() => onerror(this.#error.namespace, log, error));
  }

  /**
   * A `.catch()` handler for a fire-and-forget request (a close): a debug line when the worker is
   * already closed (it took the object with it), an error otherwise (the worker kept the object).
   */
  catcher(where: string): (error: unknown) => void {
    return (error) => {
      if (error instanceof WorkerClosedError) this.debug(`${where} | worker closed: ${error.message}`);
      else this.error(`${where} | request failed: ${error instanceof Error ? error.message : String(error)}`);
    };
  }

  // A throwing listener must not break the caller (mediasoup's safeEmit swallows it); it is not
  // reported to the listeners again (that could loop), only through `debug` (`DEBUG=tsfu:ERROR*`).
  #emit(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#error('log event listener threw an error:', error);
    }
  }
}

const logger = new Logger();

/**
 * mediasoup's `setLogEventListeners()`: `ondebug`/`onwarn`/`onerror` receive
 * every line (namespace, text, error) of the main thread and, forwarded, of
 * the worker and I/O threads. Called with nothing, lines only go to `debug`.
 */
export function setLogEventListeners(newListeners?: LogEventListeners): void {
  logger.debug('setLogEventListeners()');
  listeners = newListeners ? { ...newListeners } : undefined;
}
