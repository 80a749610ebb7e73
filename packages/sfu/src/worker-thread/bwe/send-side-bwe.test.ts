import { describe, expect, it } from 'vitest';
import { BweSimulation } from './bwe-simulation.test-util.js';
import { SendSideBwe } from './send-side-bwe.js';

/** The estimate at each 100 ms sample. */
function trace(sim: BweSimulation, untilMs: number): Map<number, number> {
  const out = new Map<number, number>();
  sim.run(untilMs, (t, e) => out.set(t, e));
  return out;
}

function firstTimeAfter(samples: Map<number, number>, fromMs: number, ok: (e: number) => boolean): number {
  for (const [t, e] of samples) if (t >= fromMs && ok(e)) return t;
  return Number.POSITIVE_INFINITY;
}

describe('SendSideBwe on a simulated bottleneck', () => {
  it('finds a bottleneck that halves within 2 s', () => {
    const sim = new BweSimulation({
      startBitrate: 300_000,
      capacity: (t) => (t < 20_000 ? 2_000_000 : 1_000_000),
      demand: () => 3_000_000,
      probing: true,
    });
    const s = trace(sim, 30_000);
    // Before the change it had found (roughly) the 2 Mbps link.
    const before = s.get(19_900) ?? 0;
    expect(before).toBeGreaterThan(1_300_000);
    expect(before).toBeLessThan(2_600_000);
    const found = firstTimeAfter(s, 20_000, (e) => e <= 1_100_000);
    expect(found - 20_000).toBeLessThanOrEqual(2000);
    // And it stays near the new capacity rather than collapsing.
    const after = [...s].filter(([t]) => t >= 25_000).map(([, e]) => e);
    expect(Math.min(...after)).toBeGreaterThan(400_000);
    expect(Math.max(...after)).toBeLessThan(1_400_000);
  });

  it('backs off on 10 % loss without queueing delay', () => {
    const lossy = new BweSimulation({
      startBitrate: 1_000_000,
      capacity: () => 20_000_000,
      demand: () => 1_000_000,
      lost: (seq) => seq % 10 === 0,
    });
    const s = trace(lossy, 6000);
    expect(lossy.bwe.loss.lossFraction).toBeGreaterThanOrEqual(0.09);
    const rates = [...s].filter(([t]) => t >= 1000).map(([, e]) => e);
    expect(s.get(5900) ?? 0).toBeLessThan(750_000);
    // Step by step: never up while the loss lasts.
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1]);
    // The same without loss keeps its rate.
    const clean = new BweSimulation({
      startBitrate: 1_000_000,
      capacity: () => 20_000_000,
      demand: () => 1_000_000,
    });
    const c = trace(clean, 6000);
    expect(c.get(5900) ?? 0).toBeGreaterThanOrEqual(1_000_000);
  });

  it('recovers when the bottleneck lifts', () => {
    const sim = new BweSimulation({
      startBitrate: 1_000_000,
      capacity: (t) => (t < 15_000 ? 500_000 : 5_000_000),
      demand: () => 2_500_000,
      probing: true,
    });
    const s = trace(sim, 35_000);
    expect(s.get(14_900) ?? 0).toBeLessThan(700_000);
    const recovered = firstTimeAfter(s, 15_000, (e) => e >= 2_000_000);
    expect(recovered - 15_000).toBeLessThanOrEqual(15_000);
    expect(sim.bwe.probeResults).toBeGreaterThan(0);
  });

  it('does not step up beyond 1.5 × the acknowledged bitrate without probing', () => {
    const sim = new BweSimulation({
      startBitrate: 300_000,
      capacity: () => 50_000_000,
      // The media never needs more than 300 kbps: only probing could show more.
      demand: () => 300_000,
    });
    const s = trace(sim, 30_000);
    const max = Math.max(...s.values());
    // 1.5 × acked + 10 kbps, the acked rate measured in 50 ms buckets of 30 fps frames (±15 %).
    expect(max).toBeLessThanOrEqual(1.15 * (1.5 * 300_000) + 10_000);
    expect(sim.paddingBytes).toBe(0);
    // With probing (and a demand above the estimate) the same link shows its room.
    const probed = new BweSimulation({
      startBitrate: 300_000,
      capacity: () => 50_000_000,
      demand: (t) => (t < 5000 ? 300_000 : 3_000_000),
      probing: true,
    });
    const p = trace(probed, 15_000);
    expect(p.get(14_900) ?? 0).toBeGreaterThan(2_000_000);
    expect(probed.paddingBytes).toBeGreaterThan(0);
  });

  it('holds on an open link while either side stalls (a CPU-starved thread), and finds a bottleneck under stalls', () => {
    // A seeded generator: the stalls are the same in every run.
    let x = 7;
    const random = () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32;
    };
    // Up to 40 ms stalls every 50–150 ms, on the receiver (arrivals stamped at its end) and on the sender
    // (packets leave at its end, after their send time was recorded).
    const stalls = (t: number) => ({
      startMs: t + Math.round(100 * (0.5 + random())),
      lengthMs: Math.round(40 * random()),
    });
    const open = new BweSimulation({
      startBitrate: 600_000,
      capacity: () => 50_000_000,
      demand: () => 3_000_000,
      probing: true,
      stalls,
      sendStalls: stalls,
    });
    const s = trace(open, 30_000);
    expect(Math.min(...[...s].filter(([t]) => t >= 10_000).map(([, e]) => e))).toBeGreaterThan(2_500_000);
    const limited = new BweSimulation({
      startBitrate: 600_000,
      capacity: (t) => (t < 15_000 ? 50_000_000 : 1_000_000),
      demand: () => 3_000_000,
      probing: true,
      stalls,
      sendStalls: stalls,
    });
    const l = trace(limited, 25_000);
    expect(firstTimeAfter(l, 15_000, (e) => e <= 1_100_000) - 15_000).toBeLessThanOrEqual(2000);
  });

  it('follows REMB until transport-cc feedback flows, then ignores it (as mediasoup)', () => {
    // A receiver that sends only REMB: its estimate is the estimate.
    const rembOnly = new SendSideBwe(600_000);
    rembOnly.onRemb(100_000);
    expect([rembOnly.bweType, rembOnly.estimate()]).toEqual(['remb', 100_000]);
    // With transport-cc feedback a REMB (Chromium's, over the packets without a transport-wide number)
    // no longer caps it.
    const sim = new BweSimulation({
      startBitrate: 600_000,
      capacity: () => 50_000_000,
      demand: () => 2_000_000,
    });
    sim.run(5000);
    const before = sim.bwe.estimate();
    expect(before).toBeGreaterThan(600_000);
    sim.bwe.onRemb(100_000);
    expect([sim.bwe.bweType, sim.bwe.estimate()]).toEqual(['transport-cc', before]);
  });
});
