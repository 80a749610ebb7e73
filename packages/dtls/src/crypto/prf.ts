import { createHmac } from 'node:crypto';

/** Hash a TLS 1.2 PRF runs on: SHA-256 for every suite except the *_SHA384 ones. */
export type PrfHash = 'sha256' | 'sha384';

/** P_hash (RFC 5246 §5): HMAC expansion of `secret` over `seed` to `length` bytes. */
export function pHash(hash: PrfHash, secret: Uint8Array, seed: Uint8Array, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let a: Buffer = createHmac(hash, secret).update(seed).digest();
  let written = 0;
  while (written < length) {
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const n = Math.min(block.length, length - written);
    block.copy(out, written, 0, n);
    written += n;
    a = createHmac(hash, secret).update(a).digest();
  }
  return out;
}

/** PRF(secret, label, seed) = P_hash(secret, label + seed) (RFC 5246 §5). */
export function prf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Buffer {
  return pHash(hash, secret, Buffer.concat([Buffer.from(label, 'latin1'), seed]), length);
}

export const MASTER_SECRET_LENGTH = 48;

/** master_secret without RFC 7627: bound to the two randoms only. */
export function masterSecret(
  hash: PrfHash,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Buffer {
  return prf(
    hash,
    preMasterSecret,
    'master secret',
    Buffer.concat([clientRandom, serverRandom]),
    MASTER_SECRET_LENGTH,
  );
}

/** Extended master secret (RFC 7627 §4): bound to the session hash through ClientKeyExchange. */
export function extendedMasterSecret(
  hash: PrfHash,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Buffer {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** key_block (RFC 5246 §6.3): note the server random comes first here. */
export function keyBlock(
  hash: PrfHash,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  length: number,
): Buffer {
  return prf(hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/** Finished.verify_data (RFC 5246 §7.4.9). */
export function verifyData(
  hash: PrfHash,
  master: Uint8Array,
  isClient: boolean,
  transcriptHash: Uint8Array,
): Buffer {
  return prf(hash, master, isClient ? 'client finished' : 'server finished', transcriptHash, 12);
}

/** RFC 5705 exporter without a context value (as DTLS-SRTP uses it). */
export function exportKeyingMaterial(
  hash: PrfHash,
  master: Uint8Array,
  label: string,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  length: number,
): Buffer {
  return prf(hash, master, label, Buffer.concat([clientRandom, serverRandom]), length);
}
