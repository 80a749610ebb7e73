import { describe, expect, it } from 'vitest';
import { serializeRtpPacket } from './rtp-packet.js';
import { RtpPacketView } from './rtp-packet-view.js';
import { RtpStreamRewriter } from './rtp-stream-rewriter.js';

function packet(seq: number, ts: number, ssrc = 0x1111, pt = 96): RtpPacketView {
  const v = new RtpPacketView();
  v.wrap(
    serializeRtpPacket({
      payloadType: pt,
      sequenceNumber: seq,
      timestamp: ts,
      ssrc,
      payload: Uint8Array.of(1),
    }),
  );
  return v;
}

describe('RtpStreamRewriter', () => {
  it('rewrites seq, ts, SSRC and PT in place from the initial values', () => {
    const r = new RtpStreamRewriter({
      ssrc: 0xabcdef01,
      clockRate: 90000,
      payloadType: 101,
      initialOutput: 500,
      initialTimestamp: 1_000_000,
    });
    const a = packet(7000, 3000);
    expect(r.rewrite(a, 0)).toBe(true);
    expect([a.sequenceNumber, a.timestamp, a.ssrc, a.payloadType]).toEqual([500, 1_000_000, 0xabcdef01, 101]);
    const b = packet(7001, 6000);
    expect(r.rewrite(b, 33)).toBe(true);
    expect([b.sequenceNumber, b.timestamp]).toEqual([501, 1_003_000]);
  });

  it('keeps the input PT when none is configured, and wraps timestamps', () => {
    const r = new RtpStreamRewriter({
      ssrc: 1,
      clockRate: 90000,
      initialOutput: 0,
      initialTimestamp: 0xffffff00,
    });
    const a = packet(1, 0, 5, 100);
    r.rewrite(a, 0);
    const b = packet(2, 0x200, 5, 100);
    r.rewrite(b, 10);
    expect(b.payloadType).toBe(100);
    expect(b.timestamp).toBe(0x100);
  });

  it('continues seq and places the new source timestamps by wall time on a switch', () => {
    const r = new RtpStreamRewriter({
      ssrc: 9,
      clockRate: 90000,
      initialOutput: 100,
      initialTimestamp: 50_000,
    });
    r.rewrite(packet(10, 1000), 0);
    r.rewrite(packet(11, 4000), 33); // out ts 53000 at 33 ms
    r.switchSource();
    const c = packet(900, 777_777, 0x2222);
    expect(r.rewrite(c, 133)).toBe(true); // 100 ms later: +9000 ticks
    expect([c.sequenceNumber, c.timestamp, c.ssrc]).toEqual([102, 62_000, 9]);
    const d = packet(901, 780_777, 0x2222);
    r.rewrite(d, 166);
    expect([d.sequenceNumber, d.timestamp]).toEqual([103, 65_000]);
    expect(r.lastTimestamp).toBe(65_000);
  });

  it('advances the timestamp at least one tick on an immediate switch', () => {
    const r = new RtpStreamRewriter({ ssrc: 9, clockRate: 90000, initialOutput: 0, initialTimestamp: 0 });
    r.rewrite(packet(1, 5), 10);
    r.switchSource();
    const p = packet(50, 99, 3);
    r.rewrite(p, 10);
    expect(p.timestamp).toBe(1);
  });

  it('drops leave no seq gap and refused packets are left untouched', () => {
    const r = new RtpStreamRewriter({ ssrc: 9, clockRate: 90000, initialOutput: 0, initialTimestamp: 0 });
    r.rewrite(packet(10, 0), 0);
    r.drop(packet(11, 0));
    const p = packet(12, 0);
    r.rewrite(p, 0);
    expect(p.sequenceNumber).toBe(1);
    const old = packet(11, 0);
    expect(r.rewrite(old, 0)).toBe(false);
    expect([old.sequenceNumber, old.ssrc]).toEqual([11, 0x1111]);
  });
});
