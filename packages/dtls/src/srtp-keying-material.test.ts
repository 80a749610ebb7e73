import { SRTP_PROFILES, srtpKeyingMaterialLength, srtpProfileByName } from '@tsfu/srtp';
import { describe, expect, it } from 'vitest';
import { srtpKeysForRole } from './srtp-keying-material.js';

describe('srtpKeysForRole (RFC 5764 §4.2 via @tsfu/srtp)', () => {
  it('client key | server key | client salt | server salt, mapped to local/remote per role', () => {
    for (const p of SRTP_PROFILES) {
      const n = srtpKeyingMaterialLength(p);
      const m = Buffer.from(Array.from({ length: n }, (_, i) => i));
      const k = p.masterKeyLength;
      const s = p.masterSaltLength;
      const c = srtpKeysForRole(m, p, 'client');
      const sv = srtpKeysForRole(m, p, 'server');
      expect(c.localMasterKey).toEqual(m.subarray(0, k));
      expect(c.remoteMasterKey).toEqual(m.subarray(k, 2 * k));
      expect(c.localMasterSalt).toEqual(m.subarray(2 * k, 2 * k + s));
      expect(c.remoteMasterSalt).toEqual(m.subarray(2 * k + s, 2 * k + 2 * s));
      expect(sv.localMasterKey).toEqual(c.remoteMasterKey);
      expect(sv.localMasterSalt).toEqual(c.remoteMasterSalt);
      expect(sv.remoteMasterKey).toEqual(c.localMasterKey);
    }
  });
  it('refuses material of the wrong length', () => {
    expect(() => srtpKeysForRole(Buffer.alloc(10), srtpProfileByName('AEAD_AES_128_GCM')!, 'client')).toThrow(
      RangeError,
    );
  });
});
