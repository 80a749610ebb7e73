/**
 * `@tsfu/sfu/internal`: building blocks of the SFU that benchmarks and tests
 * reach for, outside mediasoup's API (the main entry keeps to that API):
 * the SharedArrayBuffer packet ring, the H264 profile-level-id helpers and
 * the transport-cc arrival recorder (a receiver's feedback, for load generators).
 * Not covered by the package's compatibility promise.
 */
export * as h264 from './ortc/h264-profile-level-id.js';
export {
  createPacketRingBuffer,
  PACKET_RING_RECORD_HEADER,
  type PacketRingOptions,
  PacketRingReader,
  type PacketRingStats,
  PacketRingWriter,
} from './protocol/packet-ring.js';
export {
  type TransportCcFeedback,
  TransportCcRecorder,
} from './worker-thread/rtp/transport-cc-recorder.js';
