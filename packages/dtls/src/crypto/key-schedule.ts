import type { CipherSuite } from '../cipher-suite/cipher-suite.js';
import type { RecordCipher } from '../cipher-suite/record-cipher.js';
import * as Prf from './prf.js';

/** The two hello randoms in the order the PRF labels want them. */
export interface SessionRandoms {
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
}

/** What the key schedule needs to know about a suite. */
export type KeyScheduleSuite = Pick<CipherSuite, 'prfHash' | 'keyLength' | 'fixedIvLength'>;

/** The write keys and implicit IVs cut from the key block (RFC 5246 §6.3; no MAC keys with AEAD). */
export interface RecordKeys {
  clientWriteKey: Buffer;
  serverWriteKey: Buffer;
  clientWriteIv: Buffer;
  serverWriteIv: Buffer;
}

/**
 * master_secret from the ECDHE pre-master secret: with `sessionHash` (the
 * transcript hash through ClientKeyExchange) it is RFC 7627's extended
 * master secret, otherwise RFC 5246 §8.1's, bound to the randoms only.
 */
export function computeMasterSecret(
  suite: KeyScheduleSuite,
  preMasterSecret: Uint8Array,
  randoms: SessionRandoms,
  sessionHash: Uint8Array | undefined,
): Buffer {
  return sessionHash
    ? Prf.extendedMasterSecret(suite.prfHash, preMasterSecret, sessionHash)
    : Prf.masterSecret(suite.prfHash, preMasterSecret, randoms.clientRandom, randoms.serverRandom);
}

/** Expands the key block and cuts it: client key | server key | client IV | server IV. */
export function deriveRecordKeys(
  suite: KeyScheduleSuite,
  masterSecret: Uint8Array,
  randoms: SessionRandoms,
): RecordKeys {
  const k = suite.keyLength;
  const iv = suite.fixedIvLength;
  const block = Prf.keyBlock(
    suite.prfHash,
    masterSecret,
    randoms.clientRandom,
    randoms.serverRandom,
    2 * k + 2 * iv,
  );
  return {
    clientWriteKey: block.subarray(0, k),
    serverWriteKey: block.subarray(k, 2 * k),
    clientWriteIv: block.subarray(2 * k, 2 * k + iv),
    serverWriteIv: block.subarray(2 * k + iv, 2 * k + 2 * iv),
  };
}

/** The epoch-1 record cipher for one side: it writes with its own keys and reads with the peer's. */
export function createRecordCipher(
  suite: CipherSuite,
  keys: RecordKeys,
  role: 'client' | 'server',
): RecordCipher {
  return role === 'client'
    ? suite.createCipher(keys.clientWriteKey, keys.clientWriteIv, keys.serverWriteKey, keys.serverWriteIv)
    : suite.createCipher(keys.serverWriteKey, keys.serverWriteIv, keys.clientWriteKey, keys.clientWriteIv);
}

/** RFC 5705 exporter without a context value (as DTLS-SRTP uses it). */
export function exportKeyingMaterial(
  suite: KeyScheduleSuite,
  masterSecret: Uint8Array,
  randoms: SessionRandoms,
  label: string,
  length: number,
): Buffer {
  return Prf.exportKeyingMaterial(
    suite.prfHash,
    masterSecret,
    label,
    randoms.clientRandom,
    randoms.serverRandom,
    length,
  );
}
