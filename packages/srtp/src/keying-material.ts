/**
 * RFC 5764 §4.2: the DTLS exporter ("EXTRACTOR-dtls_srtp") yields
 * client_write_SRTP_master_key | server_write_SRTP_master_key |
 * client_write_SRTP_master_salt | server_write_SRTP_master_salt.
 */
import type { SrtpProfileInfo } from './profiles.js';

export interface SrtpMasterKeys {
  readonly masterKey: Buffer;
  readonly masterSalt: Buffer;
}

export interface SrtpKeyingMaterial {
  /** What the DTLS client protects with (and the server unprotects with). */
  readonly client: SrtpMasterKeys;
  /** What the DTLS server protects with (and the client unprotects with). */
  readonly server: SrtpMasterKeys;
}

/** Bytes to ask the DTLS exporter for: 2 × (key + salt). */
export function srtpKeyingMaterialLength(profile: SrtpProfileInfo): number {
  return 2 * (profile.masterKeyLength + profile.masterSaltLength);
}

/**
 * Splits exported keying material into client and server master key + salt
 * (copies, so the caller may wipe `material`). Throws on a wrong length: that is
 * a programming error, not network input.
 */
export function splitSrtpKeyingMaterial(profile: SrtpProfileInfo, material: Uint8Array): SrtpKeyingMaterial {
  const k = profile.masterKeyLength;
  const s = profile.masterSaltLength;
  if (material.length !== 2 * (k + s)) {
    throw new RangeError(
      `${profile.cryptoSuite} keying material must be ${2 * (k + s)} bytes, got ${material.length}`,
    );
  }
  const m = Buffer.from(material.buffer, material.byteOffset, material.length);
  return {
    client: {
      masterKey: Buffer.from(m.subarray(0, k)),
      masterSalt: Buffer.from(m.subarray(2 * k, 2 * k + s)),
    },
    server: {
      masterKey: Buffer.from(m.subarray(k, 2 * k)),
      masterSalt: Buffer.from(m.subarray(2 * k + s, 2 * k + 2 * s)),
    },
  };
}
