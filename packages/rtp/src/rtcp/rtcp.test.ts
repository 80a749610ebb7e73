// biome-ignore-all format: byte arrays are annotated field by field, one line per field
import { describe, expect, it } from 'vitest';
import { nackBlp, nackPairCount, nackPairsFromSequenceNumbers, nackPid, sequenceNumbersFromNackPairs } from './nack.js';
import { isRtcp, isRtcpPacketType, RtcpCompoundView } from './rtcp-header.js';
import {
  parseRtcpPackets,
  type RtcpPacket,
  serializeRtcpPacket,
  serializeRtcpPackets,
} from './rtcp-packet.js';
import { sdesCname } from './sdes.js';
import { encodeTwccChunks, parseTransportCc } from './transport-cc.js';

const block = {
  ssrc: 0xbc5e9a40,
  fractionLost: 0,
  packetsLost: 0,
  highestSequence: 0x46e1,
  jitter: 273,
  lsr: 0x09f36432,
  dlsr: 150137,
};
// prettier-ignore
const blockBytes = [
  0xbc, 0x5e, 0x9a, 0x40, // ssrc
  0x00, // fraction lost
  0x00, 0x00, 0x00, // cumulative lost
  0x00, 0x00, 0x46, 0xe1, // extended highest seq
  0x00, 0x00, 0x01, 0x11, // jitter=273
  0x09, 0xf3, 0x64, 0x32, // LSR
  0x00, 0x02, 0x4a, 0x79, // DLSR=150137
];

interface Row {
  name: string;
  bytes: number[];
  /** Packets parsed; the bytes must also be what serializing them gives back (unless noReserialize). */
  want: RtcpPacket[];
  noReserialize?: boolean;
}

