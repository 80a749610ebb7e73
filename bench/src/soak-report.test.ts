import { describe, expect, it } from 'vitest';
import { type SoakSample, slope, soakSvg, verdict, warmupMinutes } from './soak-report.js';

function samples(minutes: number, heap: (m: number) => number, rss: (m: number) => number): SoakSample[] {
  return Array.from({ length: minutes }, (_, i) => {
    const minute = i + 1;
    return {
      minute,
      rssMiB: rss(minute) + 3,
      heapUsedMiB: heap(minute) + 2,
      heapTotalMiB: 16,
      externalMiB: 2,
      arrayBuffersMiB: 1,
      gcRssMiB: rss(minute),
      gcHeapUsedMiB: heap(minute),
      workerHeapUsedMiB: heap(minute) + 4,
      workerHeapTotalMiB: 20,
      workerExternalMiB: 7,
      workerHeapCollected: true,
      workerElu: 0.1,
      workerCpuMs: 6000,
      sent: 24000,
      expected: 72000,
      received: 72000,
      loss: 0,
      consumers: 24,
      consumerPackets: 72000 * minute,
      retxMiB: 3,
      transports: 8,
      producers: 8,
      rejoins: Math.floor(minute / 5),
    };
  });
}

describe('soak report', () => {
  it('fits the least-squares slope', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 12);
    expect(slope([1, 2, 3], [4, 4, 4])).toBe(0);
    expect(slope([5], [1])).toBeNaN();
  });

  it('warms up for 5 minutes, or a quarter of a shorter run', () => {
    expect(warmupMinutes(60)).toBe(5);
    expect(warmupMinutes(2)).toBe(0.5);
  });

  it('calls a run flat only when slopes and ranges after warm-up are within the bounds', () => {
    // Warm-up growth (first 5 minutes) is ignored; then flat with a little noise.
    const noise = (m: number) => (m % 2 === 0 ? 0.2 : -0.2);
    const flat = verdict(
      samples(
        60,
        (m) => (m < 5 ? 4 + m : 9) + noise(m),
        (m) => (m < 5 ? 90 + 5 * m : 115) + noise(m),
      ),
      60,
    );
    expect(flat.flat).toBe(true);
    expect(Math.abs(flat.heapUsed.slopeMiBPerHour)).toBeLessThan(0.1);
    expect(flat.rss.rangeMiB).toBeCloseTo(0.4, 6);
    // 3 MiB/hour of heap growth: a leak.
    const leaking = verdict(
      samples(
        60,
        (m) => 9 + m / 20,
        () => 115,
      ),
      60,
    );
    expect(leaking.flat).toBe(false);
    expect(leaking.heapUsed.slopeMiBPerHour).toBeCloseTo(3, 6);
    expect(leaking.workerHeapUsed.slopeMiBPerHour).toBeCloseTo(3, 6);
  });

  it('draws one line per series', () => {
    const svg = soakSvg(
      samples(
        12,
        () => 8,
        () => 110,
      ),
      'soak',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(7);
    expect(svg).toContain('worker heapUsed (after GC)');
  });
});
