import { describe, expect, it } from 'vitest';
import { type AllocationEntry, allocateBitrate, layerIndex } from './bitrate-allocator.js';

const SIMULCAST = [150_000, 500_000, 1_500_000];

function entry(priority: number, layerBitrates: number[] = SIMULCAST): AllocationEntry {
  return { priority, layerBitrates, layer: -1 };
}

describe('allocateBitrate', () => {
  it('gives one consumer the highest layer that fits', () => {
    const a = entry(1);
    expect(allocateBitrate(600_000, [a])).toEqual({ used: 500_000, desired: 1_500_000, limited: true });
    expect(allocateBitrate(5_000_000, [entry(1)]).limited).toBe(false);
    expect(a.layer).toBe(1);
    allocateBitrate(2_000_000, [a]);
    expect(a.layer).toBe(2);
  });

  it('keeps the lowest layer even when nothing fits', () => {
    const a = entry(1);
    allocateBitrate(50_000, [a]);
    expect(a.layer).toBe(0);
  });

  it('skips inactive layers and stops at the preferred one (the list ends there)', () => {
    const a = entry(1, [150_000, 0, 1_500_000]);
    allocateBitrate(5_000_000, [a]);
    expect(a.layer).toBe(2);
    const b = entry(1, [150_000, 500_000]);
    expect(allocateBitrate(5_000_000, [b]).desired).toBe(500_000);
    expect(b.layer).toBe(1);
    const none = entry(1, [0, 0, 0]);
    allocateBitrate(5_000_000, [none]);
    expect(none.layer).toBe(-1);
  });

  it('lets the higher priority step up first when both cannot', () => {
    const low = entry(1);
    const high = entry(2);
    // 150 + 150 base; 900 k left: high takes 350 k (to 500 k), 1 M does not fit; low takes 350 k.
    allocateBitrate(1_200_000, [low, high]);
    expect(high.layer).toBe(1);
    expect(low.layer).toBe(1);
    // 1.4 M left after the bases: high takes two steps in its turn (350 k + 1 M), low's 350 k no longer fits.
    allocateBitrate(1_700_000, [low, high]);
    expect([high.layer, low.layer]).toEqual([2, 0]);
    // The order of the list does not matter, only the priority.
    allocateBitrate(1_700_000, [high, low]);
    expect([high.layer, low.layer]).toEqual([2, 0]);
    allocateBitrate(2_000_000, [low, high]);
    expect([high.layer, low.layer]).toEqual([2, 1]);
  });

  it('at equal priority shares round by round', () => {
    const a = entry(1);
    const b = entry(1);
    allocateBitrate(1_000_000, [a, b]);
    expect([a.layer, b.layer]).toEqual([1, 1]);
  });

  it('keeps the current layer through a small dip (hysteresis), but not a large one', () => {
    const on1: AllocationEntry = { priority: 1, layerBitrates: SIMULCAST, layer: -1, current: 1 };
    allocateBitrate(480_000, [on1]); // 500 k does not fit anew, but 0.85 × 350 k + 150 k does
    expect(on1.layer).toBe(1);
    const fresh = entry(1);
    allocateBitrate(480_000, [fresh]);
    expect(fresh.layer).toBe(0);
    allocateBitrate(400_000, [on1]);
    expect(on1.layer).toBe(0);
  });

  describe('(spatial, temporal) pairs', () => {
    // Three spatial layers × three temporal layers, as a consumer offers them (`layerIndex`): simulcast
    // streams of 150 k / 500 k / 1.2 M split 40 / 20 / 40 % over their temporal layers; above spatial
    // layer 0 only the top two temporal layers are offered.
    const PAIRS = [60_000, 90_000, 150_000, 0, 300_000, 500_000, 0, 720_000, 1_200_000];
    const pair = (e: AllocationEntry) => [Math.floor(e.layer / 3), e.layer % 3];

    it('takes the pairs in order, spatial-major: a temporal layer goes before a spatial one', () => {
      const a = entry(1, PAIRS);
      expect(allocateBitrate(1_000_000, [a])).toEqual({ used: 720_000, desired: 1_200_000, limited: true });
      expect(pair(a)).toEqual([2, 1]);
      allocateBitrate(600_000, [a]);
      expect(pair(a)).toEqual([1, 2]);
      allocateBitrate(400_000, [a]);
      expect(pair(a)).toEqual([1, 1]);
      allocateBitrate(100_000, [a]);
      expect(pair(a)).toEqual([0, 1]);
      allocateBitrate(2_000_000, [a]);
      expect(pair(a)).toEqual([2, 2]);
      expect(layerIndex(2, 1, 3)).toBe(7);
    });

    it('steps to a cheaper pair of a higher spatial layer at no cost (SVC: its base temporal layer)', () => {
      // Cumulative SVC pairs: spatial layer 2 at temporal layer 1 (500 k) costs less than layer 1 at 2.
      const svc = entry(1, [100_000, 150_000, 250_000, 0, 300_000, 550_000, 0, 500_000, 1_100_000]);
      allocateBitrate(600_000, [svc]);
      expect(pair(svc)).toEqual([2, 1]);
      // 520 k: (1,2) does not fit, and the steps go in order: (2,1) is not reached either.
      allocateBitrate(520_000, [svc]);
      expect(pair(svc)).toEqual([1, 1]);
    });

    it('priority and hysteresis work on pairs as on layers', () => {
      const low = entry(1, PAIRS);
      const high = entry(2, PAIRS);
      // 60 k + 60 k, then high takes two pairs per turn: high reaches (2,1) while low is at (1,1).
      allocateBitrate(1_100_000, [low, high]);
      expect([pair(high), pair(low)]).toEqual([
        [2, 1],
        [1, 1],
      ]);
      const on = { ...entry(1, PAIRS), current: layerIndex(2, 1, 3) };
      allocateBitrate(650_000, [on]); // 720 k does not fit anew; kept at 0.85 × the steps to it
      expect(pair(on)).toEqual([2, 1]);
    });
  });
});
