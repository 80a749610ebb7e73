import { describe, expect, it } from 'vitest';
import { hex } from './hex.test-util.js';
import { SrtpCipherAeadAesGcm } from './srtp-cipher-aead-aes-gcm.js';
import { SrtpError } from './srtp-error.js';

// RFC 7714 §16 (SRTP) and §17 (SRTCP) vectors. The RFC gives session keys
// directly (no KDF), the same key and salt for SRTP and SRTCP.
const SALT = '517569642070726f2071756f'; // "Quid pro quo"

// RTP packet of §16.1: V=2, PT=64, seq=0xf17b, ts=0x8041f8d3, SSRC=0x5501a0b2, ROC=0.
const RTP = hex(`
  8040f17b  8041f8d3  5501a0b2
  47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573`);
// RTCP packet of §17.1 (52 bytes): SR (PT=200), sender SSRC=0x4d617273, SRTCP index 0x5d4.
const RTCP = hex(`
  81c8000d  4d617273
  4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
  deadbeef deadbeef deadbeef deadbeef deadbeef`);

const vectors = [
  {
    name: 'AEAD_AES_128_GCM',
    key: '000102030405060708090a0b0c0d0e0f',
    // §16.1.1: header || ciphertext || 16-byte tag
    srtp: `8040f17b 8041f8d3 5501a0b2
      f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833
      899d7f27beb16a9152cf765ee4390cce`,
    // §17.1.1: header || ciphertext || tag || E=1 + index
    srtcp: `81c8000d 4d617273
      63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b
      c84aa45896cf4d2fc5abf87245d9eade
      800005d4`,
    // §17.1.2: E=0 (authentication only): RTCP || tag || E=0 + index
    srtcpAuthOnly: `81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
      deadbeef deadbeef deadbeef deadbeef deadbeef
      841dd9683dd78ec92ae58790125f62b3
      000005d4`,
  },
  {
    name: 'AEAD_AES_256_GCM',
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    srtp: `8040f17b 8041f8d3 5501a0b2
      32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b
      7aa3db36dfffd6b0f9bb7878d7a76c13`,
    srtcp: `81c8000d 4d617273
      d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad
      1d1eb30c4446839f57ff6f6cb26ac3be
      800005d4`,
    srtcpAuthOnly: `81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
      deadbeef deadbeef deadbeef deadbeef deadbeef
      91db4afbfeee5a978fab4393ed2615fe
      000005d4`,
  },
];

function cipherFor(key: string): SrtpCipherAeadAesGcm {
  const keys = { encryptionKey: hex(key), salt: hex(SALT), authKey: Buffer.alloc(0) };
  return new SrtpCipherAeadAesGcm(keys, keys);
}

describe('AES-GCM SRTP transform: RFC 7714 vectors', () => {
  for (const v of vectors) {
    describe(v.name, () => {
      it('§16: protects RTP', () => {
        const out = Buffer.alloc(RTP.length + 16);
        const n = cipherFor(v.key).encryptRtp(RTP, RTP.length, 12, 0x5501a0b2, 0, 0xf17b, out);
        expect(out.subarray(0, n).toString('hex')).toBe(hex(v.srtp).toString('hex'));
      });
      it('§16: unprotects RTP in place', () => {
        const buf = hex(v.srtp);
        const n = cipherFor(v.key).decryptRtp(buf, buf.length, 12, 0x5501a0b2, 0, 0xf17b, buf);
        expect(buf.subarray(0, n).equals(RTP)).toBe(true);
      });
      it('§16: a wrong ROC fails authentication', () => {
        const buf = hex(v.srtp);
        expect(cipherFor(v.key).decryptRtp(buf, buf.length, 12, 0x5501a0b2, 1, 0xf17b, buf)).toBe(
          SrtpError.AuthFailed,
        );
        expect(buf.equals(hex(v.srtp))).toBe(true); // nothing written on failure
      });
      it('§17: protects RTCP with E=1 and the SRTCP index', () => {
        const out = Buffer.alloc(RTCP.length + 20);
        const n = cipherFor(v.key).encryptRtcp(RTCP, RTCP.length, 0x4d617273, 0x5d4, out);
        expect(out.subarray(0, n).toString('hex')).toBe(hex(v.srtcp).toString('hex'));
      });
      it('§17: unprotects encrypted SRTCP', () => {
        const buf = hex(v.srtcp);
        const out = Buffer.alloc(buf.length);
        const n = cipherFor(v.key).decryptRtcp(buf, buf.length, 0x4d617273, 0x5d4, true, out);
        expect(out.subarray(0, n).equals(RTCP)).toBe(true);
      });
      it('§17: verifies authentication-only SRTCP (E=0)', () => {
        const buf = hex(v.srtcpAuthOnly);
        const out = Buffer.alloc(buf.length);
        const n = cipherFor(v.key).decryptRtcp(buf, buf.length, 0x4d617273, 0x5d4, false, out);
        expect(out.subarray(0, n).equals(RTCP)).toBe(true);
        buf[20] ^= 0x01;
        expect(cipherFor(v.key).decryptRtcp(buf, buf.length, 0x4d617273, 0x5d4, false, out)).toBe(
          SrtpError.AuthFailed,
        );
      });
    });
  }
});
