/**
 * RTP/RTCP as the SFU meets them after SRTP: what a parser accepts must be
 * safe to use. Beyond @tsfu/rtp's property tests (views stay inside the
 * buffer, round trips of well-formed packets): every header-extension reader
 * on whatever values the view finds, RTX unwrap of arbitrary packets, and
 * re-serialising whatever the parsers accepted from random or mutated bytes
 * (the SFU forwards and rewrites what it parsed, so an accepted packet that
 * cannot be written back is a crash one step later). Pure functions: the
 * "no state" part is the reused view's, checked by re-wrapping.
 */
import {
  isRtcp,
  parseRtcpPackets,
  parseRtpPacket,
  RtcpCompoundView,
  type RtcpPacket,
  RtpPacketView,
  readAbsCaptureTime,
  readAbsSendTime,
  readAudioLevelByte,
  readPlayoutDelay,
  readSdesText,
  readToffset,
  readTransportSequence,
  readVideoOrientation,
  serializeRtcpPackets,
  serializeRtpPacket,
  unwrapRtx,
} from '@tsfu/rtp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutation } from './mutate.js';

/** A real packet with one-byte extensions, CSRCs and padding, from the package's writer. */
const rtpBase = serializeRtpPacket({
  payloadType: 96,
  sequenceNumber: 0xfffe,
  timestamp: 1234,
  ssrc: 0x11223344,
  marker: true,
  csrcs: [1, 2],
  extensions: [
    { id: 1, value: Uint8Array.of(1, 2, 3) },
    { id: 3, value: Uint8Array.of(0, 1) },
    { id: 4, value: Uint8Array.of(0x80) },
  ],
  payload: new Uint8Array(40).fill(7),
  paddingLength: 4,
});

/** A compound of every kind the SFU reads (SR, SDES, NACK, PLI, FIR, REMB, TWCC, XR, BYE). */
const rtcpKinds: RtcpPacket[] = [
  {
    kind: 'sr',
    ssrc: 1,
    ntpTimestamp: 0x0000000200000003n,
    rtpTimestamp: 4,
    packetCount: 5,
    octetCount: 6,
    reports: [{ ssrc: 9, fractionLost: 1, packetsLost: 2, highestSequence: 3, jitter: 4, lsr: 5, dlsr: 6 }],
  },
  { kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'cname' }] }] },
  { kind: 'nack', senderSsrc: 1, mediaSsrc: 2, lost: [100, 101, 116] },
  { kind: 'pli', senderSsrc: 1, mediaSsrc: 2 },
  { kind: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 2, sequenceNumber: 3 }] },
  { kind: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 300_000, ssrcs: [2, 3] },
  {
    kind: 'transport-cc',
    senderSsrc: 1,
    mediaSsrc: 2,
    baseSequenceNumber: 10,
    referenceTime: 5,
    fbPktCount: 1,
    packetStatusCount: 3,
    received: [
      { offset: 0, deltaUs: 250 },
      { offset: 2, deltaUs: 64_000 },
    ],
  },
  {
    kind: 'xr',
    ssrc: 1,
    blocks: [
      { type: 'rrtr', ntpTimestamp: 0x0000000100000002n },
      { type: 'dlrr', items: [{ ssrc: 2, lastRr: 3, delaySinceLastRr: 4 }] },
    ],
  },
  { kind: 'bye', ssrcs: [1], reason: 'bye' },
];
const rtcpBase = serializeRtcpPackets(rtcpKinds);

const readers = [
  readAbsCaptureTime,
  readAbsSendTime,
  readAudioLevelByte,
  readPlayoutDelay,
  readSdesText,
  readToffset,
  readTransportSequence,
  readVideoOrientation,
];

describe('RTP after SRTP: what the parsers accept is safe to use', () => {
  it('extension readers, RTX unwrap and re-serialisation of any accepted packet never throw', () => {
    const view = new RtpPacketView();
    const fresh = new RtpPacketView();
    const out = new Uint8Array(1600);
    let accepted = 0;
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      mutation(rtpBase).map((m) => Uint8Array.from(mutate(rtpBase, m))),
    );
    fc.assert(
      fc.property(input, (b) => {
        const ok = view.wrap(b);
        // A reused view answers as a fresh one would: nothing carried over from the last packet.
        expect(fresh.wrap(b)).toBe(ok);
        if (!ok) return;
        accepted++;
        expect(view.extensionCount).toBe(fresh.extensionCount);
        for (let i = 0; i < view.extensionCount; i++) {
          const off = view.extensionValueOffsets[i];
          const len = view.extensionValueLengths[i];
          for (const read of readers) read(b, off, len);
        }
        const n = unwrapRtx(view, out, 96, 0x55667788);
        expect(n).toBeLessThanOrEqual(b.length);
        const parsed = parseRtpPacket(b);
        if (parsed) {
          const again = parseRtpPacket(serializeRtpPacket(parsed));
          expect(again?.payload).toEqual(parsed.payload);
          expect(again?.ssrc).toBe(parsed.ssrc);
        }
      }),
      { seed: 0x4717, numRuns: 2500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('RTCP after SRTCP: what the compound parser accepts can be written back', () => {
  it('mutants of a compound of every kind: accepted ones re-serialise to what was parsed', () => {
    const walker = new RtcpCompoundView();
    let accepted = 0;
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      mutation(rtcpBase).map((m) => Uint8Array.from(mutate(rtcpBase, m))),
      // A lone packet of each kind, mutated: the compound's first malformed packet would hide the rest.
      fc
        .constantFrom(...rtcpKinds)
        .map((p) => serializeRtcpPackets([p]))
        .chain((b) => mutation(b).map((m) => Uint8Array.from(mutate(b, m)))),
    );
    fc.assert(
      fc.property(input, (b) => {
        isRtcp(b);
        walker.wrap(b);
        let walked = 0;
        while (walker.next()) expect(++walked).toBeLessThanOrEqual(b.length / 4);
        const ps = parseRtcpPackets(b);
        if (!ps) return;
        accepted++;
        expect(ps.length).toBeLessThanOrEqual(walked);
        // A transport-cc lists received packets only, each with a delta byte: what a parse builds
        // follows the bytes, not the status count the packet claims (up to 65,535).
        for (const p of ps) if (p.kind === 'transport-cc') expect(p.received.length).toBeLessThan(b.length);
        expect(parseRtcpPackets(serializeRtcpPackets(ps))).toEqual(ps);
      }),
      { seed: 0x7c9, numRuns: 2500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
