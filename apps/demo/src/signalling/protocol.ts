/**
 * The demo's signalling protocol: JSON text frames over one WebSocket.
 *
 * - client → server: `{ type: 'request', id, method, data }`, answered by
 *   exactly one `{ type: 'response', id, ok: true, data }` or
 *   `{ type: 'response', id, ok: false, error: { code, message } }`;
 * - server → client: `{ type: 'notification', method, data }`.
 *
 * Every incoming frame is checked against {@link REQUEST_CHECKS}; anything
 * else gets an error response (`id: null` when no id could be read). Shared by
 * the server and the page (the page imports only types and the frame shapes).
 */
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  MediaKind,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
  SctpStreamParameters,
} from 'mediasoup-client/types';
import { anyObject, bool, type Check, type Infer, int, obj, oneOf, optional, str } from './validate.js';

/** Where a producer's track comes from. */
export type MediaSource = 'mic' | 'webcam' | 'screen';

/** Error codes of error responses. */
export type ErrorCode =
  | 'bad-json' // not JSON
  | 'bad-frame' // JSON, but not a request frame
  | 'too-large' // over the server's max message size
  | 'unknown-method'
  | 'invalid-params' // data does not match the method's schema
  | 'not-joined' // the method needs `join` first
  | 'already-joined'
  | 'room-full'
  | 'not-found' // unknown transport/producer/consumer id (or not this peer's)
  | 'rejected' // the SFU refused (e.g. TypeError/UnsupportedError from ortc)
  | 'shutting-down';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type RequestFrame = { type: 'request'; id: number; method: string; data?: unknown };
export type ResponseFrame =
  | { type: 'response'; id: number | null; ok: true; data: unknown }
  | { type: 'response'; id: number | null; ok: false; error: ErrorBody };
export type NotificationFrame = { type: 'notification'; method: string; data: unknown };
export type Frame = RequestFrame | ResponseFrame | NotificationFrame;

const id = () => str({ min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/ });

/** Room names: letters, digits, `_` and `-`. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The data each request method accepts. */
export const REQUEST_CHECKS = {
  join: obj({
    roomId: str({ min: 1, max: 64, pattern: ROOM_ID_PATTERN }),
    // Any text but control characters.
    displayName: str({ min: 1, max: 40, pattern: /^\P{Cc}+$/u }),
  }),
  createWebRtcTransport: obj({ direction: oneOf('send', 'recv') }),
  connectWebRtcTransport: obj({ transportId: id(), dtlsParameters: anyObject<DtlsParameters>() }),
  restartIce: obj({ transportId: id() }),
  produce: obj({
    transportId: id(),
    kind: oneOf('audio', 'video'),
    source: oneOf('mic', 'webcam', 'screen'),
    rtpParameters: anyObject<RtpParameters>(),
  }),
  closeProducer: obj({ producerId: id() }),
  pauseProducer: obj({ producerId: id() }),
  resumeProducer: obj({ producerId: id() }),
  consume: obj({ transportId: id(), producerId: id(), rtpCapabilities: anyObject<RtpCapabilities>() }),
  resumeConsumer: obj({ consumerId: id() }),
  setConsumerPreferredLayers: obj({
    consumerId: id(),
    spatialLayer: int(0, 3),
    temporalLayer: optional(int(0, 3)),
  }),
  // Data channels: the chat panel (one 'chat' DataProducer per peer, consumed by every other peer).
  produceData: obj({
    transportId: id(),
    sctpStreamParameters: anyObject<SctpStreamParameters>(),
    label: oneOf('chat'),
    protocol: optional(str({ min: 0, max: 64 })),
  }),
  consumeData: obj({ transportId: id(), dataProducerId: id() }),
  setRecording: obj({ recording: bool() }),
  getServerStats: obj({}),
  leave: obj({}),
} satisfies Record<string, Check<unknown>>;

export type RequestMethod = keyof typeof REQUEST_CHECKS;
export type RequestData<M extends RequestMethod> = Infer<(typeof REQUEST_CHECKS)[M]>;

/** A producer as other peers learn about it. */
export interface ProducerInfo {
  peerId: string;
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** A data producer (the chat) as other peers learn about it. */
export interface DataProducerInfo {
  peerId: string;
  dataProducerId: string;
  label: string;
}

export interface PeerInfo {
  peerId: string;
  displayName: string;
  producers: ProducerInfo[];
  dataProducers: DataProducerInfo[];
}

export interface TransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: SctpParameters;
  /** The embedded TURN server (`--turn`), with credentials for this peer. */
  iceServers?: { urls: string[]; username: string; credential: string }[];
  /** `relay` with `--turn-relay-only`. */
  iceTransportPolicy?: 'all' | 'relay';
}

/** The room's dominant speaker (the peer and its microphone producer), or nobody. */
export type ActiveSpeaker = { peerId: string; producerId: string } | { peerId: null; producerId: null };

export const NO_SPEAKER: ActiveSpeaker = Object.freeze({ peerId: null, producerId: null });