const rows: Row[] = [
  {
    name: 'SR with one report block',
    bytes: [
      0x81, 0xc8, 0x00, 0x0c, // V=2 P=0 RC=1, PT=200, length=12
      0x90, 0x2f, 0x9e, 0x2e, // SSRC of sender
      0xda, 0x8b, 0xd1, 0xfc, 0xdd, 0xdd, 0xa0, 0x5a, // NTP timestamp
      0xaa, 0xf4, 0xed, 0xd5, // RTP timestamp
      0x00, 0x00, 0x00, 0x01, // packet count
      0x00, 0x00, 0x00, 0x02, // octet count
      ...blockBytes,
    ],
    want: [
      {
        kind: 'sr',
        ssrc: 0x902f9e2e,
        ntpTimestamp: 0xda8bd1fcdddda05an,
        rtpTimestamp: 0xaaf4edd5,
        packetCount: 1,
        octetCount: 2,
        reports: [block],
      },
    ],
  },
  {
    name: 'RR with negative cumulative loss',
    bytes: [
      0x81, 0xc9, 0x00, 0x07, // RC=1, PT=201, length=7
      0x90, 0x2f, 0x9e, 0x2e, // SSRC of packet sender
      0xbc, 0x5e, 0x9a, 0x40, // block ssrc
      0x10, // fraction lost 16/256
      0xff, 0xff, 0xfd, // cumulative lost -3
      0x00, 0x00, 0x46, 0xe1, // extended highest seq
      0x00, 0x00, 0x01, 0x11, // jitter
      0x09, 0xf3, 0x64, 0x32, // LSR
      0x00, 0x02, 0x4a, 0x79, // DLSR
    ],
    want: [{ kind: 'rr', ssrc: 0x902f9e2e, reports: [{ ...block, fractionLost: 16, packetsLost: -3 }] }],
  },
  {
    name: 'RR with no report blocks',
    bytes: [0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a],
    want: [{ kind: 'rr', ssrc: 42, reports: [] }],
  },
  {
    name: 'SDES with a CNAME',
    bytes: [
      0x81, 0xca, 0x00, 0x06, // SC=1, PT=202, length=6
      0x90, 0x2f, 0x9e, 0x2e, // SSRC
      0x01, 0x10, // CNAME, 16 bytes
      ...Buffer.from('abcdefghijklmnop'), 0x00, 0x00, // end of list + padding to the word
    ],
    want: [{ kind: 'sdes', chunks: [{ ssrc: 0x902f9e2e, items: [{ type: 1, text: 'abcdefghijklmnop' }] }] }],
  },
  {
    name: 'BYE with a reason',
    bytes: [
      0x82, 0xcb, 0x00, 0x03, // SC=2, PT=203, length=3
      0x00, 0x00, 0x00, 0x01, // SSRC 1
      0x00, 0x00, 0x00, 0x02, // SSRC 2
      0x03, 0x62, 0x79, 0x65, // reason length 3: "bye"
    ],
    want: [{ kind: 'bye', ssrcs: [1, 2], reason: 'bye' }],
  },
  {
    name: 'APP',
    bytes: [
      0x85, 0xcc, 0x00, 0x03, // subtype=5, PT=204, length=3
      0x00, 0x00, 0x00, 0x07, // SSRC
      0x4e, 0x41, 0x4d, 0x45, // name "NAME"
      0xde, 0xad, 0xbe, 0xef, // data
    ],
    want: [{ kind: 'app', subtype: 5, ssrc: 7, name: 'NAME', data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }],
  },
  {
    name: 'generic NACK, two pairs across the wrap',
    bytes: [
      0x81, 0xcd, 0x00, 0x04, // FMT=1, PT=205, length=4
      0x00, 0x00, 0x00, 0x01, // sender SSRC
      0x00, 0x00, 0x00, 0x02, // media SSRC
      0x00, 0x64, 0x80, 0x05, // PID=100, BLP: +1, +3, +16
      0xff, 0xff, 0x00, 0x01, // PID=65535, BLP: +1 (0)
    ],
    want: [{ kind: 'nack', senderSsrc: 1, mediaSsrc: 2, lost: [100, 101, 103, 116, 65535, 0] }],
  },
  {
    name: 'PLI',
    bytes: [0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02], // FMT=1, PT=206
    want: [{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }],
  },
  {
    name: 'FIR',
    bytes: [
      0x84, 0xce, 0x00, 0x04, // FMT=4, PT=206, length=4
      0x00, 0x00, 0x00, 0x01, // sender SSRC
      0x00, 0x00, 0x00, 0x00, // media SSRC: 0
      0x12, 0x34, 0x56, 0x78, // FCI: SSRC
      0x2a, 0x00, 0x00, 0x00, // seq nr 42, reserved
    ],
    want: [{ kind: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 0x12345678, sequenceNumber: 42 }] }],
  },
  {
    // Real data sent by Chrome (vector from pion/rtcp): mantissa 139487, exp 6.
    name: 'REMB from Chrome',
    bytes: [143, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 82, 69, 77, 66, 1, 26, 32, 223, 72, 116, 237, 22],
    want: [{ kind: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 8927168, ssrcs: [1215622422] }],
  },
  {
    name: 'XR with RRTR and DLRR',
    bytes: [
      0x80, 0xcf, 0x00, 0x08, // PT=207, length=8
      0x00, 0x00, 0x00, 0x09, // SSRC
      0x04, 0x00, 0x00, 0x02, // BT=4 RRTR, 2 words
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // NTP
      0x05, 0x00, 0x00, 0x03, // BT=5 DLRR, 3 words
      0x00, 0x00, 0x00, 0x0a, // SSRC
      0x03, 0x04, 0x05, 0x06, // last RR
      0x00, 0x01, 0x00, 0x00, // DLRR: 1 s
    ],
    want: [
      {
        kind: 'xr',
        ssrc: 9,
        blocks: [
          { type: 'rrtr', ntpTimestamp: 0x0102030405060708n },
          { type: 'dlrr', items: [{ ssrc: 10, lastRr: 0x03040506, delaySinceLastRr: 65536 }] },
        ],
      },
    ],
  },
  {
    name: 'XR keeps other block types raw',
    bytes: [0x80, 0xcf, 0x00, 0x03, 0, 0, 0, 9, 0x07, 0x05, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd],
    want: [
      {
        kind: 'xr',
        ssrc: 9,
        blocks: [
          { type: 'other', blockType: 7, typeSpecific: 5, data: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd) },
        ],
      },
    ],
  },
  {
    // Chrome-captured transport-cc (vector from pion/rtcp, "example4"): one run-length chunk, 7 small deltas.
    name: 'transport-cc with a run-length chunk',
    bytes: [
      0xaf, 0xcd, 0x00, 0x07, // P=1 FMT=15, PT=205, length=7
      0xfa, 0x17, 0xfa, 0x17, // sender SSRC
      0x19, 0x3d, 0xd8, 0xbb, // media SSRC
      0x00, 0x04, 0x00, 0x07, // base seq=4, status count=7
      0x10, 0x63, 0x6e, 0x01, // reference time=1074030, fb pkt count=1
      0x20, 0x07, // run-length chunk: small delta × 7
      0x4c, 0x24, 0x24, 0x10, 0x0c, 0x0c, 0x10, // deltas ×250 µs
      0x00, 0x00, 0x03, // padding, count=3
    ],
    want: [
      {
        kind: 'transport-cc',
        senderSsrc: 4195875351,
        mediaSsrc: 423483579,
        baseSequenceNumber: 4,
        referenceTime: 1074030,
        fbPktCount: 1,
        packetStatusCount: 7,
        received: [19000, 9000, 9000, 4000, 3000, 3000, 4000].map((deltaUs, offset) => ({ offset, deltaUs })),
      },
    ],
  },
  {
    name: 'compound: RR + SDES + unknown type + PSFB of unknown FMT + PLI',
    bytes: [
      0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, // RR, no blocks
      0x81, 0xca, 0x00, 0x03, 0x00, 0x00, 0x00, 0x2a, // SDES, SSRC 42
      0x01, 0x03, 0x61, 0x62, 0x63, 0x00, 0x00, 0x00, // CNAME "abc", end, padding
      0x80, 0xd1, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // PT=209: unknown, skipped
      0x82, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // PSFB FMT=2 (SLI): skipped
      0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // PLI
    ],
    want: [
      { kind: 'rr', ssrc: 42, reports: [] },
      { kind: 'sdes', chunks: [{ ssrc: 42, items: [{ type: 1, text: 'abc' }] }] },
      { kind: 'pli', senderSsrc: 1, mediaSsrc: 2 },
    ],
    noReserialize: true,
  },
];

