/**
 * `ParkedPackets` (the worker's `tsfuMaxParkedPackets`): the cap holds under a
 * flood, drops are counted, a bound tuple gets its packets back in order, and
 * what no bind claims expires (fake timers).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParkedPackets } from './parked-packets.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const packet = (n: number) => Buffer.from([0xaa, n & 0xff, (n >> 8) & 0xff, 0xbb]);

describe('ParkedPackets', () => {
  it('holds at most max packets under a flood and counts the rest', () => {
    const expired: number[] = [];
    const parked = new ParkedPackets(64, (n) => expired.push(n));
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if (parked.park(7, packet(i), 1, 2)) kept++;
    expect(kept).toBe(64);
    expect(parked.size).toBe(64);
    expect(parked.dropped).toBe(10_000 - 64);
    // Copies of the given range, oldest first.
    const list = parked.take(7);
    expect(list?.map((b) => b.readUInt16LE(0))).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(parked.size).toBe(0);
    expect(parked.take(7)).toBeUndefined();
    expect(expired).toEqual([]);
  });

  it("a flooding tuple's packets, once claimed or expired, leave room for another tuple's", () => {
    const expired: number[] = [];
    const parked = new ParkedPackets(4, (n) => expired.push(n));
    for (let i = 0; i < 100; i++) parked.park(1, packet(i), 0, 4);
    expect(parked.park(2, packet(0), 0, 4)).toBe(false);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([4]);
    expect(parked.size).toBe(0);
    expect(parked.park(2, packet(5), 0, 4)).toBe(true);
    expect(parked.take(2)?.[0]).toEqual(packet(5));
    expect(parked.dropped).toBe(97);
    // Nothing held: the timer that fires reports nothing.
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([4]);
  });

  it('max 0 parks nothing; clear() stops the timer', () => {
    const none = new ParkedPackets(0, () => {});
    expect(none.park(1, packet(1), 0, 4)).toBe(false);
    expect(none.dropped).toBe(1);
    const expired: number[] = [];
    const parked = new ParkedPackets(8, (n) => expired.push(n));
    parked.park(3, packet(1), 0, 4);
    parked.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
  });
});
