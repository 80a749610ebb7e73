import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DtlsCertificate } from './dtls-certificate.js';
import { certificateFingerprint, FINGERPRINT_ALGORITHMS, matchesFingerprint } from './fingerprint.js';
import { TempDir } from './testing/openssl.test-util.js';

const dir = new TempDir();
afterAll(() => dir.cleanup());

/** A self-signed certificate made by the openssl CLI with the given key options. */
function opensslCert(name: string, keyArgs: string[]): { certFile: string; keyFile: string } {
  const keyFile = `${dir.path}/${name}.key`;
  const certFile = `${dir.path}/${name}.crt`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      '-subj',
      '/CN=openssl',
      '-days',
      '2',
      ...keyArgs,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    {
      stdio: 'pipe',
    },
  );
  return { certFile, keyFile };
}

function opensslFingerprint(certFile: string, alg: string): string {
  const out = execFileSync(
    'openssl',
    ['x509', '-noout', '-fingerprint', `-${alg.replace('-', '')}`, '-in', certFile],
    {
      encoding: 'latin1',
    },
  );
  return out.split('=')[1].trim().toLowerCase();
}

describe('DtlsCertificate', () => {
  for (const type of ['ecdsa', 'rsa'] as const) {
    it(`generates a self-signed ${type} certificate whose fingerprints openssl agrees with`, async () => {
      const c = await DtlsCertificate.generate({ type });
      expect(c.keyType).toBe(type);
      expect(c.curve).toBe(type === 'ecdsa' ? 'P-256' : undefined);
      const certFile = dir.file(`gen-${type}.crt`, c.certificatePem);
      for (const alg of FINGERPRINT_ALGORITHMS) {
        expect(c.fingerprint(alg)).toBe(opensslFingerprint(certFile, alg));
      }
      expect(c.fingerprints().map((f) => f.algorithm)).toEqual([
        'sha-1',
        'sha-224',
        'sha-256',
        'sha-384',
        'sha-512',
      ]);
      expect(c.fingerprint()).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
      const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', certFile], {
        encoding: 'latin1',
      });
      expect(text).toMatch(type === 'ecdsa' ? /ecdsa-with-SHA256/ : /sha256WithRSAEncryption/);
      expect(text).toMatch(type === 'ecdsa' ? /prime256v1/ : /2048 bit/);
      // Reloading our own PEM output gives the same certificate.
      expect(DtlsCertificate.fromPem(c.certificatePem, c.privateKeyPem).der).toEqual(c.der);
    });
  }

  const loads = [
    {
      name: 'EC P-256 (SEC1 key)',
      args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      keyType: 'ecdsa',
      curve: 'P-256',
    },
    {
      name: 'EC P-384',
      args: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      keyType: 'ecdsa',
      curve: 'P-384',
    },
    { name: 'RSA 2048', args: ['-newkey', 'rsa:2048'], keyType: 'rsa', curve: undefined },
  ];
  for (const l of loads) {
    it(`loads an openssl-made ${l.name} certificate from files`, () => {
      const f = opensslCert(l.name.replace(/\W/g, ''), l.args);
      const c = DtlsCertificate.fromFiles(f.certFile, f.keyFile);
      expect(c.keyType).toBe(l.keyType);
      expect(c.curve).toBe(l.curve);
      expect(c.fingerprint('sha-256')).toBe(opensslFingerprint(f.certFile, 'sha-256'));
    });
  }

  it('refuses a key that does not match the certificate, a PEM without certificate, and Ed25519', async () => {
    const a = await DtlsCertificate.generate();
    const b = await DtlsCertificate.generate();
    expect(() => DtlsCertificate.fromPem(a.certificatePem, b.privateKeyPem)).toThrow(/does not match/);
    expect(() => DtlsCertificate.fromPem('nothing here', a.privateKeyPem)).toThrow(/no certificate/);
    const f = opensslCert('ed25519', ['-newkey', 'ed25519']);
    expect(() => DtlsCertificate.fromFiles(f.certFile, f.keyFile)).toThrow(/unsupported key type/);
  });
});

describe('fingerprint matching (RFC 8122)', () => {
  it('matches case-insensitively in any known algorithm, skips unknown ones', async () => {
    const c = await DtlsCertificate.generate();
    const up = c.fingerprint('sha-384').toUpperCase();
    expect(matchesFingerprint(c.der, [{ algorithm: 'sha-384', value: up }])).toBe(true);
    expect(
      matchesFingerprint(c.der, [{ algorithm: 'SHA-256' as never, value: c.fingerprint('sha-256') }]),
    ).toBe(true);
    expect(matchesFingerprint(c.der, [{ algorithm: 'md5' as never, value: c.fingerprint('sha-256') }])).toBe(
      false,
    );
    expect(matchesFingerprint(c.der, [{ algorithm: 'sha-256', value: 'zz:00' }])).toBe(false);
    expect(
      matchesFingerprint(c.der, [
        { algorithm: 'sha-256', value: certificateFingerprint(Buffer.from('other'), 'sha-256') },
      ]),
    ).toBe(false);
    expect(matchesFingerprint(c.der, [])).toBe(false);
  });
});
