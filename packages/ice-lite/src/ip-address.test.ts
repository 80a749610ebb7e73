import { describe, expect, it } from 'vitest';
import { readIpv4, readIpv6, writeIpAddress } from './ip-address.js';

describe('writeIpAddress / readIpv4 / readIpv6', () => {
  const rows: { text: string; family: 0 | 4 | 6; bytes?: string; back?: string }[] = [
    { text: '192.0.2.1', family: 4, bytes: 'c0000201' },
    { text: '0.0.0.0', family: 4, bytes: '00000000' },
    { text: '255.255.255.255', family: 4, bytes: 'ffffffff' },
    { text: '::', family: 6, bytes: '0'.repeat(32) },
    { text: '::1', family: 6, bytes: `${'0'.repeat(30)}01` },
    { text: '2001:db8::20', family: 6, bytes: '20010db8000000000000000000000020' },
    {
      text: '2001:db8:1234:5678:11:2233:4455:6677',
      family: 6,
      bytes: '20010db81234567800112233445566 77'.replace(' ', ''),
    },
    { text: 'fe80::1%eth0', family: 6, bytes: 'fe800000000000000000000000000001', back: 'fe80::1' },
    {
      text: '::ffff:192.0.2.1',
      family: 6,
      bytes: '00000000000000000000ffffc0000201',
      back: '::ffff:c000:201',
    },
    { text: '1::', family: 6, bytes: `0001${'0'.repeat(28)}` },
    { text: 'FD00::2', family: 6, bytes: `fd00${'0'.repeat(26)}02`, back: 'fd00::2' },
    { text: '256.0.0.1', family: 0 },
    { text: '1.2.3', family: 0 },
    { text: '1.2.3.4.5', family: 0 },
    { text: '1..2.3', family: 0 },
    { text: 'a.b.c.d', family: 0 },
    { text: '', family: 0 },
    { text: '1:2:3:4:5:6:7:8:9', family: 0 },
    { text: '1::2::3', family: 0 },
    { text: '12345::', family: 0 },
    { text: '1:2:3:4:5:6:7', family: 0 },
    { text: ':1', family: 0 },
    { text: '1:', family: 0 },
    { text: 'g::1', family: 0 },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.text)} → ${row.family || 'rejected'}`, () => {
      const out = new Uint8Array(20);
      expect(writeIpAddress(row.text, out, 2)).toBe(row.family);
      if (row.family === 0 || !row.bytes) return;
      const n = row.family === 4 ? 4 : 16;
      expect(Buffer.from(out.subarray(2, 2 + n)).toString('hex')).toBe(row.bytes);
      const back = row.family === 4 ? readIpv4(out, 2) : readIpv6(out, 2);
      expect(back).toBe(row.back ?? row.text);
    });
  }
});
