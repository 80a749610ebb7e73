import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

// RFC 3720 §B.4 "CRC Examples". The RFC lists the CRC bytes as they appear on
// the wire (little-endian), so 0xaa36918a reads "8a 91 36 aa".
const iscsiReadCommand = Buffer.from(
  '01c00000' + // opcode, flags
    '00000000' +
    '00000000' +
    '00000000' +
    '14000000' + // initiator task tag
    '00000400' + // expected data transfer length
    '00000014' + // CmdSN
    '00000018' + // ExpStatSN
    '28000000' + // CDB: READ(10)
    '00000000' +
    '02000000' +
    '00000000',
  'hex',
);

const vectors: Array<{ name: string; data: Uint8Array; wire: string }> = [
  { name: '32 bytes of zeros', data: new Uint8Array(32), wire: 'aa36918a' },
  { name: '32 bytes of 0xff', data: new Uint8Array(32).fill(0xff), wire: '43aba862' },
  {
    name: '32 incrementing bytes 00..1f',
    data: Uint8Array.from({ length: 32 }, (_, i) => i),
    wire: '4e79dd46',
  },
  {
    name: '32 decrementing bytes 1f..00',
    data: Uint8Array.from({ length: 32 }, (_, i) => 31 - i),
    wire: '5cdb3f11',
  },
  { name: 'iSCSI SCSI Read (10) command PDU', data: iscsiReadCommand, wire: '563a96d9' },
  // The classic check value of CRC-32C over ASCII "123456789".
  { name: '"123456789" check value', data: Buffer.from('123456789'), wire: '839206e3' },
  { name: 'empty input', data: new Uint8Array(0), wire: '00000000' },
];

describe('crc32c', () => {
  it.each(vectors)('$name', ({ data, wire }) => {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(crc32c(data), 0);
    expect(out.toString('hex')).toBe(wire);
  });

  it('matches a bytewise reference on every length 0..40 and on offsets', () => {
    const ref = (b: Uint8Array): number => {
      let c = -1;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      }
      return ~c >>> 0;
    };
    const buf = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
    for (let len = 0; len <= 40; len++) {
      expect(crc32c(buf, 0, len)).toBe(ref(buf.subarray(0, len)));
      expect(crc32c(buf, 3, 3 + len)).toBe(ref(buf.subarray(3, 3 + len)));
    }
  });

  it('skipChecksumField computes over bytes 8..12 as zeros', () => {
    const pkt = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
    const zeroed = pkt.slice();
    zeroed.fill(0, 8, 12);
    expect(crc32c(pkt, 0, pkt.length, true)).toBe(crc32c(zeroed));
    expect(crc32c(pkt, 0, pkt.length, true)).not.toBe(crc32c(pkt));
  });
});
