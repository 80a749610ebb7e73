import { constants, type KeyObject, sign, verify } from 'node:crypto';

/** SignatureScheme codes (RFC 8446 §4.2.3; in TLS 1.2 the ECDSA ones name only the hash). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pss_rsae_sha256: 0x0804,
} as const;

export type KeyType = 'ecdsa' | 'rsa';

interface SchemeInfo {
  id: number;
  keyType: KeyType;
  hash: 'sha256' | 'sha384';
  pss: boolean;
}

const SCHEMES: readonly SchemeInfo[] = [
  { id: SignatureScheme.ecdsa_secp256r1_sha256, keyType: 'ecdsa', hash: 'sha256', pss: false },
  { id: SignatureScheme.ecdsa_secp384r1_sha384, keyType: 'ecdsa', hash: 'sha384', pss: false },
  { id: SignatureScheme.rsa_pss_rsae_sha256, keyType: 'rsa', hash: 'sha256', pss: true },
  { id: SignatureScheme.rsa_pkcs1_sha256, keyType: 'rsa', hash: 'sha256', pss: false },
  { id: SignatureScheme.rsa_pkcs1_sha384, keyType: 'rsa', hash: 'sha384', pss: false },
];

/** Schemes we offer and accept, in preference order. */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly number[] = SCHEMES.map((s) => s.id);

function schemeInfo(id: number): SchemeInfo | undefined {
  return SCHEMES.find((s) => s.id === id);
}

/** Key type a scheme needs, or undefined for schemes we do not speak. */
export function signatureSchemeKeyType(id: number): KeyType | undefined {
  return schemeInfo(id)?.keyType;
}

/**
 * Picks the first scheme in our preference order that `peerOffers` lists and
 * that fits our key; with a P-384 key ECDSA prefers SHA-384.
 */
export function chooseSignatureScheme(
  keyType: KeyType,
  peerOffers: readonly number[],
  curve?: string,
): number | undefined {
  const order =
    keyType === 'ecdsa' && curve === 'P-384'
      ? [SignatureScheme.ecdsa_secp384r1_sha384, SignatureScheme.ecdsa_secp256r1_sha256]
      : SUPPORTED_SIGNATURE_SCHEMES;
  for (const id of order) {
    if (schemeInfo(id)?.keyType === keyType && peerOffers.includes(id)) return id;
  }
  return undefined;
}

function keyOptions(info: SchemeInfo, key: KeyObject) {
  return info.pss
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { key, dsaEncoding: 'der' as const };
}

export function signWithScheme(id: number, privateKey: KeyObject, data: Uint8Array): Buffer {
  const info = schemeInfo(id);
  if (!info) throw new Error(`unsupported signature scheme 0x${id.toString(16)}`);
  return sign(info.hash, data, keyOptions(info, privateKey));
}

/** Verifies; false (never a throw) on an unknown scheme, a wrong key type or a bad signature. */
export function verifyWithScheme(
  id: number,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const info = schemeInfo(id);
  if (!info) return false;
  const kt = publicKey.asymmetricKeyType;
  if ((info.keyType === 'ecdsa' && kt !== 'ec') || (info.keyType === 'rsa' && kt !== 'rsa')) return false;
  try {
    return verify(info.hash, data, keyOptions(info, publicKey), signature);
  } catch {
    // A malformed signature or key does not verify: the handshake fails with decrypt_error.
    return false;
  }
}
