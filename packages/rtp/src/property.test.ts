/**
 * Property tests (fast-check): random and mutated packets never make a
 * receive path throw or read past the given length, and round trips hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAv1KeyFrame } from './codecs/av1.js';
import { isH264KeyFrame } from './codecs/h264.js';
import { Vp8Descriptor } from './codecs/vp8.js';
import { Vp9Descriptor } from './codecs/vp9.js';
import { RtcpCompoundView } from './rtcp/rtcp-header.js';
import { parseRtcpPackets, type RtcpPacket, serializeRtcpPackets } from './rtcp/rtcp-packet.js';
import { rtpHeaderLength } from './rtp-header.js';
import { parseRtpPacket, type RtpPacketFields, serializeRtpPacket } from './rtp-packet.js';
import { createExtensionIdTable, RtpPacketView } from './rtp-packet-view.js';
import { unwrapRtx, wrapRtx } from './rtx.js';
import { SeqNumMapper } from './seq-num-mapper.js';

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });

const fields: fc.Arbitrary<RtpPacketFields> = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: u16,
  timestamp: u32,
  ssrc: u32,
  marker: fc.boolean(),
  csrcs: fc.array(u32, { maxLength: 4 }),
  extensions: fc.array(
    fc.record({ id: fc.integer({ min: 1, max: 255 }), value: fc.uint8Array({ maxLength: 20 }) }),
    {
      maxLength: 5,
    },
  ),
  payload: fc.uint8Array({ maxLength: 100 }),
  paddingLength: fc.integer({ min: 0, max: 20 }),
});

/** A valid packet with some bytes overwritten and possibly cut short. */
const mutated = fc
  .tuple(fields, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }), fc.nat())
  .map(([f, edits, cut]) => {
    const b = Uint8Array.from(serializeRtpPacket(f));
    for (const [i, v] of edits) b[i % b.length] = v;
    return b.subarray(0, b.length - (cut % 4 === 0 ? cut % b.length : 0));
  });

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated);

