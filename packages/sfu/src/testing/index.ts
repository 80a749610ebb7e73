/** `@tsfu/sfu/testing`: helpers for tests and benchmarks (not needed by applications). */
export {
  type SyntheticClientCounters,
  type SyntheticTransportInfo,
  SyntheticWebRtcClient,
} from './synthetic-client.js';
