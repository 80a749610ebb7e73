import { describe, expect, it } from 'vitest';
import { ReplayCheck, ReplayWindow } from './replay-window.js';

describe('ReplayWindow', () => {
  it('table: accept/check sequence for a 64-slot window', () => {
    const w = new ReplayWindow(64);
    // [index, check result before accepting, accept it?]
    const rows: [number, ReplayCheck, boolean][] = [
      [5, ReplayCheck.Ok, true],
      [5, ReplayCheck.Replayed, false],
      [3, ReplayCheck.Ok, true],
      [3, ReplayCheck.Replayed, false],
      [4, ReplayCheck.Ok, false], // checked but not accepted (e.g. auth failed): stays Ok
      [4, ReplayCheck.Ok, true],
      [68, ReplayCheck.Ok, true], // 63 ahead of 5: 5 still inside
      [5, ReplayCheck.Replayed, false],
      [4, ReplayCheck.TooOld, false], // 64 behind
      [69, ReplayCheck.Ok, true],
      [5, ReplayCheck.TooOld, false],
      [6, ReplayCheck.Ok, true], // never seen, 63 behind
      [1000, ReplayCheck.Ok, true], // jump past the whole window clears it
      [1000 - 63, ReplayCheck.Ok, true],
      [1000 - 64, ReplayCheck.TooOld, false],
      [1000 - 63, ReplayCheck.Replayed, false],
    ];
    for (const [index, want, accept] of rows) {
      expect(w.check(index), `index ${index}`).toBe(want);
      if (accept) w.accept(index);
    }
    expect(w.maxIndex).toBe(1000);
  });

  it('slots reused after sliding do not remember old indices', () => {
    const w = new ReplayWindow(32);
    for (let i = 0; i < 32; i++) w.accept(i);
    w.accept(40); // slides over 32..39, whose slots held 0..7
    for (let i = 32; i < 40; i++) expect(w.check(i), `index ${i}`).toBe(ReplayCheck.Ok);
    for (let i = 9; i < 32; i++) expect(w.check(i), `index ${i}`).toBe(ReplayCheck.Replayed);
    expect(w.check(8)).toBe(ReplayCheck.TooOld);
  });

  it('works with 48-bit indices and rounds the size up to 32', () => {
    const w = new ReplayWindow(100);
    expect(w.size).toBe(128);
    const base = 0xffff_ffff * 0x10000;
    w.accept(base + 10);
    expect(w.check(base + 10)).toBe(ReplayCheck.Replayed);
    expect(w.check(base + 9)).toBe(ReplayCheck.Ok);
    expect(w.check(base + 10 - 128)).toBe(ReplayCheck.TooOld);
  });

  it('rejects bad sizes', () => {
    for (const size of [0, 31, 1.5, 2 ** 21]) expect(() => new ReplayWindow(size)).toThrow(RangeError);
  });
});
