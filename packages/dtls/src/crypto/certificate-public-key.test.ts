import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DtlsCertificate } from '../dtls-certificate.js';
import { TempDir } from '../testing/openssl.test-util.js';
import { certificatePublicKey, readSpkiAsJwk } from './certificate-public-key.js';

const dir = new TempDir();
afterAll(() => dir.cleanup());

function opensslCertDer(name: string, keyArgs: string[]): Buffer {
  const out = `${dir.path}/${name}.der`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      '-subj',
      '/CN=x',
      '-days',
      '1',
      ...keyArgs,
      '-keyout',
      `${dir.path}/${name}.key`,
      '-outform',
      'DER',
      '-out',
      out,
    ],
    { stdio: 'pipe' },
  );
  return readFileSync(out);
}

describe('certificatePublicKey: fast SubjectPublicKeyInfo walk', () => {
  const cases: [string, () => Promise<Buffer> | Buffer, string][] = [
    ['our ECDSA P-256', async () => (await DtlsCertificate.generate()).der, 'EC'],
    ['our RSA-2048', async () => (await DtlsCertificate.generate({ type: 'rsa' })).der, 'RSA'],
    [
      'openssl P-384 (v3, extensions)',
      () => opensslCertDer('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']),
      'EC',
    ],
    ['openssl RSA-3072', () => opensslCertDer('rsa3072', ['-newkey', 'rsa:3072']), 'RSA'],
  ];
  for (const [name, make, kty] of cases) {
    it(`${name}: same key as node's full X.509 parser`, async () => {
      const der = await make();
      expect(readSpkiAsJwk(der)?.kty).toBe(kty); // the fast path was taken
      const want = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
      expect(certificatePublicKey(der)?.export({ type: 'spki', format: 'der' })).toEqual(want);
    });
  }

  it('falls back to the full parser for other keys (Ed25519) and gives undefined for garbage', () => {
    const der = opensslCertDer('ed', ['-newkey', 'ed25519']);
    expect(readSpkiAsJwk(der)).toBeUndefined();
    expect(certificatePublicKey(der)?.asymmetricKeyType).toBe('ed25519');
    expect(certificatePublicKey(Buffer.from([0x30, 0x82, 0xff, 0xff, 0x30]))).toBeUndefined();
    expect(certificatePublicKey(Buffer.alloc(0))).toBeUndefined();
    const truncated = opensslCertDer('p256', [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
    ]).subarray(0, 200);
    expect(readSpkiAsJwk(truncated)).toBeUndefined();
  });
});
