/**
 * A token bucket in bytes: `rate` bytes per second, holding at most one
 * second's worth (the burst). The relay's bandwidth quotas (per user, in
 * total) draw from it per packet; a packet it cannot pay for is dropped.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    /** Bytes per second. */
    readonly rate: number,
    now: number = performance.now(),
  ) {
    if (!(rate > 0)) throw new TypeError('a bandwidth quota must be positive');
    this.tokens = rate;
    this.last = now;
  }

  /** Takes `bytes` if the bucket holds them; false (and nothing taken) otherwise. */
  take(bytes: number, now: number = performance.now()): boolean {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.rate, this.tokens + (elapsed * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }
}

/** The buckets one allocation's packets draw from: its user's and the server's (either may be absent). */
export class RelayQuota {
  constructor(
    readonly user: TokenBucket | undefined,
    readonly total: TokenBucket | undefined,
  ) {}

  /** True when both buckets can pay for `bytes`; takes from neither otherwise. */
  allow(bytes: number): boolean {
    const now = performance.now();
    if (this.user !== undefined && !this.user.take(bytes, now)) return false;
    if (this.total !== undefined && !this.total.take(bytes, now)) {
      // Give the user's share back: the packet is not sent.
      this.user?.take(-bytes, now);
      return false;
    }
    return true;
  }
}