describe('RTCP parse and serialize', () => {
  for (const row of rows) {
    it(row.name, () => {
      const buf = Uint8Array.from(row.bytes);
      expect(isRtcp(buf)).toBe(true);
      expect(parseRtcpPackets(buf)).toEqual(row.want);
      if (!row.noReserialize) expect(Array.from(serializeRtcpPackets(row.want))).toEqual(row.bytes);
    });
  }
});

describe('RTCP error rows: malformed input returns undefined', () => {
  const bad: [string, number[]][] = [
    ['header cut short', [0x80, 0xc9, 0x00]],
    ['bad version', [0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 1]],
    ['length beyond the datagram', [0x80, 0xc9, 0x00, 0x02, 0, 0, 0, 1]],
    ['padding count 0', [0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 0]],
    ['padding count beyond the packet', [0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 9]],
    ['SR shorter than its sender info', [0x80, 0xc8, 0x00, 0x01, 0, 0, 0, 1]],
    ['RR count beyond the body', [0x82, 0xc9, 0x00, 0x07, 0, 0, 0, 1, ...blockBytes]],
    ['SDES item overruns', [0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x61, 0x62]],
    ['SDES chunk missing', [0x82, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x00]],
    ['BYE reason overruns', [0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0x09, 0x61, 0x62, 0x63]],
    ['APP without name', [0x80, 0xcc, 0x00, 0x01, 0, 0, 0, 1]],
    ['NACK without FCI', [0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]],
    ['PLI without media SSRC', [0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1]],
    ['FIR without FCI', [0x84, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0]],
    [
      'REMB SSRC count beyond the body',
      [143, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 82, 69, 77, 66, 2, 26, 32, 223],
    ],
    ['XR block overruns', [0x80, 0xcf, 0x00, 0x02, 0, 0, 0, 9, 0x04, 0x00, 0x00, 0x02]],
    ['XR RRTR of wrong size', [0x80, 0xcf, 0x00, 0x03, 0, 0, 0, 9, 0x04, 0x00, 0x00, 0x01, 0, 0, 0, 0]],
    [
      'transport-cc chunks overrun',
      [0x8f, 0xcd, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x00, 0x00, 0x20, 0, 0, 0, 0],
    ],
    [
      'transport-cc deltas overrun',
      [
        0x8f, 0xcd, 0x00, 0x05, // FMT=15, PT=205, length=5
        0, 0, 0, 1, 0, 0, 0, 2, // sender, media SSRC
        0x00, 0x00, 0x00, 0x03, // base seq=0, 3 packets
        0, 0, 0, 0, // reference time, fb pkt count
        0x20, 0x03, // run-length: small delta × 3
        0x01, 0x01, // only 2 delta bytes
      ],
    ],
  ];
  for (const [name, bytes] of bad) {
    it(name, () => {
      expect(parseRtcpPackets(Uint8Array.from(bytes))).toBeUndefined();
    });
  }

  it('the view stops at the malformed packet and flags it', () => {
    const v = new RtcpCompoundView();
    v.wrap(Uint8Array.from([0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 42, 0x80, 0xc9, 0x00, 0x05, 0, 0, 0, 1]));
    expect(v.next()).toBe(true);
    expect(v.packetType).toBe(201);
    expect(v.senderSsrc).toBe(42);
    expect(v.mediaSsrc).toBe(-1);
    expect(v.next()).toBe(false);
    expect(v.malformed).toBe(true);
    expect(v.next()).toBe(false);
  });

  it('isRtcp tells RTCP from RTP on a muxed port (RFC 5761)', () => {
    expect(isRtcp(Uint8Array.of(0x80, 0xc8, 0, 0))).toBe(true);
    expect(isRtcp(Uint8Array.of(0x80, 0x60, 0, 0))).toBe(false); // RTP PT 96
    expect(isRtcp(Uint8Array.of(0x80, 0xe0, 0, 0))).toBe(false); // RTP PT 96 with marker
    expect(isRtcp(Uint8Array.of(0x80, 0xc8, 0))).toBe(false);
  });

  // The second byte read whole: [marker bit][7-bit payload type] for RTP, the packet type for RTCP.
  it.each([
    [63, false, 'RTP PT 63, M=0'],
    [64, false, 'RTP PT 64, M=0 (not RTCP: the marker bit is part of the byte)'],
    [95, false, 'RTP PT 95, M=0'],
    [96, false, 'RTP PT 96, M=0'],
    [191, false, 'RTP PT 63, M=1'],
    [192, true, 'RTCP 192 (= RTP PT 64, M=1)'],
    [200, true, 'RTCP SR'],
    [223, true, 'RTCP 223 (= RTP PT 95, M=1)'],
    [224, false, 'RTP PT 96, M=1'],
  ])('isRtcpPacketType(%i) is %s: %s', (byte, rtcp) => {
    expect(isRtcpPacketType(byte)).toBe(rtcp);
    expect(isRtcp(Uint8Array.of(0x80, byte, 0, 1))).toBe(rtcp);
  });
});

