import { describe, expect, it } from 'vitest';
import { RelayQuota, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a second of burst, then the rate', () => {
    const b = new TokenBucket(1000, 0);
    expect(b.take(600, 0)).toBe(true);
    expect(b.take(600, 0)).toBe(false); // 400 left
    expect(b.take(400, 0)).toBe(true);
    expect(b.take(100, 50)).toBe(false); // 50 ms refilled only 50 bytes
    expect(b.take(50, 50)).toBe(true);
  });

  it('refills at the rate and never beyond one second', () => {
    const b = new TokenBucket(1000, 0);
    expect(b.take(1000, 0)).toBe(true);
    expect(b.take(500, 400)).toBe(false); // 400 refilled
    expect(b.take(400, 400)).toBe(true);
    expect(b.take(1001, 10_000)).toBe(false); // capped at 1000
    expect(b.take(1000, 10_000)).toBe(true);
    expect(() => new TokenBucket(0)).toThrow(TypeError);
  });

  it('RelayQuota takes from both or neither', () => {
    const user = new TokenBucket(1e6);
    const total = new TokenBucket(100);
    const q = new RelayQuota(user, total);
    expect(q.allow(100)).toBe(true);
    expect(q.allow(100)).toBe(false); // total empty
    expect(new RelayQuota(user, undefined).allow(999_000)).toBe(true); // user's share was given back
  });
});
