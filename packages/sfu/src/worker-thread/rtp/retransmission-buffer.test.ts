import { describe, expect, it } from 'vitest';
import { RETRANSMISSION_SLOT_SIZE, RetransmissionBuffer } from './retransmission-buffer.js';

describe('RetransmissionBuffer', () => {
  it('keeps the last `slots` packets by sequence number and forgets overwritten ones', () => {
    const b = new RetransmissionBuffer(4);
    for (let seq = 65534; seq !== 4; seq = (seq + 1) & 0xffff)
      b.store(seq, Buffer.from([seq & 0xff, 1, 2]), 3);
    // 65534, 65535, 0, 1, 2, 3 stored in 4 slots: the two oldest are gone.
    expect(b.find(65534)).toBe(-1);
    expect(b.find(65535)).toBe(-1);
    for (const seq of [0, 1, 2, 3]) {
      const i = b.find(seq);
      expect(i).toBeGreaterThanOrEqual(0);
      const out = Buffer.alloc(3);
      expect(b.copyPacket(i, out)).toBe(3);
      expect([...out]).toEqual([seq, 1, 2]);
    }
  });

  it('does not keep packets larger than a slot (and drops what the slot held)', () => {
    const b = new RetransmissionBuffer(8);
    b.store(5, Buffer.alloc(10), 10);
    b.store(13, Buffer.alloc(RETRANSMISSION_SLOT_SIZE + 1), RETRANSMISSION_SLOT_SIZE + 1);
    expect(b.find(13)).toBe(-1);
    expect(b.find(5)).toBe(-1);
    b.store(6, Buffer.alloc(10), 10);
    b.clear();
    expect(b.find(6)).toBe(-1);
  });

  it('copies a kept packet out whole, and refuses a destination too small', () => {
    const b = new RetransmissionBuffer(4);
    b.store(9, Buffer.from([9, 8, 7, 6, 5]), 4);
    const dst = Buffer.alloc(6, 0xee);
    expect(b.copyPacket(b.find(9), dst)).toBe(4);
    expect([...dst]).toEqual([9, 8, 7, 6, 0xee, 0xee]);
    expect(b.copyPacket(b.find(9), Buffer.alloc(3))).toBe(-1);
    expect(b.byteLength).toBeGreaterThanOrEqual(4 * RETRANSMISSION_SLOT_SIZE);
  });
});