describe('RtcpCompoundView', () => {
  it('walks a compound packet without allocating per packet', () => {
    const buf = Uint8Array.from(rows[rows.length - 1].bytes);
    const v = new RtcpCompoundView();
    v.wrap(buf);
    const seen: [number, number, number, number][] = [];
    while (v.next()) seen.push([v.packetType, v.count, v.offset, v.bodyLength]);
    expect(v.malformed).toBe(false);
    expect(seen).toEqual([
      [201, 0, 0, 4],
      [202, 1, 8, 12],
      [209, 0, 24, 4],
      [206, 2, 32, 8],
      [206, 1, 44, 8],
    ]);
  });

  it('excludes padding from the body', () => {
    const v = new RtcpCompoundView();
    v.wrap(Uint8Array.from(rows.find((r) => r.name.startsWith('transport-cc'))!.bytes));
    expect(v.next()).toBe(true);
    expect(v.packetLength).toBe(32);
    expect(v.bodyLength).toBe(25);
  });
});

describe('generic NACK lists', () => {
  it('packs and unpacks sequence numbers', () => {
    const lost = [65530, 65531, 65535, 0, 10, 11, 30];
    const pairs = nackPairsFromSequenceNumbers(lost);
    expect(pairs).toEqual([
      { pid: 65530, blp: 0b1000_0000_0011_0001 }, // +1, +5 (65535), +6 (0), +16 (10)
      { pid: 11, blp: 0 }, // +17: a new pair
      { pid: 30, blp: 0 },
    ]);
    expect(sequenceNumbersFromNackPairs(pairs)).toEqual(lost);
  });

  it('reads pairs straight from the view', () => {
    const v = new RtcpCompoundView();
    v.wrap(Uint8Array.from(rows.find((r) => r.name.startsWith('generic NACK'))!.bytes));
    expect(v.next()).toBe(true);
    const n = nackPairCount(v.bodyLength);
    expect(n).toBe(2);
    const pairs = Array.from({ length: n }, (_, i) => [nackPid(v.buffer, v.bodyOffset, i), nackBlp(v.buffer, v.bodyOffset, i)]);
    expect(pairs).toEqual([
      [100, 0x8005],
      [65535, 0x0001],
    ]);
    expect(nackPairCount(8)).toBe(0);
  });

  it('ignores a repeated PID', () => {
    expect(nackPairsFromSequenceNumbers([5, 5, 6])).toEqual([{ pid: 5, blp: 1 }]);
  });
});

