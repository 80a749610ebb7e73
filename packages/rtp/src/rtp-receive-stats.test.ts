import { describe, expect, it } from 'vitest';
import { RtpReceiveStats, SeqUpdate } from './rtp-receive-stats.js';

function feed(stats: RtpReceiveStats, seqs: number[]): SeqUpdate[] {
  return seqs.map((s) => stats.update(s));
}

describe('RtpReceiveStats (RFC 3550 A.1, A.3)', () => {
  it('puts a new source on probation, then counts from the second packet', () => {
    const s = new RtpReceiveStats();
    expect(feed(s, [100, 101, 102])).toEqual([SeqUpdate.Probation, SeqUpdate.Valid, SeqUpdate.Valid]);
    expect(s.extendedHighestSeq).toBe(102);
    expect(s.expected).toBe(2);
    expect(s.received).toBe(2);
    expect(s.lost).toBe(0);
  });

  it('restarts probation when the first packets are not sequential', () => {
    const s = new RtpReceiveStats();
    expect(feed(s, [10, 20, 21])).toEqual([SeqUpdate.Probation, SeqUpdate.Probation, SeqUpdate.Valid]);
    expect(s.extendedHighestSeq).toBe(21);
  });

  it('counts cycles across the wrap', () => {
    const s = new RtpReceiveStats();
    feed(s, [65534, 65535, 0, 1]);
    expect(s.cycles).toBe(65536);
    expect(s.extendedHighestSeq).toBe(65537);
    expect(s.expected).toBe(3);
  });

  it('counts losses and fraction lost per interval', () => {
    const s = new RtpReceiveStats();
    feed(s, [0, 1, 2, 4, 5, 8]); // counted from 1: 1,2,4,5,8 received of 1..8
    expect(s.expected).toBe(8);
    expect(s.received).toBe(5);
    expect(s.lost).toBe(3);
    expect(s.takeFractionLost()).toBe(Math.floor((3 * 256) / 8));
    feed(s, [9, 10]);
    expect(s.takeFractionLost()).toBe(0);
    expect(s.takeFractionLost()).toBe(0); // empty interval
  });

  it('treats duplicates and late packets as old, and counts them as received', () => {
    const s = new RtpReceiveStats();
    feed(s, [0, 1, 2, 3]);
    expect(s.update(2)).toBe(SeqUpdate.Old);
    expect(s.received).toBe(4);
    expect(s.lost).toBe(-1); // A.3: duplicates can make the count negative
  });

  it('drops a big jump unless the next packet confirms a restart', () => {
    const s = new RtpReceiveStats();
    feed(s, [0, 1, 2]);
    expect(s.update(40000)).toBe(SeqUpdate.Bad);
    expect(s.update(3)).toBe(SeqUpdate.Valid); // back to normal
    expect(s.update(50000)).toBe(SeqUpdate.Bad);
    expect(s.update(50001)).toBe(SeqUpdate.Valid); // restart
    expect(s.extendedHighestSeq).toBe(50001);
    expect(s.expected).toBe(1);
  });

  it('fills a report block', () => {
    const s = new RtpReceiveStats();
    feed(s, [65534, 65535, 1, 2]); // counted from 65535: expected 65535..2 = 4, received 3 (seq 0 lost)
    s.updateJitter(0, 0);
    s.updateJitter(3000, 3000 + 1600);
    expect(s.takeReportBlock(0xfeedbeef, 0x12345678, 65536)).toEqual({
      ssrc: 0xfeedbeef,
      fractionLost: 64, // 1 of 4
      packetsLost: 1,
      highestSequence: 65536 + 2,
      jitter: 100,
      lsr: 0x12345678,
      dlsr: 65536,
    });
    expect(s.takeReportBlock(1).fractionLost).toBe(0);
  });

  it('clamps cumulative lost to 24-bit signed', () => {
    const s = new RtpReceiveStats();
    feed(s, [0, 1]);
    let seq = 1;
    // 2999-packet gaps, many times: lots of losses, all within MAX_DROPOUT
    for (let i = 0; i < 3000; i++) {
      seq = (seq + 2999) & 0xffff;
      s.update(seq);
    }
    expect(s.lost).toBe(0x7fffff);
  });
});

describe('RtpReceiveStats jitter (RFC 3550 A.8)', () => {
  it('is zero for perfectly paced packets', () => {
    const s = new RtpReceiveStats();
    for (let i = 0; i < 50; i++) s.updateJitter(i * 3000, 1000 + i * 3000);
    expect(s.jitter).toBe(0);
  });

  it('converges to the constant transit difference', () => {
    const s = new RtpReceiveStats();
    // Arrival alternates ±80 ticks around perfect pacing: |D| is 160 each time.
    for (let i = 0; i < 400; i++) s.updateJitter(i * 3000, i * 3000 + (i % 2 ? 80 : -80));
    expect(s.jitter).toBeGreaterThanOrEqual(155);
    expect(s.jitter).toBeLessThanOrEqual(160);
  });

  it('follows J += (|D| - J)/16 on one step', () => {
    const s = new RtpReceiveStats();
    s.updateJitter(0, 0);
    s.updateJitter(3000, 3000 + 1600);
    expect(s.jitter).toBe(100); // 1600 / 16
  });
});
