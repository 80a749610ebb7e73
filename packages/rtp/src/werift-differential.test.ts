/**
 * Differential tests against werift-rtp: the same packets serialized by one
 * side and parsed by the other agree field by field (and byte for byte where
 * both sides encode the same way).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deserializeAbsSendTime,
  deserializeAudioLevelIndication,
  deserializeVideoOrientation,
  GenericNack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RecvDelta,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
  RunLengthChunk,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  StatusVectorChunk,
  serializeAbsSendTime,
  serializeAudioLevelIndication,
  serializeSdesMid,
  serializeTransportWideCC,
  TransportWideCC,
} from 'werift-rtp';
import {
  audioLevelOf,
  encodeAbsSendTime,
  encodeAudioLevel,
  encodeTransportSequence,
  readAbsSendTime,
  readAudioLevelByte,
  readSdesText,
  readVideoOrientation,
  voiceActivityOf,
} from './header-extension-values.js';
import { parseRtcpPackets, type RtcpPacket, serializeRtcpPacket } from './rtcp/rtcp-packet.js';
import {
  type ParsedRtpPacket,
  parseRtpPacket,
  type RtpPacketFields,
  serializeRtpPacket,
} from './rtp-packet.js';

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

const oneByteExts = fc.array(fc.record({ id: fc.integer({ min: 1, max: 14 }), value: bytes(1, 16) }), {
  maxLength: 6,
});
const twoByteExts = fc.array(fc.record({ id: fc.integer({ min: 1, max: 255 }), value: bytes(0, 40) }), {
  minLength: 1,
  maxLength: 4,
});

const rtpFields: fc.Arbitrary<RtpPacketFields> = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: u16,
  timestamp: u32,
  ssrc: u32,
  marker: fc.boolean(),
  csrcs: fc.array(u32, { maxLength: 15 }),
  extensions: fc.oneof(oneByteExts, twoByteExts),
  payload: bytes(0, 300),
  paddingLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
});

function compareWithWerift(ours: ParsedRtpPacket, w: RtpPacket): void {
  const h = w.header;
  expect(h.version).toBe(2);
  expect(h.payloadType).toBe(ours.payloadType);
  expect(h.sequenceNumber).toBe(ours.sequenceNumber);
  expect(h.timestamp).toBe(ours.timestamp);
  expect(h.ssrc).toBe(ours.ssrc);
  expect(h.marker).toBe(ours.marker);
  expect(h.csrc).toEqual(ours.csrcs);
  expect(h.padding).toBe(ours.paddingLength > 0);
  expect(h.padding ? h.paddingSize : 0).toBe(ours.paddingLength);
  expect(h.extension).toBe(ours.extensionProfile !== 0);
  if (ours.extensionProfile) expect(h.extensionProfile).toBe(ours.extensionProfile);
  expect(h.extensions.map((e) => [e.id, Array.from(e.payload)])).toEqual(
    ours.extensions.map((e) => [e.id, Array.from(e.value)]),
  );
  expect(Array.from(w.payload)).toEqual(Array.from(ours.payload));
}

describe('RTP vs werift-rtp', () => {
  it('@tsfu/rtp serializes, werift parses: same fields', () => {
    fc.assert(
      fc.property(rtpFields, (f) => {
        const wire = serializeRtpPacket(f);
        const ours = parseRtpPacket(wire)!;
        compareWithWerift(ours, RtpPacket.deSerialize(wire));
      }),
      { numRuns: 300 },
    );
  });

  it('werift serializes, @tsfu/rtp parses: same fields, and same bytes', () => {
    fc.assert(
      fc.property(rtpFields, (f) => {
        // Our choice of extension form decides werift's, so both encodings are comparable byte for byte.
        const ourWire = serializeRtpPacket(f);
        const profile = parseRtpPacket(ourWire)!.extensionProfile;
        const header = new RtpHeader({
          payloadType: f.payloadType,
          sequenceNumber: f.sequenceNumber,
          timestamp: f.timestamp,
          ssrc: f.ssrc,
          marker: f.marker,
          csrc: f.csrcs,
          extensionProfile: (profile || 0xbede) as 0xbede,
          extensions: (f.extensions ?? []).map((e) => ({ id: e.id, payload: Buffer.from(e.value) })),
          padding: (f.paddingLength ?? 0) > 0,
          paddingSize: f.paddingLength ?? 0,
        });
        const wire = new RtpPacket(header, Buffer.from(f.payload ?? [])).serialize();
        const ours = parseRtpPacket(wire)!;
        expect(ours).toBeDefined();
        compareWithWerift(ours, RtpPacket.deSerialize(wire));
        expect(Array.from(wire)).toEqual(Array.from(ourWire));
      }),
      { numRuns: 300 },
    );
  });
});

const reportBlock = fc.record({
  ssrc: u32,
  fractionLost: fc.nat({ max: 255 }),
  packetsLost: fc.nat({ max: 0x7fffff }), // werift reads it unsigned
  highestSequence: u32,
  jitter: u32,
  lsr: u32,
  dlsr: u32,
});

function weriftOnly<T>(wire: Buffer): T {
  const parsed = RtcpPacketConverter.deSerialize(wire);
  expect(parsed).toHaveLength(1);
  return parsed[0] as T;
}

describe('RTCP vs werift-rtp', () => {
  it('SR and RR: both directions, byte for byte', () => {
    fc.assert(
      fc.property(
        u32,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        u32,
        u32,
        u32,
        fc.array(reportBlock, { maxLength: 4 }),
        (ssrc, ntp, rtpTs, pc, oc, reports) => {
          const sr: RtcpPacket = {
            kind: 'sr',
            ssrc,
            ntpTimestamp: ntp,
            rtpTimestamp: rtpTs,
            packetCount: pc,
            octetCount: oc,
            reports,
          };
          const ourWire = serializeRtcpPacket(sr);
          const w = weriftOnly<RtcpSrPacket>(ourWire);
          expect(w.ssrc).toBe(ssrc);
          expect(w.senderInfo.ntpTimestamp).toBe(ntp);
          expect([w.senderInfo.rtpTimestamp, w.senderInfo.packetCount, w.senderInfo.octetCount]).toEqual([
            rtpTs,
            pc,
            oc,
          ]);
          expect(w.reports.map((r) => ({ ...r }))).toEqual(reports);
          const wWire = new RtcpSrPacket({
            ssrc,
            senderInfo: new RtcpSenderInfo({
              ntpTimestamp: ntp,
              rtpTimestamp: rtpTs,
              packetCount: pc,
              octetCount: oc,
            }),
            reports: reports.map((r) => new RtcpReceiverInfo(r)),
          }).serialize();
          expect(Array.from(wWire)).toEqual(Array.from(ourWire));
          expect(parseRtcpPackets(wWire)).toEqual([sr]);

          const rr: RtcpPacket = { kind: 'rr', ssrc, reports };
          const rrWire = serializeRtcpPacket(rr);
          expect(weriftOnly<RtcpRrPacket>(rrWire).reports.map((r) => ({ ...r }))).toEqual(reports);
          const wRr = new RtcpRrPacket({
            ssrc,
            reports: reports.map((r) => new RtcpReceiverInfo(r)),
          }).serialize();
          expect(Array.from(wRr)).toEqual(Array.from(rrWire));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('SDES CNAME: both directions', () => {
    fc.assert(
      fc.property(
        u32,
        fc.string({
          minLength: 1,
          maxLength: 60,
          unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-{}'),
        }),
        (ssrc, cname) => {
          const ours: RtcpPacket = { kind: 'sdes', chunks: [{ ssrc, items: [{ type: 1, text: cname }] }] };
          const w = weriftOnly<RtcpSourceDescriptionPacket>(serializeRtcpPacket(ours));
          expect(w.chunks[0].source).toBe(ssrc);
          expect(w.chunks[0].items.map((i) => [i.type, i.text])).toEqual([[1, cname]]);
          const wWire = new RtcpSourceDescriptionPacket({
            chunks: [
              new SourceDescriptionChunk({
                source: ssrc,
                items: [new SourceDescriptionItem({ type: 1, text: cname })],
              }),
            ],
          }).serialize();
          expect(parseRtcpPackets(wWire)).toEqual([ours]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('generic NACK: both directions, byte for byte', () => {
    // Sorted, non-wrapping lists: werift's packer is not wrap-aware.
    const lostList = fc
      .uniqueArray(fc.nat({ max: 60000 }), { minLength: 1, maxLength: 40 })
      .map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(u32, u32, lostList, (sender, media, lost) => {
        const ours: RtcpPacket = { kind: 'nack', senderSsrc: sender, mediaSsrc: media, lost };
        const ourWire = serializeRtcpPacket(ours);
        const w = weriftOnly<RtcpTransportLayerFeedback>(ourWire).feedback as GenericNack;
        expect([w.senderSsrc, w.mediaSourceSsrc]).toEqual([sender, media]);
        expect(w.lost).toEqual(lost);
        const wWire = new RtcpTransportLayerFeedback({
          feedback: new GenericNack({ senderSsrc: sender, mediaSourceSsrc: media, lost }),
        }).serialize();
        expect(Array.from(wWire)).toEqual(Array.from(ourWire));
        expect(parseRtcpPackets(wWire)).toEqual([ours]);
      }),
      { numRuns: 100 },
    );
  });

  it('PLI and REMB: both directions, byte for byte', () => {
    fc.assert(
      fc.property(
        u32,
        u32,
        fc.nat({ max: 0x3ffff }),
        fc.nat({ max: 30 }),
        fc.array(u32, { maxLength: 5 }),
        (sender, media, mantissa, exp, ssrcs) => {
          const pli: RtcpPacket = { kind: 'pli', senderSsrc: sender, mediaSsrc: media };
          const wPli = new RtcpPayloadSpecificFeedback({
            feedback: new PictureLossIndication({ senderSsrc: sender, mediaSsrc: media }),
          }).serialize();
          expect(Array.from(wPli)).toEqual(Array.from(serializeRtcpPacket(pli)));
          expect(parseRtcpPackets(wPli)).toEqual([pli]);

          // A bitrate exactly representable by its mantissa/exponent, normalized the way both encoders pick exp.
          let m = mantissa;
          let e = exp;
          while (e > 0 && m <= 0x1ffff) {
            m *= 2;
            e--;
          }
          const bitrate = m * 2 ** e;
          const remb: RtcpPacket = { kind: 'remb', senderSsrc: sender, mediaSsrc: 0, bitrate, ssrcs };
          const ourWire = serializeRtcpPacket(remb);
          const w = weriftOnly<RtcpPayloadSpecificFeedback>(ourWire).feedback as ReceiverEstimatedMaxBitrate;
          expect(w.bitrate).toBe(BigInt(bitrate));
          expect(w.ssrcFeedbacks).toEqual(ssrcs);
          const wWire = new RtcpPayloadSpecificFeedback({
            feedback: new ReceiverEstimatedMaxBitrate({
              senderSsrc: sender,
              mediaSsrc: 0,
              brExp: e,
              brMantissa: m,
              ssrcNum: ssrcs.length,
              ssrcFeedbacks: ssrcs,
            }),
          }).serialize();
          expect(Array.from(wWire)).toEqual(Array.from(ourWire));
          expect(parseRtcpPackets(wWire)).toEqual([remb]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('transport-cc: @tsfu/rtp serializes, werift parses the same statuses and deltas', () => {
    const pkt = fc.oneof(
      { weight: 1, arbitrary: fc.constant({ received: false, deltaUs: 0 }) },
      { weight: 3, arbitrary: fc.nat({ max: 255 }).map((t) => ({ received: true, deltaUs: t * 250 })) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: -32768, max: 32767 }).map((t) => ({ received: true, deltaUs: t * 250 })),
      },
    );
    const runs = fc.array(fc.tuple(pkt, fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        u32,
        u32,
        u16,
        fc.integer({ min: -0x800000, max: 0x7fffff }),
        fc.nat({ max: 255 }),
        runs,
        (sender, media, base, ref, fbCount, rs) => {
          const packets: { received: boolean; deltaUs: number }[] = rs.flatMap(([p, n]) =>
            new Array(n).fill(p),
          );
          const ours: RtcpPacket = {
            kind: 'transport-cc',
            senderSsrc: sender,
            mediaSsrc: media,
            baseSequenceNumber: base,
            referenceTime: ref,
            fbPktCount: fbCount,
            packetStatusCount: packets.length,
            received: packets.flatMap((p, offset) => (p.received ? [{ offset, deltaUs: p.deltaUs }] : [])),
          };
          const wire = serializeRtcpPacket(ours);
          expect(parseRtcpPackets(wire)).toEqual([ours]);
          const w = weriftOnly<RtcpTransportLayerFeedback>(wire).feedback as TransportWideCC;
          expect([
            w.senderSsrc,
            w.mediaSourceSsrc,
            w.baseSequenceNumber,
            w.packetStatusCount,
            w.fbPktCount,
          ]).toEqual([sender, media, base, packets.length, fbCount]);
          expect(w.referenceTime).toBe(ref & 0xffffff); // werift reads it unsigned
          const statuses = w.packetChunks.flatMap((c) =>
            c instanceof RunLengthChunk
              ? new Array(c.runLength).fill(c.packetStatus)
              : (c as StatusVectorChunk).symbolList,
          );
          expect(statuses.slice(0, packets.length).map((s) => s !== 0)).toEqual(
            packets.map((p) => p.received),
          );
          expect(w.recvDeltas.map((d) => d.delta)).toEqual(
            packets.filter((p) => p.received).map((p) => p.deltaUs),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('transport-cc: werift serializes, @tsfu/rtp parses', () => {
    // Deltas chosen so werift's packet ends on a word: werift neither pads nor counts an odd tail.
    const w = new TransportWideCC({
      senderSsrc: 1,
      mediaSourceSsrc: 2,
      baseSequenceNumber: 65530,
      packetStatusCount: 10,
      referenceTime: 12345,
      fbPktCount: 9,
      packetChunks: [
        new RunLengthChunk({ packetStatus: 1, runLength: 3 }),
        new StatusVectorChunk({ symbolSize: 1, symbolList: [0, 2, 1, 0, 0, 1, 1] }),
      ],
      recvDeltas: [250, 500, 750, -1000, 1000, 4000, 5000].map((delta) => new RecvDelta({ delta })),
    });
    const wire = new RtcpTransportLayerFeedback({ feedback: w }).serialize();
    const [p] = parseRtcpPackets(wire)!;
    expect(p).toMatchObject({
      kind: 'transport-cc',
      baseSequenceNumber: 65530,
      referenceTime: 12345,
      fbPktCount: 9,
    });
    expect(p.kind === 'transport-cc' && p.packetStatusCount).toBe(10);
    expect(p.kind === 'transport-cc' && p.received).toEqual(
      [
        [0, 250],
        [1, 500],
        [2, 750],
        [4, -1000],
        [5, 1000],
        [8, 4000],
        [9, 5000],
      ].map(([offset, deltaUs]) => ({ offset, deltaUs })),
    );
  });
});

describe('header extension values vs werift-rtp', () => {
  it('audio level, video orientation, abs-send-time, transport-cc sequence, mid', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 255 }),
        u16,
        fc.nat({ max: 0xffffff }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (byte, seq, ast, ntp) => {
          const one = Buffer.from([byte]);
          const al = deserializeAudioLevelIndication(one);
          const ours = readAudioLevelByte(one, 0, 1);
          expect([voiceActivityOf(ours), audioLevelOf(ours)]).toEqual([al.v, al.level]);
          expect(Array.from(encodeAudioLevel(byte & 0x7f, true))).toEqual(
            Array.from(serializeAudioLevelIndication(byte & 0x7f)),
          );
          const vo = deserializeVideoOrientation(one);
          expect(readVideoOrientation(one, 0, 1)).toEqual({
            backCamera: vo.c === 1,
            flip: vo.f === 1,
            rotation: (vo.r1 * 2 + vo.r0) * 90,
          });
          const astBuf = encodeAbsSendTime(ast);
          expect(deserializeAbsSendTime(Buffer.from(astBuf))).toBe(ast);
          // werift derives abs-send-time from a 64-bit NTP time (6.18 bits of it); so does the middle of Q32.32.
          expect(readAbsSendTime(serializeAbsSendTime(ntp), 0, 3)).toBe(Number((ntp >> 14n) & 0xffffffn));
          expect(Array.from(encodeTransportSequence(seq))).toEqual(Array.from(serializeTransportWideCC(seq)));
          const mid = String(seq);
          expect(readSdesText(serializeSdesMid(mid), 0, mid.length)).toBe(mid);
        },
      ),
      { numRuns: 300 },
    );
  });
});
