import { ntpFromUnixMs, SeqUpdate } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { BitrateMeter } from './bitrate-meter.js';
import { RecvStream, scoreFromLoss } from './recv-stream.js';

const stream = () =>
  new RecvStream({
    ssrc: 7,
    mappedSsrc: 8,
    encodingIdx: 0,
    clockRate: 90000,
    mimeType: 'video/VP8',
    kind: 'video',
    useNack: true,
  });

describe('RecvStream', () => {
  it('counts packets (RFC 3550 A.1 probation), loss and report blocks with LSR/DLSR from the last SR', () => {
    const s = stream();
    expect(s.receive(100, 0, 1000, true, 0)).toBe(SeqUpdate.Probation);
    expect(s.receive(101, 3000, 1000, false, 33)).toBe(SeqUpdate.Valid);
    expect(s.receive(103, 9000, 1000, false, 100)).toBe(SeqUpdate.Valid); // 102 lost
    s.onSenderReport(ntpFromUnixMs(1_700_000_000_000), 9000, 200);
    const block = s.takeReportBlock(200 + 500);
    expect(block.ssrc).toBe(7);
    expect(block.packetsLost).toBe(1);
    expect(block.highestSequence).toBe(103);
    expect(block.fractionLost).toBe(Math.floor(256 / 3));
    expect(block.lsr).toBe(Number((ntpFromUnixMs(1_700_000_000_000) >> 16n) & 0xffffffffn));
    expect(block.dlsr).toBe(Math.floor(0.5 * 65536));
    expect(s.srNtpMs).toBe(1_700_000_000_000);
    expect(s.packetCount).toBe(3);
    expect(s.keyFrames).toBe(1);
  });

  it("reports bitrateByLayer as mediasoup: '0.t' is temporal layers 0…t together; none without layers", () => {
    const s = stream();
    expect(s.getStats().bitrateByLayer).toEqual({});
    const now = performance.now();
    // 1 s of 1000 B / 500 B / 1000 B every 100 ms on temporal layers 0 / 1 / 2: 80 / 40 / 80 kbit/s.
    for (let k = 0; k < 10; k++) {
      const at = now - 900 + k * 100;
      s.countTemporalLayer(0, 1000, at);
      s.countTemporalLayer(1, 500, at);
      s.countTemporalLayer(2, 1000, at);
    }
    const byLayer = s.getStats().bitrateByLayer;
    expect(Object.keys(byLayer)).toEqual(['0.0', '0.1', '0.2']);
    expect([byLayer['0.0'], byLayer['0.1'], byLayer['0.2']].map((b) => Math.round(b / 1000))).toEqual([
      80, 120, 200,
    ]);
  });

  it('throttles keyframe requests to one per delay', () => {
    const s = stream();
    expect(s.takeKeyFrameRequest(0, 1000)).toBe(true);
    expect(s.takeKeyFrameRequest(999, 1000)).toBe(false);
    expect(s.takeKeyFrameRequest(1000, 1000)).toBe(true);
  });

  it('scores by loss: 10 without loss, one point per 2 %, 0 when silent', () => {
    const rows: Array<[number, number]> = [
      [0, 10],
      [0.01, 9],
      [0.05, 7],
      [0.2, 0],
      [1, 0],
    ];
    for (const [loss, score] of rows) expect(scoreFromLoss(loss)).toBe(score);
    const s = stream();
    s.receive(1, 0, 100, false, 0);
    s.receive(2, 0, 100, false, 10);
    s.receive(3, 0, 100, false, 20);
    expect(s.updateScore(30)).toBe(true);
    expect(s.score).toBe(10);
    expect(s.updateScore(5000)).toBe(true); // nothing for 2 s
    expect(s.score).toBe(0);
  });
});

describe('BitrateMeter', () => {
  it('sums the last second in 100 ms buckets', () => {
    const m = new BitrateMeter();
    m.add(1000, 0);
    m.add(1000, 550);
    expect(m.rate(900)).toBe(16000);
    expect(m.rate(1050)).toBe(8000); // the first bucket left the window
    expect(m.rate(5000)).toBe(0);
  });
});
