/**
 * The page's end of the signalling protocol: typed requests (each answered
 * once, by id) and notifications, over the browser's WebSocket.
 */
import type {
  ErrorBody,
  Frame,
  NotificationMethod,
  RequestData,
  RequestMethod,
  RequestResults,
  ServerNotifications,
} from '../signalling/protocol.js';

/** A request the server answered with an error. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

type Listener<M extends NotificationMethod> = (data: ServerNotifications[M]) => void;

export class SignalClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  /** Called once when the socket closes (code, reason). */
  onclose: ((code: number, reason: string) => void) | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (ev) => this.onMessage(ev.data));
    socket.addEventListener('close', (ev) => {
      for (const p of this.pending.values()) p.reject(new RequestError('not-joined', 'connection closed'));
      this.pending.clear();
      this.onclose?.(ev.code, ev.reason);
    });
  }

  /** Opens `ws(s)://<this page's host>/ws` (or `url`). */
  static connect(url = defaultUrl()): Promise<SignalClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const fail = () => reject(new Error(`cannot reach the signalling server at ${url}`));
      socket.addEventListener('error', fail, { once: true });
      socket.addEventListener(
        'open',
        () => {
          socket.removeEventListener('error', fail);
          resolve(new SignalClient(socket));
        },
        { once: true },
      );
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<RequestResults[M]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.open) {
        reject(new RequestError('not-joined', 'connection closed'));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ type: 'request', id, method, data }));
    });
  }

  on<M extends NotificationMethod>(method: M, listener: Listener<M>): void {
    let set = this.listeners.get(method);
    if (!set) {
      set = new Set();
      this.listeners.set(method, set);
    }
    set.add(listener as (data: unknown) => void);
  }

  close(): void {
    this.socket.close(1000, 'bye');
  }

  private onMessage(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: Frame;
    try {
      frame = JSON.parse(raw) as Frame;
    } catch {
      console.warn('signalling: ignoring a frame that is not JSON');
      return;
    }
    if (frame.type === 'response' && frame.id !== null) {
      const p = this.pending.get(frame.id);
      if (!p) return;
      this.pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.data);
      else p.reject(new RequestError(frame.error.code, frame.error.message));
    } else if (frame.type === 'notification') {
      for (const l of this.listeners.get(frame.method) ?? []) {
        try {
          l(frame.data);
        } catch (error) {
          console.error(`notification ${frame.method} handler failed`, error);
        }
      }
    } else if (frame.type === 'response') {
      console.warn('server error', frame.ok ? frame.data : frame.error);
    }
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
