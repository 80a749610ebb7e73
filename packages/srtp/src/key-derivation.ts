/**
 * RFC 3711 §4.3 key derivation with the AES-CM PRF (§4.3.3) and a key
 * derivation rate of 0, as WebRTC uses it. RFC 6188 §7 extends the PRF to
 * 256-bit master keys (AES-256 in counter mode), which AEAD_AES_256_GCM needs
 * (RFC 7714 §11 reuses the same KDF).
 */
import { createCipheriv } from 'node:crypto';
import type { SrtpProfileInfo } from './profiles.js';

/** KDF labels (RFC 3711 §4.3.1 and §4.3.2). */
export const SrtpKdfLabel = {
  RtpEncryption: 0x00,
  RtpAuthentication: 0x01,
  RtpSalt: 0x02,
  RtcpEncryption: 0x03,
  RtcpAuthentication: 0x04,
  RtcpSalt: 0x05,
} as const;

/**
 * One session key of `length` bytes: AES-CM keystream under the master key,
 * starting at IV = (label << 48 XOR master_salt) << 16. A master salt shorter
 * than 112 bits (the 96-bit GCM salt) is zero-padded on the right, as libsrtp
 * does.
 */
export function deriveSrtpSessionKey(
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  label: number,
  length: number,
): Buffer {
  if (masterKey.length !== 16 && masterKey.length !== 32) {
    throw new RangeError(`SRTP master key must be 16 or 32 bytes, got ${masterKey.length}`);
  }
  if (masterSalt.length > 14) throw new RangeError(`SRTP master salt longer than 14 bytes`);
  const blocks = Math.ceil(length / 16);
  const input = Buffer.alloc(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const o = b * 16;
    input.set(masterSalt, o);
    // key_id = label || index DIV kdr (48 zero bits with kdr = 0): the label
    // lands on byte 7 of the 112-bit salt.
    input[o + 7] ^= label;
    input[o + 14] = b >> 8;
    input[o + 15] = b & 0xff;
  }
  const ecb = createCipheriv(masterKey.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', masterKey, null);
  ecb.setAutoPadding(false);
  const keystream = ecb.update(input);
  return Buffer.from(keystream.subarray(0, length));
}

/** Session keys of one direction for SRTP or SRTCP. */
export interface SrtpSessionKeys {
  readonly encryptionKey: Buffer;
  readonly salt: Buffer;
  /** HMAC-SHA1 key (20 bytes) for the AES-CM profiles; empty for AEAD. */
  readonly authKey: Buffer;
}

/** Lengths of the session keys a profile derives. */
export function srtpSessionSaltLength(profile: SrtpProfileInfo): number {
  return profile.aead ? 12 : 14;
}

/** Derives the SRTP and SRTCP session keys of a profile from its master key and salt. */
export function deriveSrtpSessionKeys(
  profile: SrtpProfileInfo,
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
): { rtp: SrtpSessionKeys; rtcp: SrtpSessionKeys } {
  if (masterKey.length !== profile.masterKeyLength) {
    throw new RangeError(
      `${profile.cryptoSuite} needs a ${profile.masterKeyLength}-byte master key, got ${masterKey.length}`,
    );
  }
  if (masterSalt.length !== profile.masterSaltLength) {
    throw new RangeError(
      `${profile.cryptoSuite} needs a ${profile.masterSaltLength}-byte master salt, got ${masterSalt.length}`,
    );
  }
  const keyLen = profile.masterKeyLength;
  const saltLen = srtpSessionSaltLength(profile);
  const authLen = profile.aead ? 0 : 20;
  const one = (enc: number, auth: number, salt: number): SrtpSessionKeys => ({
    encryptionKey: deriveSrtpSessionKey(masterKey, masterSalt, enc, keyLen),
    salt: deriveSrtpSessionKey(masterKey, masterSalt, salt, saltLen),
    authKey: authLen ? deriveSrtpSessionKey(masterKey, masterSalt, auth, authLen) : Buffer.alloc(0),
  });
  return {
    rtp: one(SrtpKdfLabel.RtpEncryption, SrtpKdfLabel.RtpAuthentication, SrtpKdfLabel.RtpSalt),
    rtcp: one(SrtpKdfLabel.RtcpEncryption, SrtpKdfLabel.RtcpAuthentication, SrtpKdfLabel.RtcpSalt),
  };
}
