/**
 * Transport-cc cost: a run-length chunk claims up to 8,191 statuses in 2
 * bytes, so a 40-byte feedback can claim 65,535 packets. Parsing lists only
 * the received ones (each needs a delta byte), so what a parse builds is
 * bounded by the packet's bytes, not by the count it claims (issue 17).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtcpPacketConverter, type RtcpTransportLayerFeedback, type TransportWideCC } from 'werift-rtp';
import { parseRtcpPackets, serializeRtcpPacket } from './rtcp-packet.js';
import { parseTransportCc, type RtcpTransportCc, serializeTransportCc } from './transport-cc.js';

/** A transport-cc packet (header included) with `chunks` and `deltas` after the 16-byte FCI header. */
function feedbackBytes(count: number, chunks: number[], deltas: number[] = []): Uint8Array {
  const unpadded = 4 + 16 + chunks.length * 2 + deltas.length;
  const total = Math.ceil(unpadded / 4) * 4;
  const b = new Uint8Array(total);
  b.set([total === unpadded ? 0x8f : 0xaf, 205, 0, total / 4 - 1]);
  b.set([0, 0, 0, 1, 0, 0, 0, 2, 0x12, 0x34, count >> 8, count & 0xff, 0, 0, 7, 1], 4);
  for (const [i, c] of chunks.entries()) b.set([c >> 8, c & 0xff], 20 + 2 * i);
  b.set(deltas, 20 + 2 * chunks.length);
  if (total !== unpadded) b[total - 1] = total - unpadded;
  return b;
}

/** 65,535 statuses in nine run-length chunks of `status`: 8 × 8,191 + 7. */
const claimAll = (status: number) => [...new Array(8).fill((status << 13) | 0x1fff), (status << 13) | 7];

const weriftParse = (wire: Uint8Array) =>
  (RtcpPacketConverter.deSerialize(Buffer.from(wire))[0] as RtcpTransportLayerFeedback)
    .feedback as TransportWideCC;

describe('transport-cc: parse cost bounded by the bytes', () => {
  it('a 40-byte feedback claiming 65,535 lost packets parses to no entries', () => {
    const wire = feedbackBytes(0xffff, claimAll(0));
    expect(wire.length).toBe(40);
    const [p] = parseRtcpPackets(wire)! as RtcpTransportCc[];
    expect(p.packetStatusCount).toBe(0xffff);
    expect(p.received).toEqual([]);
    expect(JSON.stringify(p).length).toBeLessThan(200);
    // werift reads the same: 65,535 statuses, no deltas.
    const w = weriftParse(wire);
    expect([w.packetStatusCount, w.recvDeltas.length]).toEqual([0xffff, 0]);
  });

  it('a claimed run of received packets without their deltas is rejected', () => {
    // Small deltas for 65,535 packets would need 65,535 bytes; only 16 are there.
    expect(parseRtcpPackets(feedbackBytes(0xffff, claimAll(1), new Array(16).fill(1)))).toBeUndefined();
    expect(parseRtcpPackets(feedbackBytes(0xffff, claimAll(2), new Array(16).fill(1)))).toBeUndefined();
  });

  it('the reserved symbol 3 is rejected, in a run as in a vector (libwebrtc: invalid delta size)', () => {
    expect(parseRtcpPackets(feedbackBytes(0xffff, claimAll(3)))).toBeUndefined();
    expect(parseRtcpPackets(feedbackBytes(7, [0xc000 | (3 << 10)]))).toBeUndefined();
    // A run of length 0 says nothing, whatever its symbol.
    expect(parseRtcpPackets(feedbackBytes(7, [0x6000, 0x0007]))).toBeDefined();
  });

  it('whatever parses lists at most one entry per byte, in order, and round-trips', () => {
    // Chunks biased to long runs, a count up to 65,535 and some delta bytes.
    const chunk = fc.oneof(
      fc.record({ s: fc.nat({ max: 3 }), run: fc.nat({ max: 0x1fff }) }).map(({ s, run }) => (s << 13) | run),
      fc.nat({ max: 0x3fff }).map((v) => 0x8000 | v),
      fc.nat({ max: 0x3fff }).map((v) => 0xc000 | v),
    );
    let parsedWithReceived = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff }),
        fc.array(chunk, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat({ max: 255 }), { maxLength: 40 }),
        (count, chunks, deltas) => {
          const wire = feedbackBytes(count, chunks, deltas);
          const ps = parseRtcpPackets(wire) as RtcpTransportCc[] | undefined;
          if (!ps) return;
          const [p] = ps;
          // Each entry took a delta byte after the first chunk (unused chunks are read as deltas).
          expect(p.received.length).toBeLessThanOrEqual(wire.length - 22);
          p.received.forEach((r, i) => {
            expect(r.offset).toBeLessThan(count);
            if (i > 0) expect(r.offset).toBeGreaterThan(p.received[i - 1].offset);
          });
          if (p.received.length > 0) parsedWithReceived++;
          expect(parseRtcpPackets(serializeRtcpPacket(p))).toEqual([p]);
        },
      ),
      { seed: 17, numRuns: 500 },
    );
    expect(parsedWithReceived).toBeGreaterThan(10);
  });
});

