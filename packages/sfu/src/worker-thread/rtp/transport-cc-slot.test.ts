/**
 * The transport-cc slot added to packets whose producer did not negotiate it:
 * table rows of header shapes (no extension, one-byte form with padding,
 * two-byte form, CSRCs, RTP padding), each checked by parsing the result —
 * the new element is found with value 0, every other element, the payload and
 * the padding are unchanged.
 */
import { RtpPacketView } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { copyWithTransportCcSlot, transportCcSlotId } from './transport-cc-slot.js';

/** An RTP packet: `csrcs` CSRCs, an extension block (profile + raw bytes, a multiple of 4) or none, payload, RTP padding. */
function packet(o: {
  csrcs?: number;
  ext?: [number, number[]];
  payload: number[];
  padding?: number;
}): Buffer {
  const csrcs = o.csrcs ?? 0;
  const ext = o.ext ? [o.ext[0] >> 8, o.ext[0] & 0xff, 0, o.ext[1].length / 4, ...o.ext[1]] : [];
  const pad = o.padding ? [...Array.from({ length: o.padding - 1 }, () => 0), o.padding] : [];
  const b = Buffer.from([
    0x80 | (o.padding ? 0x20 : 0) | (o.ext ? 0x10 : 0) | csrcs,
    96,
    0x12,
    0x34,
    0,
    0,
    0x10,
    0,
    0xca,
    0xfe,
    0xba,
    0xbe,
    ...Array.from({ length: csrcs * 4 }, (_, i) => i + 1),
    ...ext,
    ...o.payload,
    ...pad,
  ]);
  return b;
}

const view = (b: Buffer, n = b.length) => {
  const v = new RtpPacketView();
  expect(v.wrap(b, n)).toBe(true);
  return v;
};

/** Each element as `id:hex value`. */
const elements = (v: RtpPacketView) =>
  Array.from({ length: v.extensionCount }, (_, i) => {
    const o = v.extensionValueOffsets[i];
    return `${v.extensionIds[i]}:${Buffer.from(v.buffer.subarray(o, o + v.extensionValueLengths[i])).toString('hex')}`;
  });

const rows: Array<{ name: string; src: Buffer; id: number; grows: number }> = [
  { name: 'no extension', src: packet({ payload: [1, 2, 3] }), id: 5, grows: 8 },
  {
    name: 'no extension, 2 CSRCs, RTP padding',
    src: packet({ csrcs: 2, payload: [9, 9], padding: 3 }),
    id: 5,
    grows: 8,
  },
  // mid (id 1, "a") then a padding byte and abs-send-time (id 3, 3 bytes).
  {
    name: 'one-byte form with padding between elements',
    src: packet({ ext: [0xbede, [0x10, 0x61, 0, 0x32, 1, 2, 3, 0]], payload: [7] }),
    id: 5,
    grows: 4,
  },
  // A 20-byte element (id 13) and mid (id 9).
  {
    name: 'two-byte form',
    src: packet({
      ext: [0x1000, [13, 20, ...Array.from({ length: 20 }, (_, i) => i), 9, 1, 0x61, 0, 0, 0]],
      payload: [1, 2],
    }),
    id: 5,
    grows: 4,
  },
];

describe('copyWithTransportCcSlot', () => {
  for (const row of rows) {
    it(`${row.name}: adds element ${row.id} = 0000, keeps the rest`, () => {
      const before = view(row.src);
      const dst = Buffer.alloc(1500, 0xee);
      const n = copyWithTransportCcSlot(before, row.id, dst);
      expect(n).toBe(row.src.length + row.grows);
      const after = view(dst, n);
      expect(elements(after)).toEqual([...elements(before), `${row.id}:0000`]);
      expect(after.findExtension(row.id)).toBeGreaterThanOrEqual(0);
      expect([after.sequenceNumber, after.timestamp, after.ssrc, after.payloadType, after.csrcCount]).toEqual(
        [before.sequenceNumber, before.timestamp, before.ssrc, before.payloadType, before.csrcCount],
      );
      const payload = (v: RtpPacketView) => [
        ...v.buffer.subarray(v.payloadOffset, v.payloadOffset + v.payloadLength),
      ];
      expect(payload(after)).toEqual(payload(before));
      expect(after.paddingLength).toBe(before.paddingLength);
    });
  }

  it('refuses a destination too small and an extension profile of neither form', () => {
    const src = packet({ payload: [1, 2, 3] });
    expect(copyWithTransportCcSlot(view(src), 5, Buffer.alloc(src.length + 7))).toBe(-1);
    const other = packet({ ext: [0xabcd, [1, 2, 3, 4]], payload: [1] });
    expect(copyWithTransportCcSlot(view(other), 5, Buffer.alloc(1500))).toBe(-1);
  });
});

describe('transportCcSlotId', () => {
  it('takes 5 when free, else the lowest free one-byte id, 0 when none is', () => {
    expect(transportCcSlotId([1, 4, 9])).toBe(5);
    expect(transportCcSlotId([5, 1, 2])).toBe(3);
    expect(transportCcSlotId(Array.from({ length: 14 }, (_, i) => i + 1))).toBe(0);
  });
});
