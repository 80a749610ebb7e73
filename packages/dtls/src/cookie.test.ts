import { describe, expect, it } from 'vitest';
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
  it('keeps accepting cookies across one rotation, not two', async () => {
    const g = new CookieGenerator(0);
    const random = Buffer.alloc(32, 3);
    const cookie = g.generate(random);
    await new Promise((r) => setTimeout(r, 2));
    expect(g.verify(cookie, random)).toBe(true); // rotated once: previous secret
    await new Promise((r) => setTimeout(r, 2));
    expect(g.verify(cookie, random)).toBe(false); // rotated twice
  });
});
