import { createHash, timingSafeEqual } from 'node:crypto';

/** Hash names as SDP `a=fingerprint` and mediasoup's DtlsFingerprint use them. */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

export const FINGERPRINT_ALGORITHMS: readonly FingerprintAlgorithm[] = [
  'sha-1',
  'sha-224',
  'sha-256',
  'sha-384',
  'sha-512',
];

export interface DtlsFingerprint {
  algorithm: FingerprintAlgorithm;
  /** Colon-separated hex, e.g. `ab:cd:…` (compared case-insensitively). */
  value: string;
}

/** Fingerprint of a DER certificate: lowercase colon-separated hex, as in SDP. */
export function certificateFingerprint(der: Uint8Array, algorithm: FingerprintAlgorithm): string {
  const hex = createHash(algorithm.replace('-', '')).update(der).digest('hex');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

function parseHex(value: string): Buffer | undefined {
  const clean = value.trim().toLowerCase();
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2})*$/.test(clean)) return undefined;
  return Buffer.from(clean.replace(/:/g, ''), 'hex');
}

/**
 * True if `der` matches at least one fingerprint whose algorithm we know
 * (RFC 8122 §5). Unknown algorithms are skipped; none usable → false.
 */
export function matchesFingerprint(der: Uint8Array, fingerprints: readonly DtlsFingerprint[]): boolean {
  for (const fp of fingerprints) {
    const algorithm = fp.algorithm.toLowerCase() as FingerprintAlgorithm;
    if (!FINGERPRINT_ALGORITHMS.includes(algorithm)) continue;
    const want = parseHex(fp.value);
    if (!want) continue;
    const got = createHash(algorithm.replace('-', '')).update(der).digest();
    if (got.length === want.length && timingSafeEqual(got, want)) return true;
  }
  return false;
}
