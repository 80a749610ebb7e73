import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitSrtpKeyingMaterial, srtpKeyingMaterialLength } from './keying-material.js';
import { rtpPacket } from './packets.test-util.js';
import { SRTP_PROFILES, srtpProfileById, srtpProfileByName } from './profiles.js';
import { SrtpContext } from './srtp-context.js';

describe('RFC 5764 §4.2 keying material split', () => {
  for (const p of SRTP_PROFILES) {
    it(`${p.cryptoSuite}: client key | server key | client salt | server salt`, () => {
      const k = p.masterKeyLength;
      const s = p.masterSaltLength;
      expect(srtpKeyingMaterialLength(p)).toBe(2 * (k + s));
      // byte value = which field it belongs to: 1 ck, 2 sk, 3 cs, 4 ss
      const material = Buffer.concat([
        Buffer.alloc(k, 1),
        Buffer.alloc(k, 2),
        Buffer.alloc(s, 3),
        Buffer.alloc(s, 4),
      ]);
      const m = splitSrtpKeyingMaterial(p, material);
      expect(m.client.masterKey).toEqual(Buffer.alloc(k, 1));
      expect(m.server.masterKey).toEqual(Buffer.alloc(k, 2));
      expect(m.client.masterSalt).toEqual(Buffer.alloc(s, 3));
      expect(m.server.masterSalt).toEqual(Buffer.alloc(s, 4));
      material.fill(0); // results are copies
      expect(m.client.masterKey[0]).toBe(1);
    });
  }
  it('rejects a wrong length', () => {
    const p = srtpProfileByName('AEAD_AES_128_GCM')!;
    expect(() => splitSrtpKeyingMaterial(p, new Uint8Array(59))).toThrow(RangeError);
    expect(() => splitSrtpKeyingMaterial(p, new Uint8Array(56))).not.toThrow();
  });
  it('the README flow: DTLS client and server build opposite contexts from the same material', () => {
    const profile = srtpProfileById(0x0007)!;
    const material = randomBytes(srtpKeyingMaterialLength(profile));
    const { client, server } = splitSrtpKeyingMaterial(profile, material);
    const serverInbound = new SrtpContext({ profile, ...client });
    const serverOutbound = new SrtpContext({ profile, ...server });
    const clientOutbound = new SrtpContext({ profile, ...client });
    const clientInbound = new SrtpContext({ profile, ...server });
    for (const [from, to] of [
      [clientOutbound, serverInbound],
      [serverOutbound, clientInbound],
    ]) {
      const p = rtpPacket(1, 0x1234, 100);
      const n = from.protectRtp(p.buf, p.length);
      expect(to.unprotectRtp(p.buf, n)).toBe(p.length);
    }
    const p = rtpPacket(2, 0x1234, 100);
    const n = clientOutbound.protectRtp(p.buf, p.length);
    expect(clientInbound.unprotectRtp(p.buf, n)).toBeLessThan(0); // the other direction's keys
  });
});
