import { describe, expect, it } from 'vitest';
import { SRTP_PROFILES, srtpProfileById, srtpProfileByName } from './profiles.js';

describe('SRTP profiles', () => {
  // RFC 5764 §4.1.2 and RFC 7714 §14.2 assign these ids.
  const rows = [
    ['AES_CM_128_HMAC_SHA1_80', 0x0001, 16, 14, 10],
    ['AES_CM_128_HMAC_SHA1_32', 0x0002, 16, 14, 4],
    ['AEAD_AES_128_GCM', 0x0007, 16, 12, 16],
    ['AEAD_AES_256_GCM', 0x0008, 32, 12, 16],
  ] as const;
  for (const [name, id, keyLen, saltLen, tagLen] of rows) {
    it(name, () => {
      const p = srtpProfileById(id);
      expect(p?.cryptoSuite).toBe(name);
      expect(srtpProfileByName(name)).toBe(p);
      expect(p?.masterKeyLength).toBe(keyLen);
      expect(p?.masterSaltLength).toBe(saltLen);
      expect(p?.srtpAuthTagLength).toBe(tagLen);
    });
  }
  it('prefers GCM by default and knows nothing else', () => {
    expect(SRTP_PROFILES[0].aead).toBe(true);
    expect(srtpProfileById(0x0005)).toBeUndefined();
    expect(srtpProfileByName('NULL')).toBeUndefined();
  });
});
