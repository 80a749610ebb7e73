/**
 * @tsfu/turn: a TURN server (RFC 8656) over UDP, TCP and TLS with UDP relays,
 * long-term credentials (RFC 8489 §9.2, MESSAGE-INTEGRITY and -SHA256) and
 * TURN REST API ephemeral credentials, on @tsfu/ice-lite's STUN codec.
 */
export { DEFAULT_DENIED_PEER_RANGES, parseAddressRange } from './address-range.js';
export { buildChannelData, isValidChannelNumber, looksLikeChannelData } from './channel-data.js';
export { PeerPolicy, type PeerPolicyOptions } from './peer-policy.js';
export * from './turn-constants.js';
export { type TurnAuthOptions, TurnCredentials, turnRestCredentials } from './turn-credentials.js';
export {
  createTurnServer,
  type TurnListenAddress,
  type TurnListenOptions,
  type TurnListenProtocol,
  type TurnServer,
  type TurnServerOptions,
  type TurnTlsOptions,
} from './turn-server.js';
export type { TurnServerStats } from './turn-stats.js';
export { TurnStreamFramer } from './turn-stream-framer.js';
export { startTurnServerThread, type TurnServerThread } from './turn-thread.js';
