import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  const rows: { name: string; input: Uint8Array; want: number }[] = [
    // The standard check value of CRC-32/ISO-HDLC.
    { name: 'check string "123456789"', input: new TextEncoder().encode('123456789'), want: 0xcbf43926 },
    { name: 'empty input', input: new Uint8Array(0), want: 0 },
    { name: 'one zero byte', input: Uint8Array.of(0), want: 0xd202ef8d },
    {
      name: 'matches zlib-style reference for "The quick brown fox jumps over the lazy dog"',
      input: new TextEncoder().encode('The quick brown fox jumps over the lazy dog'),
      want: 0x414fa339,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(crc32(row.input)).toBe(row.want);
    });
  }

  it('honours start and end', () => {
    const buf = new TextEncoder().encode('xx123456789yy');
    expect(crc32(buf, 2, 11)).toBe(0xcbf43926);
  });
});
