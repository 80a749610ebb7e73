/**
 * One end of the signalling link, the same code in the page and in Node: it
 * turns frames into typed requests, responses and notifications. The owner
 * feeds it received text (`receive`) and gives it a way to send (`send`), so
 * it knows nothing about the socket type (browser WebSocket or `ws`).
 */
import {
  type MethodTable,
  type NotificationTable,
  parseSignalMessage,
  type SignalMessage,
  type SignalRequest,
} from './protocol.js';

type Handler = (data: unknown) => unknown;

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface SignalChannelOptions {
  /** A request without an answer fails after this long (default 10 s). */
  requestTimeoutMs?: number;
}

/**
 * `Out`/`In`: the requests this end sends / answers. `OutN`/`InN`: the
 * notifications it sends / receives.
 */
export class SignalChannel<
  Out extends MethodTable = MethodTable,
  In extends MethodTable = MethodTable,
  OutN extends NotificationTable = NotificationTable,
  InN extends NotificationTable = NotificationTable,
> {
  private nextId = 1;
  private closed = false;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Array<(data: unknown) => void>>();
  private readonly requestTimeoutMs: number;
  /** Frames that were not well-formed messages, or answered nothing pending. */
  droppedFrames = 0;

  constructor(
    private readonly send: (text: string) => void,
    options: SignalChannelOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Sends a request and resolves with the peer's answer (rejects with its error message). */
  request<M extends keyof Out & string>(method: M, data: Out[M]['request']): Promise<Out[M]['response']> {
    if (this.closed) return Promise.reject(new Error(`signal channel closed (request ${method})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`signal request ${method} timed out after ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      this.write({ type: 'request', id, method, data });
    });
  }

  /** Answers requests named `method`; a thrown error or rejection is sent back as the error message. */
  handle<M extends keyof In & string>(
    method: M,
    handler: (data: In[M]['request']) => In[M]['response'] | Promise<In[M]['response']>,
  ): void {
    this.handlers.set(method, handler as Handler);
  }

  notify<M extends keyof OutN & string>(method: M, data: OutN[M]): void {
    if (!this.closed) this.write({ type: 'notification', method, data });
  }

  onNotification<M extends keyof InN & string>(method: M, listener: (data: InN[M]) => void): void {
    let list = this.listeners.get(method);
    if (!list) {
      list = [];
      this.listeners.set(method, list);
    }
    list.push(listener as (data: unknown) => void);
  }

  /** Feeds one received frame. Never throws. */
  receive(text: string): void {
    const msg = parseSignalMessage(text);
    if (!msg) {
      this.droppedFrames++;
      return;
    }
    switch (msg.type) {
      case 'request':
        void this.answer(msg);
        return;
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) {
          this.droppedFrames++;
          return;
        }
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.data);
        else p.reject(new Error(msg.error));
        return;
      }
      case 'notification':
        for (const l of this.listeners.get(msg.method) ?? []) {
          try {
            l(msg.data);
          } catch {
            // A listener's bug must not break the link; tests assert on what they record.
          }
        }
        return;
    }
  }

  /** Fails every pending request; later requests fail at once. */
  close(reason = 'signal channel closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
  }

  private async answer(req: SignalRequest): Promise<void> {
    const handler = this.handlers.get(req.method);
    if (!handler) {
      this.write({ type: 'response', id: req.id, ok: false, error: `no handler for ${req.method}` });
      return;
    }
    try {
      const data = await handler(req.data);
      this.write({ type: 'response', id: req.id, ok: true, data });
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.write({ type: 'response', id: req.id, ok: false, error });
    }
  }

  private write(msg: SignalMessage): void {
    if (this.closed) return;
    try {
      this.send(JSON.stringify(msg));
    } catch {
      // The socket is going away; pending requests fail on close or timeout.
    }
  }
}
