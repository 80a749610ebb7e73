import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ADDRESS_HEADER_LENGTH,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  readAddressHeader,
  writeAddressHeader,
} from './io-protocol.js';

describe('address header (I/O thread ↔ worker, packets of unknown tuples)', () => {
  it.each([
    ['IPv4 UDP', '127.0.0.1', 5000, PROTOCOL_UDP, 0],
    ['IPv6 TCP', '2001:db8::1', 65535, PROTOCOL_TCP, 0xffffffff],
    ['IPv4-mapped', '::ffff:192.0.2.1', 1, PROTOCOL_UDP, 7],
    ['longest IPv6 text (45 chars)', 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', 9, PROTOCOL_TCP, 1],
  ])('round-trips %s', (_name, address, port, protocol, connId) => {
    const buf = Buffer.alloc(ADDRESS_HEADER_LENGTH + 4);
    expect(writeAddressHeader(buf, 0, address, port, protocol, connId)).toBe(true);
    expect(readAddressHeader(buf, 0, buf.length)).toEqual({ address, port, protocol, connId });
  });

  it('writes the documented layout', () => {
    const buf = Buffer.alloc(ADDRESS_HEADER_LENGTH);
    writeAddressHeader(buf, 0, '10.0.0.1', 0x1234, PROTOCOL_TCP, 0x01020304);
    expect([...buf.subarray(0, 16)]).toEqual([
      0x12,
      0x34, // port
      1, // protocol: tcp
      8, // address length
      1,
      2,
      3,
      4, // tcp connection id
      ...Buffer.from('10.0.0.1'), // address, latin1
    ]);
  });

  it('refuses an address that does not fit', () => {
    expect(writeAddressHeader(Buffer.alloc(64), 0, 'x'.repeat(49), 1, PROTOCOL_UDP, 0)).toBe(false);
  });

  it.each([
    ['shorter than the header', Buffer.alloc(ADDRESS_HEADER_LENGTH - 1), ADDRESS_HEADER_LENGTH - 1],
    ['zero address length', Buffer.from([0, 1, 0, 0, ...new Array(52).fill(0)]), ADDRESS_HEADER_LENGTH],
    [
      'address length beyond the header',
      Buffer.from([0, 1, 0, 49, ...new Array(52).fill(0)]),
      ADDRESS_HEADER_LENGTH,
    ],
    [
      'unknown protocol',
      Buffer.from([0, 1, 2, 1, 0, 0, 0, 0, 0x31, ...new Array(47).fill(0)]),
      ADDRESS_HEADER_LENGTH,
    ],
  ])('rejects a record %s', (_name, buf, length) => {
    expect(readAddressHeader(buf, 0, length)).toBeUndefined();
  });

  it('never throws or reads past the record on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const h = readAddressHeader(buf, 0, buf.length);
        if (h) expect(h.address.length).toBeLessThanOrEqual(48);
      }),
    );
  });
});
