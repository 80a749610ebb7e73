// biome-ignore-all format: byte arrays are annotated field by field, one line per field
import { describe, expect, it } from 'vitest';
import { parseRtpPacket, serializeRtpPacket } from './rtp-packet.js';
import { createExtensionIdTable, RtpExtensionForm, RtpPacketView } from './rtp-packet-view.js';

interface Row {
  name: string;
  bytes: number[];
  want?: {
    marker: boolean;
    payloadType: number;
    sequenceNumber: number;
    timestamp: number;
    ssrc: number;
    csrcs: number[];
    form: RtpExtensionForm;
    extensions: [id: number, value: number[]][];
    payloadOffset: number;
    payload: number[];
    paddingLength: number;
  };
}

// Byte arrays annotated field by field; rows without `want` must fail to wrap.
const rows: Row[] = [
  {
    name: 'fixed header and payload',
    bytes: [
      0x80, // V=2 P=0 X=0 CC=0
      0xe0, // M=1 PT=96
      0x12, 0x34, // seq=0x1234
      0x00, 0x01, 0x5f, 0x90, // ts=90000
      0xde, 0xad, 0xbe, 0xef, // ssrc
      0xaa, 0xbb, 0xcc, // payload
    ],
    want: {
      marker: true,
      payloadType: 96,
      sequenceNumber: 0x1234,
      timestamp: 90000,
      ssrc: 0xdeadbeef,
      csrcs: [],
      form: RtpExtensionForm.None,
      extensions: [],
      payloadOffset: 12,
      payload: [0xaa, 0xbb, 0xcc],
      paddingLength: 0,
    },
  },
  {
    name: 'two CSRCs, padding of 3',
    bytes: [
      0xa2, // V=2 P=1 X=0 CC=2
      0x6f, // M=0 PT=111
      0xff, 0xff, // seq=65535
      0xff, 0xff, 0xff, 0xff, // ts=2^32-1
      0x00, 0x00, 0x00, 0x01, // ssrc=1
      0x00, 0x00, 0x00, 0x02, // csrc[0]=2
      0x80, 0x00, 0x00, 0x03, // csrc[1]=0x80000003
      0x01, // payload
      0x00, 0x00, 0x03, // padding, count=3
    ],
    want: {
      marker: false,
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 1,
      csrcs: [2, 0x80000003],
      form: RtpExtensionForm.None,
      extensions: [],
      payloadOffset: 20,
      payload: [0x01],
      paddingLength: 3,
    },
  },
  {
    name: 'one-byte extensions with inner padding and a 16-byte element',
    bytes: [
      0x90, // V=2 X=1
      0x60, // PT=96
      0x00, 0x01, // seq=1
      0x00, 0x00, 0x00, 0x02, // ts=2
      0x00, 0x00, 0x00, 0x03, // ssrc=3
      0xbe, 0xde, 0x00, 0x06, // one-byte profile, 6 words
      0x10, 0x41, // id=1 L=0: 'A'
      0x00, // padding between elements
      0x32, 0x01, 0x02, 0x03, // id=3 L=2: 01 02 03
      0x5f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // id=5 L=15: 16 bytes, block ends on the word
      0x09, // payload
    ],
    want: {
      marker: false,
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrcs: [],
      form: RtpExtensionForm.OneByte,
      extensions: [
        [1, [0x41]],
        [3, [1, 2, 3]],
        [5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]],
      ],
      payloadOffset: 40,
      payload: [0x09],
      paddingLength: 0,
    },
  },
  {
    name: 'one-byte extension stops at reserved id 15',
    bytes: [
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, // header, X=1
      0xbe, 0xde, 0x00, 0x01, // one word
      0x20, 0x07, // id=2 L=0: 07
      0xf3, 0xff, // id=15: stop, the rest is ignored
      0x42, // payload
    ],
    want: {
      marker: false,
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrcs: [],
      form: RtpExtensionForm.OneByte,
      extensions: [[2, [0x07]]],
      payloadOffset: 20,
      payload: [0x42],
      paddingLength: 0,
    },
  },
  {
    name: 'two-byte extensions: empty value and id above 14',
    bytes: [
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, // header, X=1
      0x10, 0x00, 0x00, 0x02, // two-byte profile (app bits 0), 2 words
      0x07, 0x00, // id=7 len=0
      0xc8, 0x03, 0x0a, 0x0b, 0x0c, // id=200 len=3
      0x00, // padding
    ],
    want: {
      marker: false,
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrcs: [],
      form: RtpExtensionForm.TwoByte,
      extensions: [
        [7, []],
        [200, [0x0a, 0x0b, 0x0c]],
      ],
      payloadOffset: 24,
      payload: [],
      paddingLength: 0,
    },
  },
  {
    name: 'extension of another profile is opaque',
    bytes: [
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, // header, X=1
      0xab, 0xcd, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, // profile 0xABCD, 1 word
      0x55, // payload
    ],
    want: {
      marker: false,
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrcs: [],
      form: RtpExtensionForm.Other,
      extensions: [],
      payloadOffset: 20,
      payload: [0x55],
      paddingLength: 0,
    },
  },
  // Error rows
  { name: 'empty', bytes: [] },
  { name: 'too short (11 bytes)', bytes: [0x80, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0] },
  { name: 'bad version 1', bytes: [0x40, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3] },
  { name: 'bad version 0', bytes: [0x00, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3] },
  { name: 'CSRC count overruns', bytes: [0x83, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4] },
  { name: 'extension header cut short', bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0] },
  {
    name: 'extension block overruns the packet',
    bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x02, 0x10, 0x01, 0, 0],
  },
  {
    name: 'one-byte element overruns the block',
    // block of 1 word, element id=1 L=4 (5 bytes) does not fit in 4
    bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x01, 0x14, 1, 2, 3, 9, 9],
  },
  {
    name: 'two-byte element overruns the block',
    bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0x00, 0x01, 0x01, 0x05, 1, 2, 9, 9],
  },
  {
    name: 'two-byte element header cut by the block end',
    bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0x01],
  },
  { name: 'padding bit with count 0', bytes: [0xa0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x01, 0x00] },
  { name: 'padding count beyond payload', bytes: [0xa0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x01, 0x03] },
  { name: 'padding bit but no payload byte', bytes: [0xa0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3] },
  {
    // Found by test/reliability/rtp-rtcp.test.ts: an element with id 0 came out of the parser
    // and serializeRtpPacket then threw RangeError on it.
    name: 'one-byte extension stops at id 0 with a non-zero length (only the byte 0 is padding)',
    bytes: [
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, // header, X=1
      0xbe, 0xde, 0x00, 0x01, // one word
      0x20, 0x07, // id=2 L=0: 07
      0x01, 0xff, // id=0 L=1: not padding, stop here
      0x42, // payload
    ],
    want: {
      marker: false,
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      csrcs: [],
      form: RtpExtensionForm.OneByte,
      extensions: [[2, [0x07]]],
      payloadOffset: 20,
      payload: [0x42],
      paddingLength: 0,
    },
  },
];

