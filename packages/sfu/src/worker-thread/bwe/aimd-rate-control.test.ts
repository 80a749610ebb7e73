import { describe, expect, it } from 'vitest';
import { AimdRateControl } from './aimd-rate-control.js';
import { BandwidthUsage } from './overuse-detector.js';

describe('AimdRateControl', () => {
  it('cuts to 0.85 × the acknowledged bitrate on over-use', () => {
    const a = new AimdRateControl(1_000_000);
    expect(a.update(BandwidthUsage.Overusing, 800_000, 1000)).toBe(680_000);
    expect(a.lastDecreaseMs).toBe(1000);
  });

  it('increases by about 8 % per second while far from a known capacity', () => {
    const a = new AimdRateControl(500_000);
    a.update(BandwidthUsage.Normal, 500_000, 0);
    for (let t = 100; t <= 1000; t += 100) a.update(BandwidthUsage.Normal, 500_000, t);
    expect(a.bitrate).toBeGreaterThan(535_000);
    expect(a.bitrate).toBeLessThan(560_000);
  });

  it('increases additively near the capacity seen at the last cut', () => {
    const a = new AimdRateControl(1_000_000);
    a.update(BandwidthUsage.Overusing, 1_000_000, 0); // capacity ~1 Mbps, rate 850 kbps
    for (let t = 100; t <= 1000; t += 100) a.update(BandwidthUsage.Normal, 850_000, t);
    // About one 1200-byte packet per (100 ms + RTT 200 ms): ~32 kbps in a second.
    expect(a.bitrate - 850_000).toBeGreaterThan(20_000);
    expect(a.bitrate - 850_000).toBeLessThan(45_000);
  });

  it('holds on under-use and never rises above 1.5 × acked + 10 kbps', () => {
    const a = new AimdRateControl(300_000);
    a.update(BandwidthUsage.Underusing, 300_000, 0);
    expect(a.update(BandwidthUsage.Underusing, 300_000, 1000)).toBe(300_000);
    for (let t = 1000; t <= 60_000; t += 100) a.update(BandwidthUsage.Normal, 200_000, t);
    expect(a.bitrate).toBe(310_000); // the bound, and the rate was not lowered to it
    a.setEstimate(2_000_000, 61_000);
    expect(a.update(BandwidthUsage.Normal, 200_000, 61_100)).toBe(2_000_000);
  });
});
