/** SCTP chunk types used by WebRTC (RFC 9260 §3.2, RFC 6525, RFC 3758). */
export const ChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
  RECONFIG: 130,
  FORWARD_TSN: 192,
} as const;

/**
 * What to do with a chunk (or parameter) whose type we do not know, from its two
 * highest bits (RFC 9260 §3.2 and §3.2.1):
 * - `stop`: stop processing this packet, discard it;
 * - `stop-report`: same, and report it in an ERROR chunk ("Unrecognized Chunk Type");
 * - `skip`: skip it and keep processing the packet;
 * - `skip-report`: skip it, keep processing, and report it.
 */
export type UnknownAction = 'stop' | 'stop-report' | 'skip' | 'skip-report';

const ACTIONS: readonly UnknownAction[] = ['stop', 'stop-report', 'skip', 'skip-report'];

/** The action for an unknown chunk type (8 bits) — its top two bits. */
export function unknownChunkAction(type: number): UnknownAction {
  return ACTIONS[(type >> 6) & 3];
}

/** The action for an unknown parameter type (16 bits) — its top two bits. */
export function unknownParamAction(type: number): UnknownAction {
  return ACTIONS[(type >> 14) & 3];
}

/** True for chunk types this implementation understands. */
export function isKnownChunkType(type: number): boolean {
  return (type <= 11 && type >= 0) || type === 14 || type === 130 || type === 192;
}

/** Error cause codes (RFC 9260 §3.3.10) we send or recognize. */
export const ErrorCause = {
  INVALID_STREAM_ID: 1,
  MISSING_MANDATORY_PARAM: 2,
  STALE_COOKIE: 3,
  OUT_OF_RESOURCE: 4,
  UNRESOLVABLE_ADDRESS: 5,
  UNRECOGNIZED_CHUNK_TYPE: 6,
  INVALID_MANDATORY_PARAM: 7,
  UNRECOGNIZED_PARAMS: 8,
  NO_USER_DATA: 9,
  COOKIE_WHILE_SHUTTING_DOWN: 10,
  USER_INITIATED_ABORT: 12,
  PROTOCOL_VIOLATION: 13,
} as const;
