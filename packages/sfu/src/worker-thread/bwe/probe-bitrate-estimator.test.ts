import { describe, expect, it } from 'vitest';
import { ProbeBitrateEstimator } from './probe-bitrate-estimator.js';

describe('ProbeBitrateEstimator', () => {
  it('measures a cluster the path carried at its send rate', () => {
    const p = new ProbeBitrateEstimator();
    // 11 packets of 1000 bytes, one per ms: 8 Mbps, received with the same spacing.
    for (let i = 0; i <= 10; i++) p.add(7, i, 50 + i, 1000);
    expect(p.estimate(7)).toBeCloseTo(8_000_000, -3);
  });

  it('reports 95 % of the receive rate when the path was full', () => {
    const p = new ProbeBitrateEstimator();
    // Sent at 8 Mbps, arrived at 2 Mbps.
    for (let i = 0; i <= 10; i++) p.add(1, i, 50 + 4 * i, 1000);
    expect(p.estimate(1)).toBeCloseTo(0.95 * 2_000_000, -3);
  });

  it('needs five packets of the cluster', () => {
    const p = new ProbeBitrateEstimator();
    for (let i = 0; i < 4; i++) p.add(2, i, i, 1000);
    expect(p.estimate(2)).toBe(0);
    expect(p.estimate(3)).toBe(0);
  });
});
