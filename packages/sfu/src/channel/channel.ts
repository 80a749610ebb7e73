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

type Message = RequestMessage | ResponseMessage | NotificationMessage;

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

  constructor(private readonly endpoint: MessageEndpoint) {
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
    } catch {
      // The other side is gone; its exit is reported elsewhere.
    }
  }

  /** Rejects every pending request with `WorkerClosedError` and stops listening. */
  close(): void {
    if (this.closedFlag) return;
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
    if (typeof message !== 'object' || message === null) return;
    if (message.kind === 'res') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.data);
      else p.reject(unmarshalError(message.error ?? { name: 'Error', message: 'unknown error' }));
    } else if (message.kind === 'req') {
      void this.serve(message);
    } else if (message.kind === 'ntf') {
      this.notificationHandler?.(message.event, message.targetId, message.data);
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
    } catch {
      // Other side gone.
    }
  }
}
