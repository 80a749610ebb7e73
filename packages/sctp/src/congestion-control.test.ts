/**
 * CongestionControl against RFC 9260 §7.2 worked by hand, MTU 1200 unless a
 * row says otherwise (so 4 * MTU = 4800 and the initial cwnd is 4380).
 */
import { describe, expect, it } from 'vitest';
import { CongestionControl } from './congestion-control.js';

describe('CongestionControl (RFC 9260 §7.2)', () => {
  it.each([
    { mtu: 128, cwnd: 512 }, // min(4 * MTU, max(2 * MTU, 4380)) = 4 * MTU
    { mtu: 1200, cwnd: 4380 },
    { mtu: 1500, cwnd: 4380 },
    { mtu: 9000, cwnd: 18_000 }, // 2 * MTU
  ])('initial cwnd for MTU $mtu is $cwnd (§7.2.1)', ({ mtu, cwnd }) => {
    expect(new CongestionControl(mtu).cwnd).toBe(cwnd);
  });

  it.each([
    { acked: 500, cwnd: 4880 }, // slow start: + bytes acked
    { acked: 3000, cwnd: 5580 }, // ... at most one MTU per SACK
    { acked: 0, cwnd: 4380 }, // nothing newly acked: no growth
  ])('slow start: a SACK acking $acked bytes gives cwnd $cwnd (§7.2.1)', ({ acked, cwnd }) => {
    const cc = new CongestionControl(1200);
    cc.onSack(1, acked);
    expect(cc.cwnd).toBe(cwnd);
  });

  it('T3 expiry: ssthresh = max(cwnd / 2, 4 * MTU), cwnd = 1 MTU (§7.2.3)', () => {
    const cc = new CongestionControl(1200);
    for (let i = 0; i < 10; i++) cc.onSack(i, 1200); // cwnd 4380 + 12000 = 16380
    cc.onT3Expired();
    expect([cc.cwnd, cc.ssthresh, cc.partialBytesAcked]).toEqual([1200, 8190, 0]);
    cc.onT3Expired(); // 1200 / 2 < 4 * MTU
    expect([cc.cwnd, cc.ssthresh]).toEqual([1200, 4800]);
  });

  it('congestion avoidance: one MTU per cwnd of bytes acked (§7.2.2)', () => {
    const cc = new CongestionControl(1200);
    cc.onT3Expired(); // cwnd 1200, ssthresh 4800
    for (let i = 0; i < 4; i++) cc.onSack(i, 1200); // slow start up to 6000 > ssthresh
    expect(cc.cwnd).toBe(6000);
    cc.onSack(4, 5000);
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([6000, 5000]);
    cc.onSack(5, 1500); // 6500 >= cwnd: + MTU, 500 carried over
    expect([cc.cwnd, cc.partialBytesAcked]).toEqual([7200, 500]);
  });

  it('fast recovery: halve once, no growth until the exit TSN is acked (§7.2.4)', () => {
    const cc = new CongestionControl(1200);
    for (let i = 0; i < 10; i++) cc.onSack(i, 1200); // cwnd 16380
    cc.onFastRetransmit(100);
    expect([cc.cwnd, cc.ssthresh, cc.inFastRecovery]).toEqual([8190, 8190, true]);
    cc.onFastRetransmit(200); // already recovering: no second halving
    cc.onSack(99, 1200);
    expect([cc.cwnd, cc.inFastRecovery]).toEqual([8190, true]);
    // Exit point acked: leaves recovery and grows in the same SACK (cwnd <= ssthresh: slow start).
    cc.onSack(100, 1200);
    expect([cc.inFastRecovery, cc.cwnd]).toEqual([false, 9390]);
  });

  it('fast recovery exit compares TSNs in serial arithmetic', () => {
    const cc = new CongestionControl(1200);
    cc.onFastRetransmit(0xffff_fffe);
    cc.onSack(0xffff_fffd, 1200);
    expect(cc.inFastRecovery).toBe(true);
    cc.onSack(1, 1200); // wrapped past the exit TSN
    expect(cc.inFastRecovery).toBe(false);
  });
});
