import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  X509Certificate as NodeX509Certificate,
  webcrypto,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeyType } from './crypto/signature-scheme.js';
import {
  certificateFingerprint,
  type DtlsFingerprint,
  FINGERPRINT_ALGORITHMS,
  type FingerprintAlgorithm,
} from './fingerprint.js';

export interface DtlsCertificateGenerateOptions {
  /** `ecdsa` (P-256, the default and what browsers use) or `rsa` (2048-bit). */
  type?: 'ecdsa' | 'rsa';
  /** Common name of the self-signed subject (default `tsfu`). */
  commonName?: string;
  /** Validity in days from now (default 30; WebRTC certificates are short-lived). */
  validityDays?: number;
}

function pemBlocks(pem: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Buffer[] = [];
  for (const m of pem.matchAll(re)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/**
 * A certificate chain (leaf first) and its private key, ready for the DTLS
 * handshake. ECDSA keys must be on P-256 or P-384; RSA keys sign with PSS or
 * PKCS#1 v1.5 as the peer prefers.
 */
export class DtlsCertificate {
  /** DER of each certificate in the chain, leaf first. */
  readonly chain: readonly Buffer[];
  readonly privateKey: KeyObject;
  readonly keyType: KeyType;
  /** `P-256` / `P-384` for ECDSA keys. */
  readonly curve: string | undefined;
  readonly certificatePem: string;
  readonly privateKeyPem: string;

  private constructor(chain: Buffer[], privateKey: KeyObject) {
    if (chain.length === 0) throw new Error('no certificate in PEM');
    this.chain = chain;
    this.privateKey = privateKey;
    const kt = privateKey.asymmetricKeyType;
    if (kt === 'ec') {
      const named = privateKey.asymmetricKeyDetails?.namedCurve;
      this.curve = named === 'prime256v1' ? 'P-256' : named === 'secp384r1' ? 'P-384' : undefined;
      if (!this.curve) throw new Error(`unsupported ECDSA curve ${named}`);
      this.keyType = 'ecdsa';
    } else if (kt === 'rsa') {
      this.keyType = 'rsa';
      this.curve = undefined;
    } else {
      throw new Error(`unsupported key type ${kt}`);
    }
    // The leaf's public key must be the private key's other half.
    const leafKey = new NodeX509Certificate(chain[0]).publicKey.export({ type: 'spki', format: 'der' });
    const ownKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    if (!leafKey.equals(ownKey)) throw new Error('private key does not match the certificate');
    this.certificatePem = chain.map((c) => toPem(c, 'CERTIFICATE')).join('');
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  }

  /** The leaf certificate's DER. */
  get der(): Buffer {
    return this.chain[0];
  }

  /** Loads a PEM certificate (chain) and PEM private key (PKCS#8, SEC1 or PKCS#1). */
  static fromPem(certificatePem: string, privateKeyPem: string): DtlsCertificate {
    return new DtlsCertificate(pemBlocks(certificatePem, 'CERTIFICATE'), createPrivateKey(privateKeyPem));
  }

  /** mediasoup's `dtlsCertificateFile` / `dtlsPrivateKeyFile`. */
  static fromFiles(certificateFile: string, privateKeyFile: string): DtlsCertificate {
    return DtlsCertificate.fromPem(
      readFileSync(certificateFile, 'utf8'),
      readFileSync(privateKeyFile, 'utf8'),
    );
  }

  /** A fresh self-signed certificate (ECDSA P-256 unless `type: 'rsa'`). */
  static async generate(options: DtlsCertificateGenerateOptions = {}): Promise<DtlsCertificate> {
    // @peculiar/x509 needs a Reflect metadata polyfill (tsyringe); load both
    // only when a certificate is generated, so fromPem users never pay for it.
    await import('reflect-metadata');
    const { X509CertificateGenerator } = await import('@peculiar/x509');
    const subtle = webcrypto.subtle;
    const algorithm =
      options.type === 'rsa'
        ? {
            name: 'RSASSA-PKCS1-v1_5',
            hash: 'SHA-256',
            publicExponent: new Uint8Array([1, 0, 1]),
            modulusLength: 2048,
          }
        : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)));
    serial[0] &= 0x7f;
    const cert = await X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serial.toString('hex'),
        name: `CN=${options.commonName ?? 'tsfu'}`,
        notBefore: new Date(now - 24 * 3600_000),
        notAfter: new Date(now + (options.validityDays ?? 30) * 24 * 3600_000),
        signingAlgorithm: algorithm,
        keys,
      },
      webcrypto as unknown as NonNullable<Parameters<typeof X509CertificateGenerator.createSelfSigned>[1]>,
    );
    const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
    return new DtlsCertificate(
      [Buffer.from(cert.rawData)],
      createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    );
  }

  /** Fingerprint of the leaf in lowercase colon-separated hex. */
  fingerprint(algorithm: FingerprintAlgorithm = 'sha-256'): string {
    return certificateFingerprint(this.der, algorithm);
  }

  /** The leaf's fingerprint in every algorithm, as mediasoup lists them in `dtlsParameters`. */
  fingerprints(): DtlsFingerprint[] {
    return FINGERPRINT_ALGORITHMS.map((algorithm) => ({ algorithm, value: this.fingerprint(algorithm) }));
  }
}

/** PEM of a DER certificate. */
export function certificateDerToPem(der: Uint8Array): string {
  return toPem(der, 'CERTIFICATE');
}
