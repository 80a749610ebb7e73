/**
 * The signalling wire format between a test page and the test server, shared
 * by both sides (no Node or DOM imports here). JSON over one WebSocket:
 * requests carry an id and get exactly one response with that id;
 * notifications carry none and get none. Either side may send either.
 */

/** A request: `method` names the handler, `data` is its argument. */
export interface SignalRequest {
  type: 'request';
  id: number;
  method: string;
  data: unknown;
}

/** The answer to the request with the same `id`: `data` on success, `error` (a message) otherwise. */
export type SignalResponse =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number; ok: false; error: string };

/** A one-way message. */
export interface SignalNotification {
  type: 'notification';
  method: string;
  data: unknown;
}

export type SignalMessage = SignalRequest | SignalResponse | SignalNotification;

/**
 * A table of methods: each entry is `{ request: ArgType; response: ResultType }`.
 * Tests declare one per scenario so both sides are type-checked against it.
 */
export type MethodTable = Record<string, { request: unknown; response: unknown }>;

/** A table of notifications: method → data type. */
export type NotificationTable = Record<string, unknown>;

/** Parses one frame; `undefined` for anything that is not a well-formed message. */
export function parseSignalMessage(text: string): SignalMessage | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'request':
      return typeof m.id === 'number' && typeof m.method === 'string'
        ? (m as unknown as SignalRequest)
        : undefined;
    case 'response':
      return typeof m.id === 'number' && typeof m.ok === 'boolean'
        ? (m as unknown as SignalResponse)
        : undefined;
    case 'notification':
      return typeof m.method === 'string' ? (m as unknown as SignalNotification) : undefined;
    default:
      return undefined;
  }
}

/**
 * Everything a scenario says over the link, in one type both sides share:
 * requests the page sends (the server answers), requests the server sends
 * (the page answers), and notifications each way.
 */
export interface SignalSchema {
  pageRequests: MethodTable;
  serverRequests: MethodTable;
  pageNotifications: NotificationTable;
  serverNotifications: NotificationTable;
}
