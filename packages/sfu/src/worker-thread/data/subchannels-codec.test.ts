import { describe, expect, it } from 'vitest';
import {
  decodeSubchannels,
  encodeSubchannels,
  MALFORMED,
  type SubchannelsMetadata,
} from './subchannels-codec.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const payload = bytes('68656c6c6f'); // "hello"

/** Headers as mediasoup's SubchannelsCodec.hpp lays them out (token, R|I flags, count, fields), then "hello". */
const layouts: Array<{ name: string; meta: SubchannelsMetadata; wire: string }> = [
  {
    name: 'subchannels only',
    meta: { subchannels: [123, 124] },
    wire: 'a5f09cb3d6e1f28c 0002 007b 007c 68656c6c6f',
  },
  {
    name: 'required subchannel only (R flag)',
    meta: { subchannels: [], requiredSubchannel: 666 },
    wire: 'a5f09cb3d6e1f28e 0000 029a 68656c6c6f',
  },
  {
    name: 'ignored subchannel only (I flag)',
    meta: { subchannels: [], ignoredSubchannel: 777 },
    wire: 'a5f09cb3d6e1f28d 0000 0309 68656c6c6f',
  },
  {
    name: 'all three, required before ignored',
    meta: { subchannels: [123], requiredSubchannel: 666, ignoredSubchannel: 777 },
    wire: 'a5f09cb3d6e1f28f 0001 007b 029a 0309 68656c6c6f',
  },
  {
    name: 'order and duplicates kept, extremes of uint16',
    meta: { subchannels: [65535, 0, 65535], requiredSubchannel: 0 },
    wire: 'a5f09cb3d6e1f28e 0003 ffff 0000 ffff 0000 68656c6c6f',
  },
];

describe('subchannels codec (mediasoup SubchannelsCodec wire form)', () => {
  it.each(layouts)('encodes $name byte for byte', ({ meta, wire }) => {
    const out = encodeSubchannels(payload, meta.subchannels, meta.requiredSubchannel, meta.ignoredSubchannel);
    expect(hex(out)).toBe(wire.replace(/\s+/g, ''));
  });

  it.each(layouts)('round-trips $name', ({ meta, wire }) => {
    const decoded = decodeSubchannels(bytes(wire));
    expect(decoded).not.toBe(MALFORMED);
    expect(decoded).toEqual({ ...meta, payload });
  });

  it('leaves a message with no metadata unchanged (the same array, no header)', () => {
    expect(encodeSubchannels(payload, [], undefined, undefined)).toBe(payload);
  });

  it('does not encode more subchannels than the 16-bit count holds (as mediasoup)', () => {
    const many = new Array<number>(0x10000).fill(1);
    expect(encodeSubchannels(payload, many, 5, undefined)).toBe(payload);
  });

  it('decodes an empty payload after the header', () => {
    const decoded = decodeSubchannels(bytes('a5f09cb3d6e1f28c 0001 0005'));
    expect(decoded).toEqual({ subchannels: [5], payload: new Uint8Array(0) });
  });

  it('returns the payload as a view into the received bytes', () => {
    const wire = bytes('00 a5f09cb3d6e1f28c 0001 0005 6869').subarray(1);
    const decoded = decodeSubchannels(wire);
    if (decoded === undefined || decoded === MALFORMED) throw new Error('not decoded');
    expect(decoded.payload.buffer).toBe(wire.buffer);
    expect(hex(decoded.payload)).toBe('6869');
  });

  const notEncoded: Array<{ name: string; wire: string }> = [
    { name: 'empty', wire: '' },
    { name: 'shorter than token and count', wire: 'a5f09cb3d6e1f28c00' },
    { name: 'plain text', wire: '68656c6c6f20776f726c6421' },
    { name: 'token with one bit off', wire: 'a5f09cb3d6e1f2cc 0000 68656c6c6f' },
    { name: 'token with a non-flag low bit set', wire: 'a5f09cb3d6e1f29c 0000 68656c6c6f' },
  ];
  it.each(notEncoded)('passes a message that does not start with the token ($name) through', ({ wire }) => {
    expect(decodeSubchannels(bytes(wire))).toBeUndefined();
  });

  const malformed: Array<{ name: string; wire: string }> = [
    { name: 'count larger than the bytes left', wire: 'a5f09cb3d6e1f28c 0003 0001 0002' },
    { name: 'R flag without its field', wire: 'a5f09cb3d6e1f28e 0000' },
    { name: 'I flag without its field', wire: 'a5f09cb3d6e1f28d 0001 0007' },
    { name: 'both flags, one field', wire: 'a5f09cb3d6e1f28f 0000 029a' },
    { name: 'odd byte short', wire: 'a5f09cb3d6e1f28c 0001 00' },
  ];
  it.each(malformed)('flags a header whose announced fields do not fit ($name)', ({ wire }) => {
    expect(decodeSubchannels(bytes(wire))).toBe(MALFORMED);
  });
});
