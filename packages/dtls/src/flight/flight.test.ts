import { describe, expect, it } from 'vitest';
import { unmarshalHandshakeHeader } from '../handshake/handshake-header.js';
import { RECORD_HEADER_LENGTH, unmarshalRecordHeader, writeRecordHeader } from '../record/record-header.js';
import { type FlightItem, packFlight } from './flight.js';
import { HandshakeReassembler } from './handshake-reassembler.js';

const header = (
  type: number,
  length: number,
  messageSeq: number,
  fragmentOffset: number,
  fragmentLength: number,
) => ({
  type,
  length,
  messageSeq,
  fragmentOffset,
  fragmentLength,
});

describe('HandshakeReassembler (RFC 6347 §4.2.3)', () => {
  const body = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
  const frag = (off: number, len: number) => body.subarray(off, off + len);

  it('reassembles out-of-order, overlapping and duplicated fragments', () => {
    const r = new HandshakeReassembler();
    const plan: [number, number][] = [
      [60, 40],
      [0, 30],
      [0, 30], // duplicate
      [20, 25], // overlaps the first
    ];
    for (const [off, len] of plan)
      expect(r.accept(header(1, 100, 0, off, len), frag(off, len), 0)).toBe('accepted');
    expect(r.get(0)).toBeUndefined(); // 45..60 still missing
    expect(r.accept(header(1, 100, 0, 44, 17), frag(44, 17), 0)).toBe('accepted');
    expect(r.get(0)?.body).toEqual(body);
    expect(r.lowestComplete()?.messageSeq).toBe(0);
  });

  it('drops fragments that disagree with the first one, are too far ahead or too big; reports old ones', () => {
    const r = new HandshakeReassembler(1000, 4, 1500);
    expect(r.accept(header(1, 100, 0, 0, 10), frag(0, 10), 0)).toBe('accepted');
    expect(r.accept(header(2, 100, 0, 10, 10), frag(10, 10), 0)).toBe('dropped'); // other type
    expect(r.accept(header(1, 99, 0, 10, 10), frag(10, 10), 0)).toBe('dropped'); // other length
    expect(r.accept(header(1, 100, 4, 0, 10), frag(0, 10), 0)).toBe('dropped'); // beyond the window
    expect(r.accept(header(1, 1001, 1, 0, 10), frag(0, 10), 0)).toBe('dropped'); // message too big
    expect(r.accept(header(1, 900, 1, 0, 10), frag(0, 10), 0)).toBe('accepted');
    expect(r.accept(header(1, 900, 2, 0, 10), frag(0, 10), 0)).toBe('dropped'); // total cap (1500)
    expect(r.bufferedBytes).toBe(1000);
    r.consumeThrough(1);
    expect(r.bufferedBytes).toBe(0);
    expect(r.accept(header(1, 100, 1, 0, 10), frag(0, 10), 0)).toBe('old');
  });

  it('a zero-length message is complete at once', () => {
    const r = new HandshakeReassembler();
    r.accept(header(14, 0, 3, 0, 0), Buffer.alloc(0), 1);
    expect(r.get(3)).toEqual({ type: 14, messageSeq: 3, body: Buffer.alloc(0), epoch: 1 });
  });
});

describe('packFlight', () => {
  let seq = 0;
  const writer = (type: number, epoch: number, payload: Buffer) => {
    const out = Buffer.alloc(RECORD_HEADER_LENGTH + payload.length + (epoch ? 24 : 0));
    writeRecordHeader(out, 0, type, 0xfefd, epoch, seq++, payload.length + (epoch ? 24 : 0));
    payload.copy(out, RECORD_HEADER_LENGTH);
    return out;
  };
  const big = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));

  for (const mtu of [200, 576, 1200]) {
    it(`fragments to MTU ${mtu}, packs small records together, and the fragments reassemble`, () => {
      const items: FlightItem[] = [
        { kind: 'handshake', epoch: 0, type: 11, messageSeq: 1, body: big },
        { kind: 'handshake', epoch: 0, type: 14, messageSeq: 2, body: Buffer.alloc(0) },
        { kind: 'changeCipherSpec' },
        { kind: 'handshake', epoch: 1, type: 20, messageSeq: 3, body: Buffer.alloc(12, 5) },
      ];
      const datagrams = packFlight(items, mtu, (e) => (e ? 24 : 0), writer);
      const r = new HandshakeReassembler();
      let records = 0;
      for (const d of datagrams) {
        expect(d.length).toBeLessThanOrEqual(mtu);
        let off = 0;
        while (off < d.length) {
          const h = unmarshalRecordHeader(d, off)!;
          records++;
          if (h.contentType === 22) {
            const hh = unmarshalHandshakeHeader(d, off + 13, off + 13 + h.length - (h.epoch ? 24 : 0))!;
            r.accept(hh, d.subarray(off + 25, off + 25 + hh.fragmentLength), h.epoch);
          }
          off += 13 + h.length;
        }
      }
      expect(r.get(1)?.body).toEqual(big);
      expect(r.get(2)?.type).toBe(14);
      expect(r.get(3)?.epoch).toBe(1);
      // The tail of the certificate shares a datagram with what follows.
      expect(datagrams.length).toBeLessThan(records);
      expect(datagrams.length).toBeLessThanOrEqual(Math.ceil((3000 + 200) / (mtu - 25)) + 1);
    });
  }
});
