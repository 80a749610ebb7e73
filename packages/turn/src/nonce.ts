/**
 * Stateless NONCEs (RFC 8489 §9.2): the expiry time and an HMAC of it under a
 * per-server random key, so the server keeps no table and a nonce cannot be
 * forged or extended. An expired or foreign nonce earns 438 Stale Nonce.
 */
import { createHmac, randomBytes } from 'node:crypto';

export class NonceIssuer {
  private readonly key = randomBytes(32);

  constructor(readonly lifetimeSeconds = 600) {
    if (!(lifetimeSeconds > 0)) throw new TypeError('nonce lifetime must be positive');
  }

  issue(nowMs = Date.now()): string {
    const expiry = (Math.floor(nowMs / 1000) + this.lifetimeSeconds).toString(16).padStart(10, '0');
    return expiry + this.mac(expiry);
  }

  /** True when `nonce` is one of ours and has not expired. */
  isValid(nonce: string, nowMs = Date.now()): boolean {
    if (nonce.length !== 10 + 24) return false;
    const expiry = nonce.substring(0, 10);
    if (this.mac(expiry) !== nonce.substring(10)) return false;
    return Number.parseInt(expiry, 16) * 1000 > nowMs;
  }

  private mac(expiry: string): string {
    return createHmac('sha256', this.key).update(expiry).digest('hex').substring(0, 24);
  }
}