describe('RtpPacketView.wrap', () => {
  const view = new RtpPacketView();
  for (const row of rows) {
    it(row.name, () => {
      const buf = Uint8Array.from(row.bytes);
      const ok = view.wrap(buf);
      if (!row.want) {
        expect(ok).toBe(false);
        expect(parseRtpPacket(buf)).toBeUndefined();
        return;
      }
      expect(ok).toBe(true);
      const w = row.want;
      expect(view.version).toBe(2);
      expect(view.marker).toBe(w.marker);
      expect(view.payloadType).toBe(w.payloadType);
      expect(view.sequenceNumber).toBe(w.sequenceNumber);
      expect(view.timestamp).toBe(w.timestamp);
      expect(view.ssrc).toBe(w.ssrc);
      expect(Array.from({ length: view.csrcCount }, (_, i) => view.csrc(i))).toEqual(w.csrcs);
      expect(view.extensionForm).toBe(w.form);
      const exts: [number, number[]][] = [];
      for (let i = 0; i < view.extensionCount; i++) {
        const o = view.extensionValueOffsets[i];
        exts.push([view.extensionIds[i], Array.from(buf.subarray(o, o + view.extensionValueLengths[i]))]);
      }
      expect(exts).toEqual(w.extensions);
      expect(view.payloadOffset).toBe(w.payloadOffset);
      expect(Array.from(buf.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength))).toEqual(
        w.payload,
      );
      expect(view.paddingLength).toBe(w.paddingLength);
      expect(view.padding).toBe(w.paddingLength > 0);
    });
  }

  it('honours a length shorter than the buffer and refuses one longer', () => {
    const buf = Uint8Array.from(rows[0].bytes);
    expect(view.wrap(buf, 13)).toBe(true);
    expect(view.payloadLength).toBe(1);
    expect(view.wrap(buf, buf.length + 1)).toBe(false);
    expect(view.wrap(buf, 11)).toBe(false);
    expect(view.wrap(buf, Number.NaN)).toBe(false);
    expect(view.wrap(buf, -1)).toBe(false);
  });

  it('is reusable: a failed wrap leaves no extensions behind', () => {
    expect(view.wrap(Uint8Array.from(rows[2].bytes))).toBe(true);
    expect(view.extensionCount).toBe(3);
    expect(view.wrap(Uint8Array.from(rows[12].bytes))).toBe(false);
    expect(view.extensionCount).toBe(0);
    expect(view.findExtension(1)).toBe(-1);
  });

  it('refuses more elements than MAX_EXTENSION_ELEMENTS', () => {
    const exts = Array.from({ length: 40 }, () => ({ id: 1, value: Uint8Array.of(0) }));
    expect(
      view.wrap(
        serializeRtpPacket({ payloadType: 1, sequenceNumber: 1, timestamp: 1, ssrc: 1, extensions: exts }),
      ),
    ).toBe(false);
  });
});

