import { describe, expect, it } from 'vitest';
import { SentPacketLog } from './sent-packet-log.js';

describe('SentPacketLog', () => {
  it('returns what was recorded for a sequence number, until a newer one takes its slot', () => {
    const log = new SentPacketLog(8);
    log.record(100, 2, 65535, 0xfffffff0, 96, 0x7abc, 200);
    const i = log.find(100);
    expect(i).toBe(100 % 8);
    expect([
      log.encodingOf(i),
      log.sourceSeqOf(i),
      log.timestampOf(i),
      log.payloadTypeOf(i),
      log.pictureIdOf(i),
      log.tl0PicIdxOf(i),
      log.lastResentAt(i),
    ]).toEqual([2, 65535, 0xfffffff0, 96, 0x7abc, 200, Number.NEGATIVE_INFINITY]);
    log.markResent(i, 1040);
    expect(log.lastResentAt(i)).toBe(1040);
    expect(log.find(108)).toBe(-1); // same slot, not recorded
    log.record(108, 0, 7, 1, 97, -1, -1);
    expect(log.find(100)).toBe(-1);
    expect(log.pictureIdOf(log.find(108))).toBe(-1);
    expect(log.lastResentAt(log.find(108))).toBe(Number.NEGATIVE_INFINITY);
    log.clear();
    expect(log.find(108)).toBe(-1);
  });

  it('costs tens of bytes per slot, not a packet copy', () => {
    expect(new SentPacketLog(512).byteLength).toBeLessThan(512 * 40);
  });
});
