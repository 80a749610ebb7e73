import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportKeyingMaterial,
  extendedMasterSecret,
  keyBlock,
  masterSecret,
  type PrfHash,
  prf,
  verifyData,
} from './prf.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  // The IETF TLS list's P_SHA256 / P_SHA384 vectors (mail-archive msg03416), label "test label".
  const rows: { hash: PrfHash; secret: string; seed: string; out: string }[] = [
    {
      hash: 'sha256',
      secret: '9bbe436ba940f017b17652849a71db35',
      seed: 'a0ba9f936cda311827a6f796ffd5198c',
      out: `e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af
            0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66`,
    },
    {
      hash: 'sha384',
      secret: 'b80b733d6ceefcdc71566ea48e5567df',
      seed: 'cd665cf6a8447dd6ff8b27555edb7465',
      out: `7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0
            e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b
            5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f`,
    },
  ];
  for (const r of rows) {
    it(`P_${r.hash} published vector`, () => {
      const want = hex(r.out);
      expect(prf(r.hash, hex(r.secret), 'test label', hex(r.seed), want.length).toString('hex')).toBe(
        want.toString('hex'),
      );
      // A shorter output is a prefix of the longer one (P_hash is a stream).
      expect(prf(r.hash, hex(r.secret), 'test label', hex(r.seed), 13)).toEqual(want.subarray(0, 13));
    });
  }

  it('master secret and key block from a published TLS 1.2 session', () => {
    const pms = hex(
      'f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17fbc',
    );
    const cr1 = hex('36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c');
    const sr1 = hex('f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce');
    const ms = hex(
      '202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188bf',
    );
    expect(masterSecret('sha256', pms, cr1, sr1)).toEqual(ms);
    const cr2 = hex('62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616');
    const sr2 = hex('ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868');
    const kb = hex(
      `d06139889fffac1e3a71865f504aa5d0d2a2e89506c6f2279b670c3e1b74f531016a2530c51a3a0f7e1d6590d0f0566b2f387f8d11fd4f731cdd572d2eae927f
       6f2f81410b25e6960be68985add6c38445ad9f8c64bf8068bf9a6679485d966f1ad6f68b43495b10a683755ea2b858d70ccac7ec8b053c6bd41ca299d4e51928`,
    );
    expect(keyBlock('sha256', ms, cr2, sr2, kb.length)).toEqual(kb);
  });

  // OpenSSL's TLS1-PRF KDF as an independent oracle for the labels the handshake uses.
  const openssl = (hash: PrfHash, secret: Buffer, seed: Buffer, len: number) =>
    Buffer.from(
      execFileSync(
        'openssl',
        [
          'kdf',
          '-keylen',
          String(len),
          '-kdfopt',
          `digest:${hash.toUpperCase()}`,
          '-kdfopt',
          `hexsecret:${secret.toString('hex')}`,
          '-kdfopt',
          `hexseed:${seed.toString('hex')}`,
          'TLS1-PRF',
        ],
        { encoding: 'latin1' },
      )
        .trim()
        .replace(/:/g, ''),
      'hex',
    );

  for (const hash of ['sha256', 'sha384'] as const) {
    it(`extended master secret, verify_data and exporter match openssl kdf TLS1-PRF (${hash})`, () => {
      const pms = randomBytes(32);
      const sessionHash = randomBytes(hash === 'sha256' ? 32 : 48);
      const ems = extendedMasterSecret(hash, pms, sessionHash);
      expect(ems).toEqual(
        openssl(hash, pms, Buffer.concat([Buffer.from('extended master secret'), sessionHash]), 48),
      );
      const th = randomBytes(32);
      expect(verifyData(hash, ems, true, th)).toEqual(
        openssl(hash, ems, Buffer.concat([Buffer.from('client finished'), th]), 12),
      );
      expect(verifyData(hash, ems, false, th)).toEqual(
        openssl(hash, ems, Buffer.concat([Buffer.from('server finished'), th]), 12),
      );
      const cr = randomBytes(32);
      const sr = randomBytes(32);
      expect(exportKeyingMaterial(hash, ems, 'EXTRACTOR-dtls_srtp', cr, sr, 60)).toEqual(
        openssl(hash, ems, Buffer.concat([Buffer.from('EXTRACTOR-dtls_srtp'), cr, sr]), 60),
      );
    });
  }
});