describe('RtpPacketView setters', () => {
  it('rewrite PT, marker, seq, ts and SSRC in place and touch nothing else', () => {
    const buf = Uint8Array.from(rows[2].bytes);
    const before = Uint8Array.from(buf);
    const v = new RtpPacketView();
    expect(v.wrap(buf)).toBe(true);
    v.payloadType = 127;
    v.marker = true;
    v.sequenceNumber = 0xfedc;
    v.timestamp = 0x89abcdef;
    v.ssrc = 0xfffffffe;
    expect(Array.from(buf.subarray(0, 12))).toEqual([
      0x90, 0xff, 0xfe, 0xdc, 0x89, 0xab, 0xcd, 0xef, 0xff, 0xff, 0xff, 0xfe,
    ]);
    expect(Array.from(buf.subarray(12))).toEqual(Array.from(before.subarray(12)));
    v.marker = false;
    expect(v.payloadType).toBe(127);
    expect(buf[1]).toBe(0x7f);
    v.payloadType = 0;
    expect(v.marker).toBe(false);
    expect(buf[1]).toBe(0);
  });
});

describe('RtpPacketView.copyTo', () => {
  it('copies exactly the wrapped length, or refuses a small buffer', () => {
    const src = new Uint8Array(64).fill(0xee);
    src.set(rows[0].bytes);
    const v = new RtpPacketView();
    expect(v.wrap(src, rows[0].bytes.length)).toBe(true);
    const out = new Uint8Array(32);
    expect(v.copyTo(out)).toBe(15);
    expect(Array.from(out.subarray(0, 15))).toEqual(rows[0].bytes);
    expect(out[15]).toBe(0);
    expect(v.copyTo(new Uint8Array(14))).toBe(-1);
  });
});

