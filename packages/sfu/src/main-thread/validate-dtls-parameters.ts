/**
 * `webRtcTransport.connect()`'s DTLS parameters: mediasoup's algorithms and
 * roles (TypeError `invalid FingerprintAlgorithm`/`invalid DtlsRole`, as its
 * serializer throws), a non-empty fingerprint list, and each value the
 * colon-separated hex digest its algorithm makes (a value that can never match
 * would only fail later, at the handshake).
 */
import type { DtlsParameters } from '../types/webrtc-transport.js';
import { isPlainObject, shown } from './validate-fields.js';

/** mediasoup's FingerprintAlgorithm values and their digest sizes in bytes. */
const DIGEST_BYTES: Readonly<Record<string, number>> = {
  'sha-1': 20,
  'sha-224': 28,
  'sha-256': 32,
  'sha-384': 48,
  'sha-512': 64,
};
const DTLS_ROLES = ['auto', 'client', 'server'];
const HEX_PAIRS = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/;

export function validateDtlsParameters(dtlsParameters: unknown): asserts dtlsParameters is DtlsParameters {
  if (!isPlainObject(dtlsParameters)) {
    throw new TypeError(`missing dtlsParameters [dtlsParameters:${shown(dtlsParameters)}]`);
  }
  const { fingerprints, role } = dtlsParameters;
  if (!Array.isArray(fingerprints)) {
    throw new TypeError(`missing dtlsParameters.fingerprints [fingerprints:${shown(fingerprints)}]`);
  }
  if (fingerprints.length === 0) throw new TypeError('empty dtlsParameters.fingerprints');
  fingerprints.forEach((f: unknown, i) => {
    const where = `dtlsParameters.fingerprints[${i}]`;
    if (!isPlainObject(f))
      throw new TypeError(`invalid ${where}: ${shown(f)} (must be { algorithm, value })`);
    const known = typeof f.algorithm === 'string' && Object.hasOwn(DIGEST_BYTES, f.algorithm);
    const bytes = known ? DIGEST_BYTES[f.algorithm as string] : 0;
    if (!bytes) {
      throw new TypeError(`invalid FingerprintAlgorithm: ${f.algorithm} [${where}.algorithm]`);
    }
    const value = f.value;
    if (typeof value !== 'string' || !HEX_PAIRS.test(value) || (value.length + 1) / 3 !== bytes) {
      throw new TypeError(
        `invalid ${where}.value: ${shown(value)} (must be ${bytes} colon-separated hex bytes for ${f.algorithm})`,
      );
    }
  });
  if (role !== undefined && !DTLS_ROLES.includes(role as string)) {
    throw new TypeError(`invalid DtlsRole: ${role} [dtlsParameters.role]`);
  }
}
