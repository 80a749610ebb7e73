import { describe, expect, it } from 'vitest';
import { PortPool } from './port-pool.js';

describe('PortPool', () => {
  it('hands out every port of the range once, then -1, and takes released ports back', () => {
    const pool = new PortPool(50000, 50009);
    const got = new Set<number>();
    for (let i = 0; i < 10; i++) got.add(pool.take());
    expect([...got].sort()).toEqual([...Array(10).keys()].map((i) => 50000 + i));
    expect(pool.take()).toBe(-1);
    pool.release(50004);
    expect(pool.take()).toBe(50004);
  });

  it('gives even ports, and an even port with its successor for a reservation', () => {
    const pool = new PortPool(50000, 50005);
    const a = pool.take(true);
    expect(a % 2).toBe(0);
    expect(pool.inUse).toBe(2);
    const b = pool.take(false, true);
    expect(b % 2).toBe(0);
    expect(b).not.toBe(a);
    const skip = new Set([50000, 50002, 50004]);
    expect(pool.take(false, true, skip)).toBe(-1);
  });

  it('refuses a bad range', () => {
    expect(() => new PortPool(0, 10)).toThrow(TypeError);
    expect(() => new PortPool(100, 99)).toThrow(TypeError);
    expect(() => new PortPool(1, 70000)).toThrow(TypeError);
  });
});