describe('RtpPacketView header extensions', () => {
  const v = new RtpPacketView();
  it('finds values by id without copying', () => {
    const buf = Uint8Array.from(rows[2].bytes);
    v.wrap(buf);
    expect(v.extensionOffset(3)).toBe(20);
    expect(v.extensionLength(3)).toBe(3);
    expect(v.extensionOffset(2)).toBe(-1);
    expect(v.extensionLength(2)).toBe(-1);
    expect(Array.from(v.extensionValue(1)!)).toEqual([0x41]);
    expect(v.extensionValue(4)).toBeUndefined();
  });

  it('overwrites a value of the same length only', () => {
    const buf = Uint8Array.from(rows[2].bytes);
    v.wrap(buf);
    expect(v.setExtensionValue(3, Uint8Array.of(7, 8, 9))).toBe(true);
    expect(Array.from(buf.subarray(20, 23))).toEqual([7, 8, 9]);
    expect(v.setExtensionValue(3, Uint8Array.of(7, 8))).toBe(false);
    expect(v.setExtensionValue(9, Uint8Array.of(7))).toBe(false);
  });

  it('remaps ids and drops unmapped ones in the one-byte form, keeping the payload in place', () => {
    const buf = Uint8Array.from(rows[2].bytes);
    v.wrap(buf);
    v.remapExtensions(
      createExtensionIdTable([
        [3, 14],
        [5, 2],
      ]),
    ); // id 1 not negotiated: dropped
    expect(Array.from(buf.subarray(12, 41))).toEqual([
      0xbe, 0xde, 0x00, 0x06, // block header unchanged
      0xe2, 0x01, 0x02, 0x03, // id=14 L=2 (was id 3, moved to the front)
      0x2f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, // id=2 L=15 (was id 5)
      0, 0, 0, // padding where the dropped element and gaps were
      0x09, // payload unchanged
    ]);
    expect(v.extensionCount).toBe(2);
    expect(v.extensionOffset(14)).toBe(17);
    // The rewritten packet parses to the same thing.
    const again = new RtpPacketView();
    expect(again.wrap(buf)).toBe(true);
    expect(again.extensionCount).toBe(2);
    expect(Array.from(again.extensionValue(2)!)).toHaveLength(16);
  });

  it('drops ids above 14 in the one-byte form and remaps in the two-byte form', () => {
    const one = Uint8Array.from(rows[2].bytes);
    v.wrap(one);
    v.remapExtensions(
      createExtensionIdTable([
        [1, 1],
        [3, 20],
        [5, 5],
      ]),
    );
    expect(Array.from({ length: v.extensionCount }, (_, i) => v.extensionIds[i])).toEqual([1, 5]);
    const two = Uint8Array.from(rows[4].bytes);
    v.wrap(two);
    v.remapExtensions(createExtensionIdTable([[200, 100]]));
    expect(Array.from(two.subarray(16, 24))).toEqual([
      0x64, 0x03, 0x0a, 0x0b, 0x0c, // id=100 len=3, moved to the front
      0, 0, 0, // padding
    ]);
  });

  it('rejects bad mapping tables', () => {
    expect(() => createExtensionIdTable([[0, 1]])).toThrow(RangeError);
    expect(() => createExtensionIdTable([[1, 256]])).toThrow(RangeError);
  });
});

describe('serializeRtpPacket / parseRtpPacket', () => {
  it('builds the one-byte form when it fits, byte for byte', () => {
    const out = serializeRtpPacket({
      payloadType: 96,
      sequenceNumber: 1,
      timestamp: 2,
      ssrc: 3,
      marker: true,
      extensions: [{ id: 1, value: Uint8Array.of(0x41) }],
      payload: Uint8Array.of(9),
      paddingLength: 2,
    });
    expect(Array.from(out)).toEqual([
      0xb0, 0xe0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // V=2 P=1 X=1, M=1 PT=96
      0xbe, 0xde, 0x00, 0x01, 0x10, 0x41, 0x00, 0x00, // one-byte block
      0x09, // payload
      0x00, 0x02, // padding
    ]);
  });

  it('falls back to the two-byte form for ids above 14 or values over 16 bytes', () => {
    for (const ext of [
      { id: 15, value: Uint8Array.of(1) },
      { id: 2, value: new Uint8Array(17) },
      { id: 2, value: new Uint8Array(0) },
    ]) {
      const p = parseRtpPacket(
        serializeRtpPacket({ payloadType: 1, sequenceNumber: 1, timestamp: 1, ssrc: 1, extensions: [ext] }),
      )!;
      expect(p.extensionProfile).toBe(0x1000);
      expect(p.extensions).toEqual([{ id: ext.id, value: ext.value }]);
    }
  });

  it('round-trips every field', () => {
    const fields = {
      payloadType: 100,
      sequenceNumber: 65000,
      timestamp: 4000000000,
      ssrc: 0x80000000,
      marker: false,
      csrcs: [1, 0xffffffff],
      extensions: [
        { id: 3, value: Uint8Array.of(1, 2) },
        { id: 9, value: Uint8Array.of(3) },
      ],
      payload: Uint8Array.of(5, 6, 7),
      paddingLength: 4,
    };
    const p = parseRtpPacket(serializeRtpPacket(fields))!;
    expect(p).toEqual({ ...fields, extensionProfile: 0xbede });
  });

  it('rejects fields it cannot encode', () => {
    const base = { payloadType: 1, sequenceNumber: 1, timestamp: 1, ssrc: 1 };
    expect(() => serializeRtpPacket({ ...base, csrcs: new Array(16).fill(1) })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, paddingLength: 256 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, extensions: [{ id: 0, value: Uint8Array.of(1) }] })).toThrow(
      RangeError,
    );
  });
});