describe('transport-cc: legitimate feedback round-trips', () => {
  type Status = 'lost' | number; // a number: the received packet's delta in 250 µs ticks
  const status: fc.Arbitrary<Status> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Status>('lost') },
    { weight: 2, arbitrary: fc.nat({ max: 255 }) },
    { weight: 1, arbitrary: fc.integer({ min: -32768, max: 32767 }) },
  );
  // Runs long enough for run-length chunks (7+) and beyond one chunk (8,191), for the lost ones.
  const runs = fc.array(
    fc.tuple(status, fc.integer({ min: 1, max: 20 }), fc.boolean()).map(([s, n, long]) => ({
      s,
      n: long && s === 'lost' ? n * 500 : n,
    })),
    { minLength: 1, maxLength: 12 },
  );

  function feedbackOf(rs: { s: Status; n: number }[], base: number): RtcpTransportCc {
    const received: RtcpTransportCc['received'] = [];
    let offset = 0;
    for (const { s, n } of rs)
      for (let i = 0; i < n; i++, offset++) if (s !== 'lost') received.push({ offset, deltaUs: s * 250 });
    return {
      kind: 'transport-cc',
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequenceNumber: base,
      referenceTime: -5,
      fbPktCount: 3,
      packetStatusCount: offset,
      received,
    };
  }

  it('serialize → parse (ours and werift) gives the same statuses and deltas', () => {
    fc.assert(
      fc.property(runs, fc.nat({ max: 0xffff }), (rs, base) => {
        const fb = feedbackOf(rs, base);
        const wire = serializeTransportCc(fb);
        expect(parseRtcpPackets(wire)).toEqual([fb]);
        const w = weriftParse(wire);
        expect([w.baseSequenceNumber, w.packetStatusCount]).toEqual([base, fb.packetStatusCount]);
        expect(w.recvDeltas.map((d) => d.delta)).toEqual(fb.received.map((r) => r.deltaUs));
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it('long losses take run-length chunks: 9,000 lost then 3 received fit in 32 bytes', () => {
    const fb = feedbackOf(
      [
        { s: 'lost', n: 9000 },
        { s: 4, n: 3 },
      ],
      65000,
    );
    const wire = serializeTransportCc(fb);
    expect(wire.length).toBe(32); // 4 + 16 + chunks (run 8,191, run 809, vector) + 3 deltas, padded
    expect(parseTransportCc(wire, 4, wire.length - 4)).toEqual(fb);
    expect(fb.received.map((r) => r.offset)).toEqual([9000, 9001, 9002]);
  });

  it('serialize rejects offsets out of order or beyond the count', () => {
    const fb = feedbackOf([{ s: 1, n: 2 }], 0);
    expect(() => serializeTransportCc({ ...fb, received: [...fb.received].reverse() })).toThrow(RangeError);
    expect(() => serializeTransportCc({ ...fb, packetStatusCount: 1 })).toThrow(RangeError);
    expect(() => serializeTransportCc({ ...fb, packetStatusCount: 0x10000 })).toThrow(RangeError);
  });
});