describe('RTP properties', () => {
  it('serialize then parse gives the fields back', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const p = parseRtpPacket(serializeRtpPacket(f))!;
        expect(p).toBeDefined();
        const { extensionProfile: _, ...rest } = p;
        expect(rest).toEqual({ ...f, marker: f.marker ?? false });
      }),
      { numRuns: 300 },
    );
  });

  it('wrap never throws and never looks past `length`', () => {
    fc.assert(
      fc.property(anyBytes, fc.uint8Array({ minLength: 1, maxLength: 16 }), (b, tail) => {
        const v = new RtpPacketView();
        const ok = v.wrap(b);
        // Same prefix followed by other bytes: the verdict and every offset must not change.
        const longer = new Uint8Array(b.length + tail.length);
        longer.set(b);
        longer.set(tail, b.length);
        const w = new RtpPacketView();
        expect(w.wrap(longer, b.length)).toBe(ok);
        if (ok) {
          expect([w.headerLength, w.payloadLength, w.paddingLength, w.extensionCount]).toEqual([
            v.headerLength,
            v.payloadLength,
            v.paddingLength,
            v.extensionCount,
          ]);
          expect(v.headerLength).toBe(rtpHeaderLength(b));
          expect(v.payloadOffset + v.payloadLength + v.paddingLength).toBe(b.length);
          for (let i = 0; i < v.extensionCount; i++) {
            expect(v.extensionValueOffsets[i] + v.extensionValueLengths[i]).toBeLessThanOrEqual(
              v.headerLength,
            );
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('remapping keeps the packet valid, the payload intact and the mapped values', () => {
    const mapping = fc.array(fc.tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 255 })), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(fields, mapping, (f, m) => {
        const buf = Uint8Array.from(serializeRtpPacket(f));
        const before = parseRtpPacket(buf)!;
        const table = createExtensionIdTable(m);
        const v = new RtpPacketView();
        expect(v.wrap(buf)).toBe(true);
        const oneByte = before.extensionProfile === 0xbede;
        v.remapExtensions(table);
        const after = parseRtpPacket(buf)!;
        expect(after).toBeDefined();
        expect(after.payload).toEqual(before.payload);
        const want = before.extensions
          .map((e) => ({ id: table[e.id], value: e.value }))
          .filter((e) => e.id !== 0 && (!oneByte || e.id <= 14));
        expect(after.extensions).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('RTX wrap then unwrap restores the packet minus padding', () => {
    fc.assert(
      fc.property(fields, fc.integer({ min: 0, max: 127 }), u32, u16, (f, rtxPt, rtxSsrc, rtxSeq) => {
        const v = new RtpPacketView();
        expect(v.wrap(serializeRtpPacket(f))).toBe(true);
        const rtx = new Uint8Array(2000);
        const n = wrapRtx(v, rtx, rtxPt, rtxSsrc, rtxSeq);
        const r = new RtpPacketView();
        expect(r.wrap(rtx, n)).toBe(true);
        expect([r.payloadType, r.ssrc, r.sequenceNumber]).toEqual([rtxPt, rtxSsrc, rtxSeq]);
        const out = new Uint8Array(2000);
        const m = unwrapRtx(r, out, f.payloadType, f.ssrc);
        expect(parseRtpPacket(out, m)).toEqual({
          ...parseRtpPacket(serializeRtpPacket(f))!,
          paddingLength: 0,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('payload descriptor parsers never throw on random bytes', () => {
    const vp8 = new Vp8Descriptor();
    const vp9 = new Vp9Descriptor();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 40 }), (b, len) => {
        const n = Math.min(len, b.length);
        vp8.parse(b, 0, n);
        vp9.parse(b, 0, n);
        isH264KeyFrame(b, 0, n);
        isAv1KeyFrame(b, 0, n);
        if (vp8.parse(b, 0, n)) expect(vp8.length).toBeLessThanOrEqual(n);
        if (vp9.parse(b, 0, n)) expect(vp9.length).toBeLessThanOrEqual(n);
      }),
      { numRuns: 2000 },
    );
  });
});

const rtcpPacket: fc.Arbitrary<RtcpPacket> = fc.oneof(
  fc.record({
    kind: fc.constant('rr' as const),
    ssrc: u32,
    reports: fc.array(
      fc.record({
        ssrc: u32,
        fractionLost: fc.nat({ max: 255 }),
        packetsLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
        highestSequence: u32,
        jitter: u32,
        lsr: u32,
        dlsr: u32,
      }),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    kind: fc.constant('bye' as const),
    ssrcs: fc.array(u32, { maxLength: 3 }),
    reason: fc.string({ maxLength: 20, unit: 'grapheme-ascii' }),
  }),
  fc.record({ kind: fc.constant('pli' as const), senderSsrc: u32, mediaSsrc: u32 }),
  fc.record({
    kind: fc.constant('fir' as const),
    senderSsrc: u32,
    mediaSsrc: fc.constant(0),
    entries: fc.array(fc.record({ ssrc: u32, sequenceNumber: fc.nat({ max: 255 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({
    kind: fc.constant('nack' as const),
    senderSsrc: u32,
    mediaSsrc: u32,
    lost: fc
      .uniqueArray(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 30 })
      .map((a) => a.sort((x, y) => x - y)),
  }),
  fc.record({
    kind: fc.constant('xr' as const),
    ssrc: u32,
    blocks: fc.array(
      fc.oneof(
        fc.record({
          type: fc.constant('rrtr' as const),
          ntpTimestamp: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        }),
        fc.record({
          type: fc.constant('dlrr' as const),
          items: fc.array(fc.record({ ssrc: u32, lastRr: u32, delaySinceLastRr: u32 }), { maxLength: 2 }),
        }),
      ),
      { maxLength: 3 },
    ),
  }),
);

describe('RTCP properties', () => {
  it('compound serialize then parse round-trips', () => {
    fc.assert(
      fc.property(fc.array(rtcpPacket, { minLength: 1, maxLength: 4 }), (ps) => {
        expect(parseRtcpPackets(serializeRtcpPackets(ps))).toEqual(ps);
      }),
      { numRuns: 300 },
    );
  });

  it('random and mutated datagrams never throw, and the view stays inside the buffer', () => {
    const mutatedRtcp = fc
      .tuple(
        fc.array(rtcpPacket, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([ps, edits, cut]) => {
        const b = Uint8Array.from(serializeRtcpPackets(ps));
        for (const [i, v] of edits) b[i % b.length] = v;
        return b.subarray(0, b.length - (cut % 3 === 0 ? cut % b.length : 0));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutatedRtcp), (b) => {
        parseRtcpPackets(b);
        const v = new RtcpCompoundView();
        v.wrap(b);
        let guard = 0;
        while (v.next()) {
          expect(v.offset + v.packetLength).toBeLessThanOrEqual(b.length);
          expect(v.bodyOffset + v.bodyLength).toBeLessThanOrEqual(b.length);
          expect(++guard).toBeLessThan(100);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SeqNumMapper properties', () => {
  it('never gives one output to two inputs, under reordering, drops and switches', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -20, max: 3 }).map((d) => ({ kind: 'fwd' as const, d })) },
      { weight: 2, arbitrary: fc.integer({ min: -5, max: 3 }).map((d) => ({ kind: 'drop' as const, d })) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 0, max: 0xffff }).map((s) => ({ kind: 'switch' as const, s })),
      },
    );
    fc.assert(
      fc.property(u16, u16, fc.array(op, { maxLength: 200 }), (start, initialOutput, ops) => {
        const m = new SeqNumMapper({ initialOutput });
        const owner = new Map<number, string>(); // output -> "source:input"
        let src = 0;
        let head = start;
        for (const o of ops) {
          if (o.kind === 'switch') {
            m.resync();
            src++;
            head = o.s;
            continue;
          }
          const seq = (head + o.d) & 0xffff;
          if (o.kind === 'drop') {
            m.drop(seq);
            if (o.d > 0) head = seq;
            continue;
          }
          const out = m.map(seq);
          if (o.d > 0) head = seq;
          if (out < 0) continue;
          const key = `${src}:${seq}`;
          const prev = owner.get(out);
          if (prev !== undefined) expect(prev).toBe(key);
          owner.set(out, key);
        }
      }),
      { numRuns: 500 },
    );
  });
});
