import { parseTransportCc, serializeTransportCc } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { TransportCcRecorder } from './transport-cc-recorder.js';

describe('TransportCcRecorder', () => {
  it('reports arrivals and losses between the lowest and highest sequence number, in 250 µs ticks', () => {
    const r = new TransportCcRecorder();
    r.record(10, 1000); // reference: floor(1000 / 64) = 15 → 960 ms; first delta 40 ms
    r.record(11, 1001);
    r.record(13, 1003.5); // 12 lost
    const fb = r.takeFeedback()!;
    expect(fb.baseSequenceNumber).toBe(10);
    expect(fb.referenceTime).toBe(15);
    expect(fb.packetStatusCount).toBe(4);
    expect(fb.received).toEqual([
      { offset: 0, deltaUs: 40_000 },
      { offset: 1, deltaUs: 1_000 },
      { offset: 3, deltaUs: 2_500 },
    ]);
    // It serializes and parses back (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    const bytes = serializeTransportCc({
      kind: 'transport-cc',
      senderSsrc: 1,
      mediaSsrc: 2,
      fbPktCount: 0,
      ...fb,
    });
    const parsed = parseTransportCc(bytes, 4, bytes.length - 4)!;
    expect(parsed.packetStatusCount).toBe(4);
    expect(parsed.received).toEqual(fb.received);
    expect(r.takeFeedback()).toBeUndefined();
  });

  it('continues from the last reported sequence number and handles the 16-bit wrap and reordering', () => {
    const r = new TransportCcRecorder();
    r.record(65534, 0);
    r.takeFeedback();
    r.record(1, 10); // 65535 and 0 lost
    r.record(0, 9); // reordered: arrives before... after 1, earlier in time
    const fb = r.takeFeedback()!;
    expect(fb.baseSequenceNumber).toBe(65535);
    expect(fb.packetStatusCount).toBe(3);
    expect(fb.received.map((p) => p.offset)).toEqual([1, 2]);
    // Negative delta for the reordered one: 0 arrived at 9 ms, 1 at 10 ms → both increasing by seq here.
    expect(fb.received[1].deltaUs).toBe(1_000);
  });
});
