import { describe, expect, it } from 'vitest';
import { rtpHeaderLength } from './rtp-header.js';

describe('rtpHeaderLength', () => {
  const rows: { name: string; bytes: number[]; want: number }[] = [
    {
      name: 'fixed header only',
      // V=2 P=0 X=0 CC=0 | M=0 PT=96 | seq=1 | ts=0 | ssrc=0x01020304
      bytes: [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 1, 2, 3, 4],
      want: 12,
    },
    {
      name: 'two CSRCs',
      bytes: [0x82, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 5, 0, 0, 0, 6],
      want: 20,
    },
    {
      name: 'one-byte extension of one word',
      // X=1 | profile 0xBEDE, length 1 | id=1 len=0 value=0x07, padding
      bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0xbe, 0xde, 0, 1, 0x10, 0x07, 0, 0],
      want: 20,
    },
    { name: 'too short', bytes: [0x80, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3], want: -1 },
    { name: 'bad version', bytes: [0x40, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4], want: -1 },
    { name: 'CSRC count overruns', bytes: [0x81, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4], want: -1 },
    {
      name: 'extension length overruns',
      bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0xbe, 0xde, 0, 2, 0x10, 0x07, 0, 0],
      want: -1,
    },
    {
      name: 'extension header cut short',
      bytes: [0x90, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0xbe, 0xde],
      want: -1,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(rtpHeaderLength(Uint8Array.from(row.bytes))).toBe(row.want);
    });
  }

  it('honours a length shorter than the buffer', () => {
    const buf = Uint8Array.from([0x82, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 5, 0, 0, 0, 6]);
    expect(rtpHeaderLength(buf, 16)).toBe(-1);
    expect(rtpHeaderLength(buf, 20)).toBe(20);
  });
});