describe('transport-cc', () => {
  // Status chunk examples of draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3, §3.1.4.
  it('encodes the draft examples', () => {
    expect(encodeTwccChunks(new Array(221).fill(0))).toEqual([0x00dd]);
    expect(encodeTwccChunks([0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0])).toEqual([0x9f1c]);
    expect(encodeTwccChunks([0, 3, 1, 1, 1, 0, 0])).toEqual([0xcd50]);
    expect(encodeTwccChunks(new Array(24).fill(3))).toEqual([0x6018]);
    expect(encodeTwccChunks(new Array(9000).fill(1))).toEqual([0x3fff, 0x2000 | (9000 - 8191)]);
  });

  it('rejects the reserved symbol 3 (pion example2), as libwebrtc does; parses the same without it', () => {
    // libwebrtc's TransportFeedback::Parse fails on delta size 3 and never sends it; treating it as
    // "received, no delta" would let a run-length chunk list 8,191 received packets in 2 bytes.
    const b = Uint8Array.from([
      0xfa, 0x17, 0xfa, 0x17, // sender SSRC
      0x19, 0x3d, 0xd8, 0xbb, // media SSRC
      0x01, 0x74, 0x00, 0x0e, // base seq=372, status count=14
      0x45, 0xb1, 0x5a, 0x40, // reference time=4567386, fb pkt count=64
      0xd8, 0x00, // 2-bit vector: 1 2 0 0 0 0 0
      0xf0, 0xff, // 2-bit vector: 3 0 0 3 3 3 3
      0xd0, // small delta 208 × 250 µs
      0x00, 0x00, // large delta 0
    ]);
    expect(parseTransportCc(b, 0, b.length)).toBeUndefined();
    b[18] = 0xc0; // second vector: 0 0 0 0 0 0 0
    b[19] = 0x00;
    const p = parseTransportCc(b, 0, b.length)!;
    expect(p.baseSequenceNumber).toBe(372);
    expect(p.referenceTime).toBe(4567386);
    expect(p.fbPktCount).toBe(64);
    expect(p.packetStatusCount).toBe(14);
    expect(p.received).toEqual([
      { offset: 0, deltaUs: 52000 },
      { offset: 1, deltaUs: 0 },
    ]);
  });

  it('parses large deltas (pion example3) and round-trips them, negative too', () => {
    // pion's vector sets P with a padding count of 0, which RFC 3550 (and libwebrtc) reject as a
    // packet, so its body is parsed directly: two run-length chunks (large ×2, small ×4), six deltas.
    const body = Uint8Array.from([
      0xfa, 0x17, 0xfa, 0x17, // sender SSRC
      0x19, 0x3d, 0xd8, 0xbb, // media SSRC
      0x01, 0x74, 0x00, 0x06, // base seq=372, status count=6
      0x45, 0xb1, 0x5a, 0x40, // reference time, fb pkt count
      0x40, 0x02, // run-length: large delta × 2
      0x20, 0x04, // run-length: small delta × 4
      0x1f, 0xfe, 0x1f, 0x9a, // large deltas 8190, 8090 (× 250 µs)
      0xd0, 0x00, 0xd0, 0x00, // small deltas 208, 0, 208, 0
    ]);
    expect(parseRtcpPackets(Uint8Array.from([0xaf, 0xcd, 0x00, 0x07, ...body]))).toBeUndefined();
    const p = parseTransportCc(body, 0, body.length)!;
    expect(p.received.map((x) => x.deltaUs)).toEqual([2047500, 2022500, 52000, 0, 52000, 0]);
    expect(parseRtcpPackets(serializeRtcpPacket(p))).toEqual([p]);
    const neg = {
      ...p,
      packetStatusCount: 2,
      received: [{ offset: 0, deltaUs: -8192000 }],
    } as RtcpPacket;
    expect(parseRtcpPackets(serializeRtcpPacket(neg))).toEqual([neg]);
  });

  it('sdesCname finds the CNAME', () => {
    const [p] = parseRtcpPackets(Uint8Array.from(rows[3].bytes))!;
    expect(p.kind === 'sdes' && sdesCname(p)).toBe('abcdefghijklmnop');
  });
});
