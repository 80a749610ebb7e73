/**
 * @tsfu/sctp — WebRTC data channels: SCTP (RFC 9260) as carried over DTLS
 * (RFC 8261, RFC 8831), partial reliability (RFC 3758), stream reset
 * (RFC 6525) and DCEP (RFC 8832). Transport-agnostic: give it a `send`
 * callback and feed it packets with `handle()`.
 */

export {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_STREAM_COUNT,
  SCTP_PORT,
} from './association-config.js';
export {
  ChunkType,
  ErrorCause,
  type UnknownAction,
  unknownChunkAction,
  unknownParamAction,
} from './chunk-type.js';
export { crc32c } from './crc32c.js';
export {
  DataChannel,
  type DataChannelEvents,
  type DataChannelInit,
  type DataChannelState,
} from './data-channel.js';
export {
  DataChannelTransport,
  type DataChannelTransportEvents,
  type DataChannelTransportOptions,
  type DataChannelTransportStats,
} from './data-channel-transport.js';
export { DATA_HEADER_LENGTH, DataFlag, marshalData } from './data-chunk.js';
export {
  ChannelType,
  DcepMessageType,
  type DcepOpen,
  marshalDcepAck,
  marshalDcepOpen,
  Ppid,
  unmarshalDcepOpen,
} from './dcep.js';
export { type ForwardTsnChunk, marshalForwardTsn, unmarshalForwardTsn } from './forward-tsn-chunk.js';
export { type InitChunk, marshalInit, ParamType, unmarshalInit } from './init-chunk.js';
export { marshalReconfig, type ReconfigParam, ReconfigResult, unmarshalReconfig } from './reconfig-chunk.js';
export { marshalSack, SackView } from './sack-chunk.js';
export {
  SctpAssociation,
  type SctpAssociationEvents,
  type SctpAssociationOptions,
  type SctpAssociationState,
  type SctpState,
  type SctpStats,
  type SendOptions,
} from './sctp-association.js';
export {
  COMMON_HEADER_LENGTH,
  checkPacket,
  finishPacket,
  PacketCheck,
  writeCommonHeader,
} from './sctp-packet.js';
