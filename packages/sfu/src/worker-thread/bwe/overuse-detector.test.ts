import { describe, expect, it } from 'vitest';
import { BandwidthUsage, OveruseDetector } from './overuse-detector.js';

describe('OveruseDetector', () => {
  it('needs the trend above the threshold for more than 10 ms and two samples', () => {
    const d = new OveruseDetector();
    expect(d.detect(30, 5, 0)).toBe(BandwidthUsage.Normal); // 2.5 ms over
    expect(d.detect(31, 5, 5)).toBe(BandwidthUsage.Normal); // 7.5 ms
    expect(d.detect(32, 5, 10)).toBe(BandwidthUsage.Overusing); // 12.5 ms, growing
  });

  it('does not signal over-use when the trend is falling back', () => {
    const d = new OveruseDetector();
    d.detect(40, 20, 0);
    expect(d.detect(35, 20, 20)).toBe(BandwidthUsage.Normal);
  });

  it('signals under-use below minus the threshold, and normal in between', () => {
    const d = new OveruseDetector();
    expect(d.detect(-20, 20, 0)).toBe(BandwidthUsage.Underusing);
    expect(d.detect(1, 20, 20)).toBe(BandwidthUsage.Normal);
  });

  it('adapts its threshold towards the trend, within [6, 600]', () => {
    const d = new OveruseDetector();
    for (let t = 0; t < 5000; t += 20) d.detect(0, 20, t);
    expect(d.threshold).toBe(6);
    const up = new OveruseDetector();
    for (let t = 0; t < 5000; t += 20) up.detect(up.threshold + 10, 20, t); // always just above
    expect(up.threshold).toBeGreaterThan(100);
    // An outlier far beyond the threshold does not move it.
    const o = new OveruseDetector();
    o.detect(500, 20, 0);
    o.detect(500, 20, 20);
    expect(o.threshold).toBe(12.5);
  });
});
