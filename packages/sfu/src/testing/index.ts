/** `@tsfu/sfu/testing`: helpers for tests, benchmarks and tools around the SFU (not needed by applications). */
export type { ThreadHeapForTesting } from '../heap-for-testing.js';
export {
  ALLOW_CRASH_FOR_TESTING_ENV,
  crashIoThreadForTesting,
  ioThreadHeapForTesting,
} from '../main-thread/io-thread-strategy.js';
export { FLOOD_KINDS, type FloodKind, floodDatagram, floodDatagrams } from './flood-datagrams.js';
export { mediaCodecOf, type PlainRtpSdpStream, plainRtpSdp } from './plain-rtp-sdp.js';
export {
  type SyntheticClientCounters,
  type SyntheticTransportInfo,
  SyntheticWebRtcClient,
} from './synthetic-client.js';
