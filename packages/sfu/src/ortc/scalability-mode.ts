/**
 * Scalability modes as webrtc-svc names them: `L<spatial>T<temporal>` for
 * dependent spatial layers, `S<spatial>T<temporal>` for independent ones
 * (simulcast-like K-SVC), with an optional `_KEY` suffix. Two digits at most
 * per count, as in mediasoup.
 */
const ScalabilityModeRegex = /^[LS]([1-9]\d{0,1})T([1-9]\d{0,1})(_KEY)?/;

/** A parsed scalability mode. */
export type ScalabilityMode = {
  spatialLayers: number;
  temporalLayers: number;
  /** True for the `_KEY` variants (K-SVC: inter-layer prediction only on key frames). */
  ksvc: boolean;
};

/**
 * Parses a scalability mode such as 'L1T3' or 'L3T3_KEY'. Anything that does
 * not match (including `undefined`) is one spatial and one temporal layer,
 * like mediasoup's `parseScalabilityMode()`.
 */
export function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode {
  const match = ScalabilityModeRegex.exec(scalabilityMode ?? '');
  if (!match) return { spatialLayers: 1, temporalLayers: 1, ksvc: false };
  return {
    spatialLayers: Number(match[1]),
    temporalLayers: Number(match[2]),
    ksvc: match[3] !== undefined,
  };
}
