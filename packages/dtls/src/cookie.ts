import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const COOKIE_LENGTH = 20;

/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): an HMAC over the
 * client random and the caller's transport id, under a secret that rotates.
 * The server keeps nothing per ClientHello; a cookie made under the previous
 * secret is still accepted so a rotation never breaks a handshake in flight.
 */
export class CookieGenerator {
  private secret = randomBytes(32);
  private previous = randomBytes(32);
  private rotatedAt = Date.now();
  private readonly mac = Buffer.alloc(32);

  constructor(private readonly rotateMs = 60_000) {}

  private rotateIfDue(): void {
    const now = Date.now();
    if (now - this.rotatedAt < this.rotateMs) return;
    this.previous = this.secret;
    this.secret = randomBytes(32);
    this.rotatedAt = now;
  }

  private compute(secret: Buffer, clientRandom: Uint8Array, peerId: string): Buffer {
    createHmac('sha256', secret).update(clientRandom).update(peerId).digest().copy(this.mac);
    return this.mac;
  }

  /** A fresh cookie for this client random and peer. */
  generate(clientRandom: Uint8Array, peerId = ''): Buffer {
    this.rotateIfDue();
    return Buffer.from(this.compute(this.secret, clientRandom, peerId).subarray(0, COOKIE_LENGTH));
  }

  /** True if `cookie` was made by `generate` for these inputs under a current secret. */
  verify(cookie: Uint8Array, clientRandom: Uint8Array, peerId = ''): boolean {
    if (cookie.length !== COOKIE_LENGTH) return false;
    this.rotateIfDue();
    for (const s of [this.secret, this.previous]) {
      const mac = this.compute(s, clientRandom, peerId).subarray(0, COOKIE_LENGTH);
      if (timingSafeEqual(mac, cookie)) return true;
    }
    return false;
  }
}

/** One generator per process: servers share it and hold no per-client state. */
export const defaultCookieGenerator = new CookieGenerator();
