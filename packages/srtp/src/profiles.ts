/**
 * The SRTP protection profiles tsfu speaks, with the names mediasoup uses for
 * `srtpParameters.cryptoSuite` and the ids DTLS negotiates in `use_srtp`
 * (RFC 5764 §4.1.2, RFC 7714 §14.2).
 */
export type SrtpCryptoSuite =
  | 'AEAD_AES_256_GCM'
  | 'AEAD_AES_128_GCM'
  | 'AES_CM_128_HMAC_SHA1_80'
  | 'AES_CM_128_HMAC_SHA1_32';

export interface SrtpProfileInfo {
  readonly cryptoSuite: SrtpCryptoSuite;
  /** SRTPProtectionProfile id carried in the DTLS `use_srtp` extension. */
  readonly id: number;
  readonly masterKeyLength: number;
  readonly masterSaltLength: number;
  /** Authentication tag appended to SRTP packets. */
  readonly srtpAuthTagLength: number;
  /** Authentication tag appended to SRTCP packets (80 bits for both CM profiles). */
  readonly srtcpAuthTagLength: number;
  readonly aead: boolean;
}

/** All supported profiles, in tsfu's default preference order (GCM first). */
export const SRTP_PROFILES: readonly SrtpProfileInfo[] = Object.freeze([
  {
    cryptoSuite: 'AEAD_AES_256_GCM',
    id: 0x0008,
    masterKeyLength: 32,
    masterSaltLength: 12,
    srtpAuthTagLength: 16,
    srtcpAuthTagLength: 16,
    aead: true,
  },
  {
    cryptoSuite: 'AEAD_AES_128_GCM',
    id: 0x0007,
    masterKeyLength: 16,
    masterSaltLength: 12,
    srtpAuthTagLength: 16,
    srtcpAuthTagLength: 16,
    aead: true,
  },
  {
    cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
    id: 0x0001,
    masterKeyLength: 16,
    masterSaltLength: 14,
    srtpAuthTagLength: 10,
    srtcpAuthTagLength: 10,
    aead: false,
  },
  {
    cryptoSuite: 'AES_CM_128_HMAC_SHA1_32',
    id: 0x0002,
    masterKeyLength: 16,
    masterSaltLength: 14,
    srtpAuthTagLength: 4,
    srtcpAuthTagLength: 10,
    aead: false,
  },
] as const);

export function srtpProfileById(id: number): SrtpProfileInfo | undefined {
  return SRTP_PROFILES.find((p) => p.id === id);
}

export function srtpProfileByName(cryptoSuite: string): SrtpProfileInfo | undefined {
  return SRTP_PROFILES.find((p) => p.cryptoSuite === cryptoSuite);
}
