import { describe, expect, it, vi } from 'vitest';
import { CookieGenerator } from './cookie.js';

describe('CookieGenerator', () => {
  it('verifies its own cookies for the same random and context only', () => {
    const g = new CookieGenerator();
    const random = Buffer.alloc(32, 1);
    const cookie = g.generate(random, 'peer-a');
    expect(cookie.length).toBe(20);
    expect(g.verify(cookie, random, 'peer-a')).toBe(true);
    expect(g.verify(cookie, Buffer.alloc(32, 2), 'peer-a')).toBe(false);
    expect(g.verify(cookie, random, 'peer-b')).toBe(false);
    expect(g.verify(cookie.subarray(0, 19), random, 'peer-a')).toBe(false);
    expect(new CookieGenerator().verify(cookie, random, 'peer-a')).toBe(false);
  });
  it('keeps accepting cookies across one rotation, not two', () => {
    vi.useFakeTimers();
    try {
      const g = new CookieGenerator(1000);
      const random = Buffer.alloc(32, 3);
      const cookie = g.generate(random);
      vi.advanceTimersByTime(999);
      expect(g.verify(cookie, random)).toBe(true); // not rotated yet: current secret
      vi.advanceTimersByTime(1);
      expect(g.verify(cookie, random)).toBe(true); // rotated once: previous secret
      vi.advanceTimersByTime(1000);
      expect(g.verify(cookie, random)).toBe(false); // rotated twice
    } finally {
      vi.useRealTimers();
    }
  });
});
