/**
 * @tsfu/ice-lite: a STUN codec (RFC 8489) and an ICE-Lite agent (RFC 8445)
 * over UDP and passive TCP (RFC 6544, RFC 4571), with consent freshness
 * (RFC 7675) and RFC 7983 demultiplexing.
 */
export { crc32 } from './crc32.js';
export { classifyPacket, PacketKind } from './demux.js';
export {
  candidateFoundation,
  candidatePriority,
  candidateToSdp,
  HOST_TYPE_PREFERENCE,
  hostCandidates,
  type IceCandidate,
  type IceCandidateOptions,
  type IceListenInfo,
  type IceProtocol,
  localPreference,
} from './ice-candidate.js';
export {
  generateIceParameters,
  type IceParameters,
  isIceString,
  randomIceString,
} from './ice-credentials.js';
export {
  type IceCheckCounters,
  IceCheckResult,
  IceLiteAgent,
  type IceLiteAgentEvents,
  type IceLiteAgentOptions,
  type IceRemoteAddress,
  type IceSendFn,
  type IceState,
  type IceTuple,
} from './ice-lite-agent.js';
export {
  type IceLiteListenOptions,
  IceLiteServer,
  type IceLiteServerCounters,
  type IceLiteServerEvents,
  type IceLiteServerOptions,
} from './ice-lite-server.js';
export { readIpv4, readIpv6, writeIpAddress } from './ip-address.js';
export { frameRfc4571, RFC4571_MAX_FRAME_LENGTH, Rfc4571Deframer } from './rfc4571-framing.js';
export * from './stun-constants.js';
export {
  computeStunFingerprint,
  computeStunIntegrity,
  computeStunIntegritySha256,
  longTermKey,
  type StunIntegrityKey,
  shortTermKey,
  verifyStunFingerprint,
  verifyStunIntegrity,
  verifyStunIntegritySha256,
} from './stun-integrity.js';
export {
  MAX_RECORDED_ATTRIBUTES,
  MAX_UNKNOWN_ATTRIBUTES,
  type StunAddress,
  StunMessageView,
  StunParseResult,
} from './stun-message-view.js';
export { STUN_TRAILER_LENGTH, StunMessageWriter, StunWriteError } from './stun-message-writer.js';
export {
  localUfrag,
  localUfragRange,
  ufragEquals,
  ufragRangeLength,
  ufragRangeOffset,
} from './stun-username.js';
export { IceUfragTable } from './ufrag-table.js';
