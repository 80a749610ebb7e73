/**
 * Control messages between threads: request/response with ids, plus
 * one-way notifications, over a `MessagePort` or a `worker_threads.Worker`.
 * Errors thrown by a handler travel back as `{ name, message }` and are
 * rebuilt as the same class (TypeError, NotFoundError, …). Packets never use
 * this path: they go through `packet-ring.ts`.
 */
import { NotFoundError, UnsupportedError, WorkerClosedError } from '../errors.js';

/** What both a `MessagePort` and a `Worker` offer. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export interface RequestMessage {
  kind: 'req';
  id: number;
  method: string;
  data: unknown;
}

export interface ResponseMessage {
  kind: 'res';
  id: number;
  ok: boolean;
  data?: unknown;
  error?: { name: string; message: string };
}

export interface NotificationMessage {
  kind: 'ntf';
  event: string;
  targetId: string;
  data: unknown;
}

/** A log line of a worker or I/O thread: `D`/`W`/`E` + text (see protocol/thread-logger.ts). */
export interface LogMessage {
  kind: 'log';
  line: string;
}

type Message = RequestMessage | ResponseMessage | NotificationMessage | LogMessage;

/** What a main-thread Channel logs with (`Logger`); worker-side Channels have none. */
export interface ChannelLogger {
  debug(log: string): void;
  warn(log: string): void;
  error(log: string, error?: Error): void;
}

export interface ChannelOptions {
  /** Logs this side's requests and failures, and the other side's log lines. */
  logger?: ChannelLogger;
  /** Put before the other side's log lines, e.g. `[tid:3]` (mediasoup's `[pid:N]`). */
  peerLabel?: string;
}

export type RequestHandler = (method: string, data: unknown) => unknown | Promise<unknown>;
export type NotificationHandler = (event: string, targetId: string, data: unknown) => void;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Rebuilds an error marshalled by the other side as the same class. */
export function unmarshalError(error: { name: string; message: string }): Error {
  switch (error.name) {
    case 'TypeError':
      return new TypeError(error.message);
    case 'NotFoundError':
      return new NotFoundError(error.message);
    case 'UnsupportedError':
      return new UnsupportedError(error.message);
    case 'WorkerClosedError':
      return new WorkerClosedError(error.message);
    case 'RangeError':
      return new RangeError(error.message);
    default:
      return new Error(error.message);
  }
}

function marshalError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** One end of a control channel. Both ends can request, answer and notify. */
export class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedFlag = false;
  private requestHandler: RequestHandler | undefined;
  private notificationHandler: NotificationHandler | undefined;
  private readonly onMessage = (message: unknown): void => this.receive(message as Message);
  private readonly logger: ChannelLogger | undefined;
  private readonly peerLabel: string;

  constructor(
    private readonly endpoint: MessageEndpoint,
    options: ChannelOptions = {},
  ) {
    this.logger = options.logger;
    this.peerLabel = options.peerLabel ? `${options.peerLabel} ` : '';
    this.logger?.debug('constructor()');
    endpoint.on('message', this.onMessage);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Serves requests from the other side. */
  handleRequests(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  /** Receives notifications from the other side. */
  handleNotifications(handler: NotificationHandler): void {
    this.notificationHandler = handler;
  }

  /** Sends a request; rejects with `WorkerClosedError` once the channel is closed (as mediasoup's Channel). */
  request<T = unknown>(method: string, data?: unknown, transfer?: readonly unknown[]): Promise<T> {
    if (this.closedFlag) {
      return Promise.reject(new WorkerClosedError(`Channel closed, cannot send request [method:${method}]`));
    }
    const id = this.nextId++;
    this.logger?.debug(`request() [method:${method}, id:${id}]`);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      try {
        this.endpoint.postMessage({ kind: 'req', id, method, data } satisfies RequestMessage, transfer);
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Sends a one-way notification (dropped silently once closed). */
  notify(event: string, targetId: string, data?: unknown): void {
    if (this.closedFlag) return;
    try {
      this.endpoint.postMessage({ kind: 'ntf', event, targetId, data } satisfies NotificationMessage);
    } catch (error) {
      // The other side is gone (its exit is reported elsewhere) or `data` cannot be cloned (a bug).
      this.logger?.error(`notify() | sending notification failed [event:${event}]: ${error}`);
    }
  }

  /**
   * Sends one log line to the other side (worker and I/O threads to the main thread).
   * Dropped once closed or if the other side is gone: there is nowhere left to log it.
   */
  sendLog(line: string): void {
    if (this.closedFlag) return;
    try {
      this.endpoint.postMessage({ kind: 'log', line } satisfies LogMessage);
    } catch {
      // The main thread is gone: the line has no reader.
    }
  }

  /** Rejects every pending request with `WorkerClosedError` and stops listening. */
  close(): void {
    if (this.closedFlag) return;
    this.logger?.debug('close()');
    this.closedFlag = true;
    this.endpoint.off('message', this.onMessage);
    for (const [id, p] of this.pending) {
      p.reject(
        new WorkerClosedError(`Channel closed, pending request aborted [method:${p.method}, id:${id}]`),
      );
    }
    this.pending.clear();
  }

  private receive(message: Message): void {
    if (typeof message !== 'object' || message === null) {
      this.logger?.error(`received invalid message from the other thread: ${String(message)}`);
      return;
    }
    if (message.kind === 'res') {
      const p = this.pending.get(message.id);
      if (!p) {
        this.logger?.error(`received response does not match any sent request [id:${message.id}]`);
        return;
      }
      this.pending.delete(message.id);
      if (message.ok) {
        this.logger?.debug(`request succeeded [method:${p.method}, id:${message.id}]`);
        p.resolve(message.data);
      } else {
        const error = unmarshalError(message.error ?? { name: 'Error', message: 'unknown error' });
        this.logger?.warn(`request failed [method:${p.method}, id:${message.id}]: ${error.message}`);
        p.reject(error);
      }
    } else if (message.kind === 'req') {
      void this.serve(message);
    } else if (message.kind === 'ntf') {
      this.notificationHandler?.(message.event, message.targetId, message.data);
    } else if (message.kind === 'log') {
      this.processLog(message.line);
    }
  }

  // mediasoup's Channel.processLog(): the other thread already applied its logLevel/logTags.
  private processLog(line: string): void {
    const logger = this.logger;
    if (!logger || typeof line !== 'string') return;
    const text = `${this.peerLabel}${line.slice(1)}`;
    switch (line[0]) {
      case 'D':
        logger.debug(text);
        break;
      case 'W':
        logger.warn(text);
        break;
      case 'E':
        logger.error(text);
        break;
      default:
        logger.warn(`unexpected log line from the other thread: ${line}`);
    }
  }

  private async serve(message: RequestMessage): Promise<void> {
    let response: ResponseMessage;
    try {
      if (!this.requestHandler) throw new Error(`no request handler [method:${message.method}]`);
      const data = await this.requestHandler(message.method, message.data);
      response = { kind: 'res', id: message.id, ok: true, data };
    } catch (error) {
      response = { kind: 'res', id: message.id, ok: false, error: marshalError(error) };
    }
    if (this.closedFlag) return;
    try {
      this.endpoint.postMessage(response);
    } catch (error) {
      // The other side is gone (its exit is reported elsewhere) or the result cannot be cloned (a bug).
      this.logger?.error(`sending response failed [method:${message.method}, id:${message.id}]: ${error}`);
    }
  }
}
