import { describe, expect, it } from 'vitest';
import { LossBasedEstimator } from './loss-based-estimator.js';

describe('LossBasedEstimator', () => {
  it('cuts by half the loss fraction at 10 % loss, at most once per 300 ms + RTT', () => {
    const l = new LossBasedEstimator(1_000_000);
    l.rttMs = 100;
    expect(l.update(100, 10, 0)).toBe(950_000);
    expect(l.update(100, 10, 200)).toBe(950_000); // too soon
    expect(l.update(100, 10, 400)).toBe(902_500);
  });

  it('holds between 2 and 10 %, and increases below 2 %', () => {
    const l = new LossBasedEstimator(1_000_000);
    expect(l.update(100, 5, 0)).toBe(1_000_000);
    l.update(100, 0, 0);
    // +1 kbps at once, then 8 % over the second (and +1 kbps).
    expect(l.update(100, 0, 1000)).toBeCloseTo(1_001_000 * 1.08 + 1000, 0);
  });

  it('waits for 20 packets before judging', () => {
    const l = new LossBasedEstimator(1_000_000);
    expect(l.update(10, 5, 0)).toBe(1_000_000);
    expect(l.update(10, 0, 0)).toBe(875_000); // 5 of 20 lost: cut by 12.5 %
  });
});
