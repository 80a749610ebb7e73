import { describe, expect, it } from 'vitest';
import { SentPacketHistory } from './sent-packet-history.js';

describe('SentPacketHistory', () => {
  it('hands out consecutive 16-bit numbers and finds them across the wrap', () => {
    const h = new SentPacketHistory();
    let last = 0;
    for (let i = 0; i < 70_000; i++) last = h.record(100 + (i % 7), i, i % 3 === 0 ? 5 : -1);
    expect(last).toBe((70_000 - 1) & 0xffff);
    const ext = h.unwrap(last);
    expect(ext).toBe(69_999);
    const slot = h.find(ext);
    expect(h.sendTimeOf(slot)).toBe(69_999);
    expect(h.sizeOf(slot)).toBe(100 + (69_999 % 7));
    expect(h.clusterOf(slot)).toBe(5);
    // A number from before the wrap unwraps below it.
    expect(h.unwrap((last - 10) & 0xffff)).toBe(69_989);
  });

  it('forgets reported packets and what fell out of the ring', () => {
    const h = new SentPacketHistory();
    for (let i = 0; i < 9000; i++) h.record(100, i);
    expect(h.find(0)).toBe(-1); // overwritten
    const s = h.find(8999);
    expect(s).toBeGreaterThanOrEqual(0);
    h.forget(s);
    expect(h.find(8999)).toBe(-1);
  });
});
