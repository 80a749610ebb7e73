/**
 * @tsfu/sfu: a WebRTC SFU with mediasoup v3's API. This first part holds the
 * pure foundation: mediasoup 3.27.1's types and error classes, the supported
 * RTP capabilities, the `ortc` capability logic and the SharedArrayBuffer
 * packet ring that will carry packets between the I/O thread and workers.
 */
export {
  createPacketRingBuffer,
  PACKET_RING_RECORD_HEADER,
  type PacketRingOptions,
  PacketRingReader,
  type PacketRingStats,
  PacketRingWriter,
} from './channel/packet-ring.js';
export * as errors from './errors.js';
export { NotFoundError, UnsupportedError, WorkerClosedError } from './errors.js';
export * as h264 from './h264-profile-level-id.js';
export type { RtpCodecsEncodingsMapping } from './ortc.js';
export * as ortc from './ortc.js';
export { parseScalabilityMode, type ScalabilityMode } from './scalability-mode.js';
export { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';
export type * as types from './types/index.js';
export type * from './types/index.js';
