import type { PrfHash } from '../crypto/prf.js';
import type { KeyType } from '../crypto/signature-scheme.js';
import { AesGcmRecordCipher } from './aes-gcm-cipher.js';
import { ChaCha20Poly1305RecordCipher } from './chacha20-poly1305-cipher.js';
import type { RecordCipher } from './record-cipher.js';

/** IANA names of the suites we implement. */
export type CipherSuiteName =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256';

/** What the handshake needs to know about a suite: key exchange is always ECDHE. */
export interface CipherSuite {
  readonly id: number;
  readonly name: CipherSuiteName;
  /** Certificate key type the suite authenticates with. */
  readonly auth: KeyType;
  readonly prfHash: PrfHash;
  readonly keyLength: number;
  /** fixed_iv_length: 4 for GCM (the salt), 12 for ChaCha20-Poly1305. */
  readonly fixedIvLength: number;
  createCipher(writeKey: Buffer, writeIv: Buffer, readKey: Buffer, readIv: Buffer): RecordCipher;
}

const gcm = (w: Buffer, wi: Buffer, r: Buffer, ri: Buffer) => new AesGcmRecordCipher(w, wi, r, ri);
const chacha = (w: Buffer, wi: Buffer, r: Buffer, ri: Buffer) =>
  new ChaCha20Poly1305RecordCipher(w, wi, r, ri);

/** Every suite we implement, in default preference order (WebRTC's mandatory one first). */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  {
    id: 0xc02b,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    auth: 'ecdsa',
    prfHash: 'sha256',
    keyLength: 16,
    fixedIvLength: 4,
    createCipher: gcm,
  },
  {
    id: 0xc02f,
    name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    auth: 'rsa',
    prfHash: 'sha256',
    keyLength: 16,
    fixedIvLength: 4,
    createCipher: gcm,
  },
  {
    id: 0xc02c,
    name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    auth: 'ecdsa',
    prfHash: 'sha384',
    keyLength: 32,
    fixedIvLength: 4,
    createCipher: gcm,
  },
  {
    id: 0xc030,
    name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    auth: 'rsa',
    prfHash: 'sha384',
    keyLength: 32,
    fixedIvLength: 4,
    createCipher: gcm,
  },
  {
    id: 0xcca9,
    name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    auth: 'ecdsa',
    prfHash: 'sha256',
    keyLength: 32,
    fixedIvLength: 12,
    createCipher: chacha,
  },
  {
    id: 0xcca8,
    name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    auth: 'rsa',
    prfHash: 'sha256',
    keyLength: 32,
    fixedIvLength: 12,
    createCipher: chacha,
  },
];

export function cipherSuiteById(id: number): CipherSuite | undefined {
  return CIPHER_SUITES.find((s) => s.id === id);
}

export function cipherSuiteByName(name: string): CipherSuite | undefined {
  return CIPHER_SUITES.find((s) => s.name === name);
}
