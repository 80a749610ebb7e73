import { describe, expect, it } from 'vitest';
import { TrendlineEstimator } from './trendline-estimator.js';

describe('TrendlineEstimator', () => {
  it('is flat when groups arrive as they were sent', () => {
    const t = new TrendlineEstimator();
    let trend = 1;
    for (let i = 0; i < 40; i++) trend = t.update(20, 20, i * 20);
    expect(trend).toBeCloseTo(0, 9);
  });

  it('rises when every group arrives later than the last (a queue builds)', () => {
    const t = new TrendlineEstimator();
    let trend = 0;
    for (let i = 0; i < 40; i++) trend = t.update(22, 20, i * 22);
    expect(trend).toBeGreaterThan(12.5);
  });

  it('falls while a queue drains', () => {
    const t = new TrendlineEstimator();
    let trend = 0;
    for (let i = 0; i < 40; i++) trend = t.update(18, 20, i * 18);
    expect(trend).toBeLessThan(-12.5);
  });

  it('reports 0 until its 20-group window is full', () => {
    const t = new TrendlineEstimator();
    for (let i = 0; i < 19; i++) expect(t.update(30, 20, i * 30)).toBe(0);
    expect(t.update(30, 20, 19 * 30)).toBeGreaterThan(0);
  });
});
