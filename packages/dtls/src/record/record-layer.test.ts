import { describe, expect, it } from 'vitest';
import { marshalRecordHeader, unmarshalRecordHeader } from './record-header.js';
import { ReplayWindow } from './replay-window.js';

describe('record header (RFC 6347 §4.1)', () => {
  const rows = [
    {
      name: 'handshake, DTLS 1.0 version, epoch 0, seq 0',
      bytes: [
        0x16, //             content type: handshake
        0xfe,
        0xff, //       version: DTLS 1.0
        0x00,
        0x00, //       epoch 0
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00, // sequence number 0
        0x00,
        0x03, //       length 3
        0xaa,
        0xbb,
        0xcc, // body
      ],
      want: { contentType: 22, version: 0xfeff, epoch: 0, sequenceNumber: 0, length: 3 },
    },
    {
      name: 'application data, epoch 1, 48-bit sequence number',
      bytes: [
        0x17, //             content type: application_data
        0xfe,
        0xfd, //       version: DTLS 1.2
        0x00,
        0x01, //       epoch 1
        0x12,
        0x34,
        0x89,
        0xab,
        0xcd,
        0xef, // sequence number 0x123489abcdef
        0x00,
        0x00, //       length 0
      ],
      want: { contentType: 23, version: 0xfefd, epoch: 1, sequenceNumber: 0x123489abcdef, length: 0 },
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const buf = Buffer.from(r.bytes);
      expect(unmarshalRecordHeader(buf)).toEqual(r.want);
      expect(marshalRecordHeader(r.want)).toEqual(buf.subarray(0, 13));
    });
  }

  const errors = [
    { name: 'empty', bytes: [] },
    { name: 'header cut short (12 bytes)', bytes: [0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    {
      name: 'length says 4, only 3 follow',
      bytes: [0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 1, 2, 3],
    },
  ];
  for (const e of errors) {
    it(`rejects: ${e.name}`, () => {
      expect(unmarshalRecordHeader(Buffer.from(e.bytes))).toBeUndefined();
    });
  }
});

describe('anti-replay window (RFC 6347 §4.1.2.6)', () => {
  it('accepts new, rejects duplicates and too-old numbers, slides forward', () => {
    const w = new ReplayWindow(64);
    const steps: [number, boolean][] = [
      [0, true],
      [0, false], // duplicate
      [5, true],
      [3, true], // late but inside the window
      [3, false],
      [100, true], // jump: the window now covers 37..100
      [36, false], // fell out of the window
      [37, true],
      [99, true],
      [100, false],
      [2 ** 48 - 1, true], // largest 48-bit number
      [2 ** 48 - 2, true],
      [2 ** 48 - 2, false],
    ];
    for (const [seq, fresh] of steps) {
      expect([seq, w.check(seq)]).toEqual([seq, fresh]);
      if (fresh) w.accept(seq);
    }
  });

  it('rejects sizes that are not multiples of 32', () => {
    expect(() => new ReplayWindow(48)).toThrow(RangeError);
  });
});
