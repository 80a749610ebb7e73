/**
 * Control messages between threads: request/response with ids, plus
 * one-way notifications, over a `MessagePort` or a `worker_threads.Worker`.
 * Both ends compile against one protocol (a table of methods with their
 * request and response types, and a table of notifications with their data):
 * `Channel<Local, Remote>` serves `Local`'s requests and sends `Remote`'s.
 * A request for a method the serving end has no handler for is answered with
 * an "unknown method" error. Errors thrown by a handler travel back as
 * `{ name, message }` and are rebuilt as the same class (TypeError,
 * NotFoundError, …). Packets never use this path: they go through
 * `packet-ring.ts`.
 */
import type { TransferListItem } from 'node:worker_threads';
import { NotFoundError, UnsupportedError, WorkerClosedError } from '../errors.js';

/** What both a `MessagePort` and a `Worker` offer. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: readonly TransferListItem[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Methods one end serves: each with its request data and response data. */
export type MethodTable = { [method: string]: { request: unknown; response: unknown } };
/** Notifications one end hears: each with its data. */
export type NotificationTable = { [event: string]: unknown };

/** What one end of a channel serves (requests) and hears (notifications). */
export interface EndProtocol {
  requests: MethodTable;
  notifications: NotificationTable;
}

/** One method of a table: its request data and its response. */
export type Method<Request, Response = void> = { request: Request; response: Response };

/** An end that serves nothing and hears nothing. */
export type NoMessages = { requests: Record<never, never>; notifications: Record<never, never> };

/** One handler per method of `T`, typed by the table: an end must serve every method of its protocol. */
export type RequestHandlers<T extends MethodTable> = {
  [M in keyof T]: (data: T[M]['request']) => T[M]['response'] | Promise<T[M]['response']>;
};

/** A received notification of table `T`: switch on `event` and `data` has its type. */
export type Notification<T extends NotificationTable> = {
  [E in keyof T & string]: { event: E; targetId: string; data: T[E] };
}[keyof T & string];

/** A request's or notification's data argument: optional when it carries none. */
export type DataArg<T> = undefined extends T ? [data?: T] : [data: T];

type RequestMessage<T extends MethodTable> = {
  [M in keyof T & string]: { kind: 'req'; id: number; method: M; data: T[M]['request'] };
}[keyof T & string];

interface RequestEnvelope {
  kind: 'req';
  id: number;
  method: string;
  data: unknown;
}

interface ResponseMessage {
  kind: 'res';
  id: number;
  ok: boolean;
  data?: unknown;
  error?: { name: string; message: string };
}

interface NotificationEnvelope {
  kind: 'ntf';
  event: string;
  targetId: string;
  data: unknown;
}

/** A log line of a worker or I/O thread: `D`/`W`/`E` + text (see protocol/thread-logger.ts). */
interface LogMessage {
  kind: 'log';
  line: string;
}

type Envelope = RequestEnvelope | ResponseMessage | NotificationEnvelope | LogMessage;

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

// Methods, not function properties: a request's typed `resolve` is stored here (the response's
// type is its method's, by the protocol table both ends compile against).
interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
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

/**
 * The one place the wire becomes typed: an envelope from the other thread,
 * which runs the same build (same process), so a well-formed envelope carries
 * the data its protocol table says.
 */
function isEnvelope(m: unknown): m is Envelope {
  if (typeof m !== 'object' || m === null || !('kind' in m)) return false;
  switch (m.kind) {
    case 'req':
      return 'id' in m && typeof m.id === 'number' && 'method' in m && typeof m.method === 'string';
    case 'res':
      return 'id' in m && typeof m.id === 'number' && 'ok' in m && typeof m.ok === 'boolean';
    case 'ntf':
      return 'event' in m && typeof m.event === 'string' && 'targetId' in m && typeof m.targetId === 'string';
    case 'log':
      return 'line' in m && typeof m.line === 'string';
    default:
      return false;
  }
}

/** True when `handlers` serves `m.method` (an own key: `toString` is no method). */
function isServed<T extends MethodTable>(
  m: RequestEnvelope,
  handlers: RequestHandlers<T>,
): m is RequestEnvelope & RequestMessage<T> {
  return Object.hasOwn(handlers, m.method);
}

/** A notification is typed by its event; the hearing end's switch logs events it does not know. */
function isHeard<T extends NotificationTable>(
  n: NotificationEnvelope,
): n is NotificationEnvelope & Notification<T> {
  return n.event.length > 0;
}

