import { describe, expect, it } from 'vitest';
import { hex } from './hex.test-util.js';
import { deriveSrtpSessionKey, deriveSrtpSessionKeys, SrtpKdfLabel } from './key-derivation.js';
import { srtpProfileByName } from './profiles.js';

describe('RFC 3711 §4.3 key derivation (kdr = 0)', () => {
  // [source, master key, master salt, label, expected session key]
  const rows: [string, string, string, number, string][] = [
    // RFC 3711 Appendix B.3
    [
      'B.3 cipher key',
      'E1F97A0D3E018BE0D64FA32C06DE4139',
      '0EC675AD498AFEEBB6960B3AABE6',
      SrtpKdfLabel.RtpEncryption,
      'C61E7A93744F39EE10734AFE3FF7A087',
    ],
    [
      'B.3 cipher salt',
      'E1F97A0D3E018BE0D64FA32C06DE4139',
      '0EC675AD498AFEEBB6960B3AABE6',
      SrtpKdfLabel.RtpSalt,
      '30CBBC08863D8C85D49DB34A9AE1',
    ],
    [
      'B.3 auth key',
      'E1F97A0D3E018BE0D64FA32C06DE4139',
      '0EC675AD498AFEEBB6960B3AABE6',
      SrtpKdfLabel.RtpAuthentication,
      'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4',
    ],
    // RFC 6188 §7.2 (AES-256 PRF)
    [
      '6188 cipher key',
      'f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6',
      '3b04803de51ee7c96423ab5b78d2',
      SrtpKdfLabel.RtpEncryption,
      '5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4',
    ],
    [
      '6188 cipher salt',
      'f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6',
      '3b04803de51ee7c96423ab5b78d2',
      SrtpKdfLabel.RtpSalt,
      'fa31791685ca444a9e07c6c64e93',
    ],
    [
      '6188 auth key',
      'f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6',
      '3b04803de51ee7c96423ab5b78d2',
      SrtpKdfLabel.RtpAuthentication,
      'fd9c32d39ed5fbb5a9dc96b30818454d1313dc05',
    ],
  ];
  for (const [name, key, salt, label, expected] of rows) {
    it(name, () => {
      const want = hex(expected);
      expect(deriveSrtpSessionKey(hex(key), hex(salt), label, want.length).toString('hex')).toBe(
        want.toString('hex'),
      );
    });
  }

  it('derives distinct SRTP and SRTCP keys with the lengths of each profile', () => {
    const rows = [
      ['AES_CM_128_HMAC_SHA1_80', 16, 14, 20],
      ['AES_CM_128_HMAC_SHA1_32', 16, 14, 20],
      ['AEAD_AES_128_GCM', 16, 12, 0],
      ['AEAD_AES_256_GCM', 32, 12, 0],
    ] as const;
    for (const [name, keyLen, saltLen, authLen] of rows) {
      const p = srtpProfileByName(name)!;
      const k = deriveSrtpSessionKeys(
        p,
        Buffer.alloc(p.masterKeyLength, 1),
        Buffer.alloc(p.masterSaltLength, 2),
      );
      expect([k.rtp.encryptionKey.length, k.rtp.salt.length, k.rtp.authKey.length]).toEqual([
        keyLen,
        saltLen,
        authLen,
      ]);
      expect(k.rtcp.encryptionKey.equals(k.rtp.encryptionKey)).toBe(false);
      expect(k.rtcp.salt.equals(k.rtp.salt)).toBe(false);
    }
  });

  it('a 96-bit GCM salt is the 112-bit salt with two zero bytes appended (as libsrtp)', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f');
    const salt12 = hex('517569642071756f20657374');
    const padded = Buffer.concat([salt12, Buffer.alloc(2)]);
    expect(deriveSrtpSessionKey(key, salt12, 0, 16)).toEqual(deriveSrtpSessionKey(key, padded, 0, 16));
  });

  it('rejects wrong key and salt lengths', () => {
    const p = srtpProfileByName('AEAD_AES_128_GCM')!;
    expect(() => deriveSrtpSessionKeys(p, Buffer.alloc(15), Buffer.alloc(12))).toThrow(RangeError);
    expect(() => deriveSrtpSessionKeys(p, Buffer.alloc(16), Buffer.alloc(14))).toThrow(RangeError);
    expect(() => deriveSrtpSessionKey(Buffer.alloc(24), Buffer.alloc(14), 0, 16)).toThrow(RangeError);
    expect(() => deriveSrtpSessionKey(Buffer.alloc(16), Buffer.alloc(15), 0, 16)).toThrow(RangeError);
  });
});
