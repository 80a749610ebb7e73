/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and FINGERPRINT (§14.7)
 * checks over a parsed {@link StunMessageView}.
 */
import { createHash, createHmac, type KeyObject } from 'node:crypto';
import { crc32 } from './crc32.js';
import {
  STUN_FINGERPRINT_ATTRIBUTE_LENGTH,
  STUN_FINGERPRINT_XOR,
  STUN_HEADER_LENGTH,
  STUN_INTEGRITY_ATTRIBUTE_LENGTH,
} from './stun-constants.js';
import type { StunMessageView } from './stun-message-view.js';

/** An HMAC key: the raw bytes, or a `KeyObject` made once with `createSecretKey`. */
export type StunIntegrityKey = Uint8Array | KeyObject;

/** Short-term credential key (RFC 8489 §9.1.1): the password itself (already OpaqueString-prepared). */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(password, 'utf8');
}

/**
 * Long-term credential key with MD5 (RFC 8489 §9.2.2): MD5(username ":" realm ":" password).
 * The caller applies SASLprep/OpaqueString to `password` first.
 */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

// Header copy whose length field is patched to end at MESSAGE-INTEGRITY; one per process.
const scratchHeader = new Uint8Array(STUN_HEADER_LENGTH);

/**
 * HMAC-SHA1 of `buf[0..end)` with the header length field rewritten to
 * `end + 24 - 20`, as MESSAGE-INTEGRITY is computed: over everything before it,
 * with a length that counts the attribute itself (RFC 8489 §14.5).
 */
export function computeStunIntegrity(buf: Uint8Array, end: number, key: StunIntegrityKey): Buffer {
  for (let i = 0; i < STUN_HEADER_LENGTH; i++) scratchHeader[i] = buf[i];
  const patched = end + STUN_INTEGRITY_ATTRIBUTE_LENGTH - STUN_HEADER_LENGTH;
  scratchHeader[2] = patched >> 8;
  scratchHeader[3] = patched & 0xff;
  const hmac = createHmac('sha1', key);
  hmac.update(scratchHeader);
  if (end > STUN_HEADER_LENGTH) hmac.update(buf.subarray(STUN_HEADER_LENGTH, end));
  return hmac.digest();
}

/**
 * True when the view's MESSAGE-INTEGRITY matches `key`. False when the
 * attribute is absent. Compares in constant time.
 */
export function verifyStunIntegrity(view: StunMessageView, key: StunIntegrityKey): boolean {
  const at = view.integrityOffset;
  if (at < 0) return false;
  const digest = computeStunIntegrity(view.buf, at, key);
  const b = view.buf;
  let diff = 0;
  for (let i = 0; i < 20; i++) diff |= digest[i] ^ b[at + 4 + i];
  return diff === 0;
}

/**
 * HMAC-SHA256 of `buf[0..end)` truncated to `macLength` bytes, as
 * MESSAGE-INTEGRITY-SHA256 is computed (RFC 8489 §14.6): the header length is
 * patched to end with that attribute.
 */
export function computeStunIntegritySha256(
  buf: Uint8Array,
  end: number,
  key: StunIntegrityKey,
  macLength = 32,
): Buffer {
  for (let i = 0; i < STUN_HEADER_LENGTH; i++) scratchHeader[i] = buf[i];
  const patched = end + 4 + macLength - STUN_HEADER_LENGTH;
  scratchHeader[2] = patched >> 8;
  scratchHeader[3] = patched & 0xff;
  const hmac = createHmac('sha256', key);
  hmac.update(scratchHeader);
  if (end > STUN_HEADER_LENGTH) hmac.update(buf.subarray(STUN_HEADER_LENGTH, end));
  return hmac.digest();
}

/**
 * True when the view's MESSAGE-INTEGRITY-SHA256 (possibly truncated to 16–28
 * bytes) matches `key`. False when absent. Compares in constant time.
 */
export function verifyStunIntegritySha256(view: StunMessageView, key: StunIntegrityKey): boolean {
  const at = view.integritySha256Offset;
  if (at < 0) return false;
  const n = view.integritySha256Length;
  const digest = computeStunIntegritySha256(view.buf, at, key, n);
  const b = view.buf;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= digest[i] ^ b[at + 4 + i];
  return diff === 0;
}

/** FINGERPRINT value for a message whose FINGERPRINT attribute starts at `end`. */
export function computeStunFingerprint(buf: Uint8Array, end: number): number {
  return (crc32(buf, 0, end) ^ STUN_FINGERPRINT_XOR) >>> 0;
}

/**
 * True when the view carries a FINGERPRINT that matches its bytes. FINGERPRINT
 * is the last attribute, so the header length already covers it as sent.
 */
export function verifyStunFingerprint(view: StunMessageView): boolean {
  const at = view.fingerprintOffset;
  if (at < 0 || at + STUN_FINGERPRINT_ATTRIBUTE_LENGTH !== view.length) return false;
  return computeStunFingerprint(view.buf, at) === view.fingerprint;
}