/** One end of a control channel: serves `Local`'s requests, sends `Remote`'s, and both notify. */
export class Channel<Local extends EndProtocol = NoMessages, Remote extends EndProtocol = NoMessages> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedFlag = false;
  /** False once `lastRequest()` was sent: nothing more is sent, answers still arrive. */
  private sending = true;
  private handlers: RequestHandlers<Local['requests']> | undefined;
  private onHandlerError: ((method: string, error: unknown) => void) | undefined;
  private notificationHandler: ((n: Notification<Local['notifications']>) => void) | undefined;
  private readonly onMessage = (message: unknown): void => this.receive(message);
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

  /** False once closed or once `lastRequest()` went out: a request now rejects with `WorkerClosedError`. */
  get acceptsRequests(): boolean {
    return !this.closedFlag && this.sending;
  }

  /**
   * Serves requests from the other side: one handler per method of the protocol.
   * `onError` sees what a handler threw (or an unknown method) before it travels back.
   */
  serve(
    handlers: RequestHandlers<Local['requests']>,
    onError?: (method: string, error: unknown) => void,
  ): void {
    this.handlers = handlers;
    this.onHandlerError = onError;
  }

  /** Receives notifications from the other side. */
  onNotification(handler: (n: Notification<Local['notifications']>) => void): void {
    this.notificationHandler = handler;
  }

  /** Sends a request; rejects with `WorkerClosedError` once the channel is closed (as mediasoup's Channel). */
  request<M extends keyof Remote['requests'] & string>(
    method: M,
    ...[data]: DataArg<Remote['requests'][M]['request']>
  ): Promise<Remote['requests'][M]['response']> {
    return this.send(method, data, undefined);
  }

  /** `request()` that moves `transfer` (a `MessagePort`) to the other thread. */
  requestTransferring<M extends keyof Remote['requests'] & string>(
    method: M,
    data: Remote['requests'][M]['request'],
    transfer: readonly TransferListItem[],
  ): Promise<Remote['requests'][M]['response']> {
    return this.send(method, data, transfer);
  }

  /**
   * Sends `method` as the last request: later requests reject at once with `WorkerClosedError`,
   * answers to earlier ones still arrive, and the channel closes once this one is answered.
   */
  lastRequest<M extends keyof Remote['requests'] & string>(
    method: M,
    ...[data]: DataArg<Remote['requests'][M]['request']>
  ): Promise<Remote['requests'][M]['response']> {
    const answered = this.send<Remote['requests'][M]['response']>(method, data, undefined);
    this.sending = false;
    return answered.finally(() => this.close());
  }

  private send<R>(
    method: string,
    data: unknown,
    transfer: readonly TransferListItem[] | undefined,
  ): Promise<R> {
    if (this.closedFlag || !this.sending) {
      return Promise.reject(new WorkerClosedError(`Channel closed, cannot send request [method:${method}]`));
    }
    const id = this.nextId++;
    this.logger?.debug(`request() [method:${method}, id:${id}]`);
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      try {
        const message: RequestEnvelope = { kind: 'req', id, method, data };
        this.endpoint.postMessage(message, transfer);
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Sends a one-way notification (dropped silently once closed). */
  notify<E extends keyof Remote['notifications'] & string>(
    event: E,
    targetId: string,
    ...[data]: DataArg<Remote['notifications'][E]>
  ): void {
    if (this.closedFlag || !this.sending) return;
    try {
      this.endpoint.postMessage({ kind: 'ntf', event, targetId, data } satisfies NotificationEnvelope);
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

  private receive(message: unknown): void {
    if (!isEnvelope(message)) {
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
      void this.answer(message);
    } else if (message.kind === 'ntf') {
      if (isHeard<Local['notifications']>(message)) this.notificationHandler?.(message);
    } else {
      this.processLog(message.line);
    }
  }

  // mediasoup's Channel.processLog(): the other thread already applied its logLevel/logTags.
  private processLog(line: string): void {
    const logger = this.logger;
    if (!logger) return;
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

  private async answer(message: RequestEnvelope): Promise<void> {
    let response: ResponseMessage;
    try {
      const handlers = this.handlers;
      if (!handlers) throw new Error(`no request handler [method:${message.method}]`);
      if (!isServed(message, handlers)) throw new Error(`unknown method [method:${message.method}]`);
      const data = await call(handlers, message);
      response = { kind: 'res', id: message.id, ok: true, data };
    } catch (error) {
      this.onHandlerError?.(message.method, error);
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

/** Dispatch: the handler of `m.method`, given `m.data`, both typed by the table. */
function call<T extends MethodTable, M extends keyof T & string>(
  handlers: RequestHandlers<T>,
  m: { method: M; data: T[M]['request'] },
): T[M]['response'] | Promise<T[M]['response']> {
  return handlers[m.method](m.data);
}
