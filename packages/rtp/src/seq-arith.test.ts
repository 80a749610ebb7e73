import { describe, expect, it } from 'vitest';
import { isSeqNewer16, isSeqNewer32, seqAdd16, seqAdd32, seqDiff16, seqDiff32 } from './seq-arith.js';

describe('16-bit sequence arithmetic', () => {
  const rows: [a: number, b: number, diff: number][] = [
    [1, 0, 1],
    [0, 1, -1],
    [0, 65535, 1], // wrap forward
    [65535, 0, -1],
    [100, 65000, 636],
    [32767, 0, 32767],
    [32768, 0, -32768], // half the space: taken as older
    [5, 5, 0],
  ];
  for (const [a, b, d] of rows) {
    it(`${a} - ${b} = ${d}`, () => {
      expect(seqDiff16(a, b)).toBe(d);
      expect(isSeqNewer16(a, b)).toBe(d > 0);
    });
  }
  it('adds modulo 2^16', () => {
    expect(seqAdd16(65535, 2)).toBe(1);
    expect(seqAdd16(0, -1)).toBe(65535);
  });
});

describe('32-bit sequence arithmetic', () => {
  const rows: [a: number, b: number, diff: number][] = [
    [1, 0, 1],
    [0, 0xffffffff, 1],
    [0xffffffff, 0, -1],
    [0x7fffffff, 0, 0x7fffffff],
    [0x80000000, 0, -0x80000000],
    [3000, 0xfffff000, 3000 + 0x1000],
  ];
  for (const [a, b, d] of rows) {
    it(`${a} - ${b} = ${d}`, () => {
      expect(seqDiff32(a, b)).toBe(d);
      expect(isSeqNewer32(a, b)).toBe(d > 0);
    });
  }
  it('adds modulo 2^32', () => {
    expect(seqAdd32(0xffffffff, 2)).toBe(1);
    expect(seqAdd32(0, -1)).toBe(0xffffffff);
  });
});