/** What the server panel shows. */
export interface ServerStats {
  rooms: number;
  peers: number;
  producers: number;
  consumers: number;
  workers: Array<{
    pid: number;
    routers: number;
    peers: number;
    /** CPU used by the worker thread over the last interval, in % of one core. */
    cpuPercent: number;
  }>;
  uptimeSeconds: number;
}

/** What each request answers. */
export interface RequestResults {
  join: {
    peerId: string;
    routerRtpCapabilities: RtpCapabilities;
    peers: PeerInfo[];
    /** The server can record (it has ffmpeg), and whether this room is being recorded. */
    recordingAvailable: boolean;
    recording: boolean;
    activeSpeaker: ActiveSpeaker;
    /** Cluster mode: the page URL of every live node (this one first), to reconnect through. */
    nodes?: string[];
  };
  createWebRtcTransport: TransportInfo;
  connectWebRtcTransport: Record<string, never>;
  restartIce: { iceParameters: IceParameters };
  produce: { id: string };
  closeProducer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  consume: {
    id: string;
    producerId: string;
    kind: MediaKind;
    rtpParameters: RtpParameters;
    producerPaused: boolean;
  };
  resumeConsumer: Record<string, never>;
  produceData: { id: string };
  consumeData: {
    id: string;
    dataProducerId: string;
    peerId: string;
    sctpStreamParameters: SctpStreamParameters;
    label: string;
    protocol: string;
  };
  setConsumerPreferredLayers: Record<string, never>;
  /** `folder`: where this recording's files go (on the server). */
  setRecording: { recording: boolean; folder?: string };
  getServerStats: ServerStats;
  leave: Record<string, never>;
}

/** Server → client notifications. */
export interface ServerNotifications {
  peerJoined: { peerId: string; displayName: string };
  peerLeft: { peerId: string };
  newProducer: ProducerInfo;
  producerClosed: { peerId: string; producerId: string };
  producerPaused: { peerId: string; producerId: string };
  producerResumed: { peerId: string; producerId: string };
  consumerClosed: { consumerId: string };
  newDataProducer: DataProducerInfo;
  consumerLayersChanged: { consumerId: string; spatialLayer?: number; temporalLayer?: number };
  /** The room started or stopped being recorded, at `peerId`'s request. */
  recordingChanged: { recording: boolean; peerId: string; folder?: string };
  /** The room's ActiveSpeakerObserver chose another dominant speaker (to every peer, the speaker too). */
  activeSpeaker: ActiveSpeaker;
  serverStats: ServerStats;
  serverShutdown: { reason: string };
}

export type NotificationMethod = keyof ServerNotifications;

/** A request that passed validation, as a union over methods (narrow on `method`). */
export type ValidRequest = {
  [M in RequestMethod]: { id: number; method: M; data: RequestData<M> };
}[RequestMethod];

export type ParsedFrame =
  | { ok: true; request: ValidRequest }
  | { ok: false; id: number | null; error: ErrorBody };

/**
 * Reads one incoming text frame. Never throws: any problem is returned as an
 * error body to send back (with the request id when one could be read).
 * `byteLength` is the frame's size on the wire, checked against `maxBytes`
 * before anything is parsed.
 */
export function parseRequestFrame(text: string, byteLength: number, maxBytes: number): ParsedFrame {
  if (byteLength > maxBytes) {
    return { ok: false, id: null, error: { code: 'too-large', message: `message over ${maxBytes} bytes` } };
  }
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: { code: 'bad-json', message: 'message is not valid JSON' } };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { ok: false, id: null, error: { code: 'bad-frame', message: 'message must be a JSON object' } };
  }
  const f = frame as Record<string, unknown>;
  const idCheck = int(0, Number.MAX_SAFE_INTEGER)(f.id, 'id');
  const reqId = idCheck.ok ? idCheck.value : null;
  if (f.type !== 'request' || reqId === null) {
    return {
      ok: false,
      id: reqId,
      error: { code: 'bad-frame', message: 'expected {type: "request", id: integer ≥ 0, method, data}' },
    };
  }
  if (typeof f.method !== 'string' || !Object.hasOwn(REQUEST_CHECKS, f.method)) {
    const shown = typeof f.method === 'string' ? f.method.slice(0, 64) : typeof f.method;
    return { ok: false, id: reqId, error: { code: 'unknown-method', message: `unknown method ${shown}` } };
  }
  const method = f.method as RequestMethod;
  const result = (REQUEST_CHECKS[method] as Check<unknown>)(f.data ?? {}, 'data');
  if (!result.ok) return { ok: false, id: reqId, error: { code: 'invalid-params', message: result.error } };
  return { ok: true, request: { id: reqId, method, data: result.value } as ValidRequest };
}

export function encodeResponse(id: number | null, data: unknown): string {
  return JSON.stringify({ type: 'response', id, ok: true, data } satisfies ResponseFrame);
}

export function encodeError(id: number | null, error: ErrorBody): string {
  return JSON.stringify({ type: 'response', id, ok: false, error } satisfies ResponseFrame);
}

export function encodeNotification<M extends NotificationMethod>(
  method: M,
  data: ServerNotifications[M],
): string {
  return JSON.stringify({ type: 'notification', method, data } satisfies NotificationFrame);
}

/** An error whose code and message go to the client as they are. */
export class SignalError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalError';
  }
}
