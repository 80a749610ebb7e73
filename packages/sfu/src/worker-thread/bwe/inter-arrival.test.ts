import { describe, expect, it } from 'vitest';
import { InterArrival } from './inter-arrival.js';

describe('InterArrival', () => {
  it('groups packets sent within 5 ms and reports deltas between complete groups', () => {
    const ia = new InterArrival();
    // Group A: sent 0–4 ms; group B: sent 20–22 ms (arrives 5 ms later than sent spacing); C starts at 40.
    expect(ia.add(0, 100, 500)).toBe(false);
    expect(ia.add(4, 104, 500)).toBe(false);
    expect(ia.add(20, 125, 300)).toBe(false);
    expect(ia.add(22, 129, 300)).toBe(false);
    expect(ia.add(40, 140, 100)).toBe(true);
    expect(ia.sendDeltaMs).toBe(18); // 22 - 4
    expect(ia.arrivalDeltaMs).toBe(25); // 129 - 104
    expect(ia.sizeDelta).toBe(-400);
    expect(ia.groupArrivalMs).toBe(129);
  });

  it('puts a burst that arrived at once into the current group', () => {
    const ia = new InterArrival();
    ia.add(0, 100, 100);
    // Sent 10 ms later but arrived 2 ms after: the network delivered them together.
    expect(ia.add(10, 102, 100)).toBe(false);
    expect(ia.add(30, 130, 100)).toBe(false);
    expect(ia.add(50, 150, 100)).toBe(true);
    expect(ia.sendDeltaMs).toBe(20); // 30 - 10
    expect(ia.arrivalDeltaMs).toBe(28); // 130 - 102
  });

  it('ignores packets reordered from an older group', () => {
    const ia = new InterArrival();
    ia.add(100, 200, 100);
    expect(ia.add(50, 210, 100)).toBe(false);
  });
});
