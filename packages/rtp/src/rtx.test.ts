// biome-ignore-all format: byte arrays are annotated field by field, one line per field
import { describe, expect, it } from 'vitest';
import { RtpPacketView } from './rtp-packet-view.js';
import { unwrapRtx, wrapRtx } from './rtx.js';

const original = [
  0xb0, // V=2 P=1 X=1 CC=0
  0xe0, // M=1 PT=96
  0x12, 0x34, // seq=0x1234
  0x01, 0x02, 0x03, 0x04, // ts
  0x0a, 0x0b, 0x0c, 0x0d, // ssrc
  0xbe, 0xde, 0x00, 0x01, // one-byte extension block, 1 word
  0x10, 0x33, 0x00, 0x00, // id=1 L=0 value 0x33, padding
  0xde, 0xad, // payload
  0x00, 0x02, // padding, count=2
];
// RTX (RFC 4588 §4) of it as PT=97, seq=7, ssrc=0xcafebabe:
const rtx = [
  0x90, // V=2 P=0 (padding dropped) X=1
  0xe1, // M=1 kept, PT=97
  0x00, 0x07, // RTX seq=7
  0x01, 0x02, 0x03, 0x04, // ts kept
  0xca, 0xfe, 0xba, 0xbe, // RTX ssrc
  0xbe, 0xde, 0x00, 0x01, // extension block kept
  0x10, 0x33, 0x00, 0x00,
  0x12, 0x34, // OSN
  0xde, 0xad, // original payload
];

describe('RTX', () => {
  const v = new RtpPacketView();
  it('wraps: header kept, RTX PT/SSRC/seq, OSN first, padding dropped', () => {
    expect(v.wrap(Uint8Array.from(original))).toBe(true);
    const out = new Uint8Array(64);
    const n = wrapRtx(v, out, 97, 0xcafebabe, 7);
    expect(Array.from(out.subarray(0, n))).toEqual(rtx);
  });

  it('unwraps back to the original without its padding', () => {
    expect(v.wrap(Uint8Array.from(rtx))).toBe(true);
    const out = new Uint8Array(64);
    const n = unwrapRtx(v, out, 96, 0x0a0b0c0d);
    const want = original.slice(0, 22);
    want[0] = 0x90; // P cleared
    expect(Array.from(out.subarray(0, n))).toEqual(want);
  });

  it('works in place in the same buffer', () => {
    const buf = new Uint8Array(64);
    buf.set(original);
    expect(v.wrap(buf, original.length)).toBe(true);
    const n = wrapRtx(v, buf, 97, 0xcafebabe, 7);
    expect(Array.from(buf.subarray(0, n))).toEqual(rtx);
    expect(v.wrap(buf, n)).toBe(true);
    const m = unwrapRtx(v, buf, 96, 0x0a0b0c0d);
    expect(m).toBe(22);
    expect((buf[2] << 8) | buf[3]).toBe(0x1234);
  });

  it('refuses a too-small output and an RTX payload without OSN', () => {
    expect(v.wrap(Uint8Array.from(original))).toBe(true);
    expect(wrapRtx(v, new Uint8Array(23), 97, 1, 1)).toBe(-1);
    // padding-only RTX probe: header + 1 byte of padding content, P=1
    const probe = Uint8Array.from([0xa0, 0x61, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x04]);
    expect(v.wrap(probe)).toBe(true);
    expect(unwrapRtx(v, new Uint8Array(64), 96, 1)).toBe(-1);
    expect(v.wrap(Uint8Array.from(rtx))).toBe(true);
    expect(unwrapRtx(v, new Uint8Array(21), 96, 1)).toBe(-1);
  });
});
