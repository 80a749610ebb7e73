/**
 * Table tests of the chunk codecs, byte arrays annotated field by field, with
 * malformed rows that must be refused (undefined / false), never thrown.
 */
import { describe, expect, it } from 'vitest';
import { ChunkType, unknownChunkAction, unknownParamAction } from './chunk-type.js';
import { DataFlag, marshalData } from './data-chunk.js';
import { marshalForwardTsn, unmarshalForwardTsn } from './forward-tsn-chunk.js';
import { type InitChunk, marshalInit, ParamType, unmarshalInit } from './init-chunk.js';
import { marshalReconfig, ReconfigResult, unmarshalReconfig } from './reconfig-chunk.js';
import { marshalSack, SackView } from './sack-chunk.js';
import { checkPacket, finishPacket, PacketCheck, writeCommonHeader } from './sctp-packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+|\/\/[^\n]*/g, ''), 'hex');

describe('unknown chunk / parameter actions (RFC 9260 §3.2, §3.2.1)', () => {
  it.each([
    { type: 0x3f, action: 'stop' }, // 00xxxxxx
    { type: 0x7f, action: 'stop-report' }, // 01xxxxxx
    { type: 0xbf, action: 'skip' }, // 10xxxxxx
    { type: 0xff, action: 'skip-report' }, // 11xxxxxx
    { type: 0x40, action: 'stop-report' },
    { type: 0x80, action: 'skip' },
  ])('chunk type $type → $action', ({ type, action }) => {
    expect(unknownChunkAction(type)).toBe(action);
  });
  it.each([
    { type: 0x0fff, action: 'stop' },
    { type: 0x4001, action: 'stop-report' },
    { type: 0x8001, action: 'skip' },
    { type: 0xc001, action: 'skip-report' },
  ])('parameter type $type → $action', ({ type, action }) => {
    expect(unknownParamAction(type)).toBe(action);
  });
});

describe('checkPacket', () => {
  const withCrc = (b: Buffer): Buffer => {
    finishPacket(b, b.length);
    return b;
  };
  const rows: Array<{ name: string; pkt: Buffer; want: number }> = [
    {
      name: 'COOKIE ACK packet',
      pkt: withCrc(
        hex(`
        1388 1388   // source port 5000, destination port 5000
        01020304    // verification tag
        00000000    // checksum (filled in)
        0b 00 0004  // COOKIE ACK, flags 0, length 4`),
      ),
      want: PacketCheck.OK,
    },
    { name: 'too short (11 bytes)', pkt: hex('1388 1388 01020304 000000'), want: PacketCheck.TOO_SHORT },
    {
      name: 'bad checksum',
      pkt: hex('1388 1388 01020304 deadbeef 0b 00 0004'),
      want: PacketCheck.BAD_CHECKSUM,
    },
    {
      name: 'chunk length 0',
      pkt: withCrc(hex('1388 1388 01020304 00000000 03 00 0000')),
      want: PacketCheck.BAD_CHUNK_LENGTH,
    },
    {
      name: 'chunk length past the end',
      pkt: withCrc(hex('1388 1388 01020304 00000000 03 00 0010 00000000')),
      want: PacketCheck.BAD_CHUNK_LENGTH,
    },
    {
      name: 'trailing 2 bytes that are not a chunk header',
      pkt: withCrc(hex('1388 1388 01020304 00000000 0b 00 0004 0b00')),
      want: PacketCheck.BAD_CHUNK_LENGTH,
    },
    { name: 'header only, no chunk', pkt: withCrc(hex('1388 1388 01020304 00000000')), want: PacketCheck.OK },
  ];
  it.each(rows)('$name', ({ pkt, want }) => {
    expect(checkPacket(pkt)).toBe(want);
  });

  it('writes the checksum little-endian (RFC 9260 Appendix B)', () => {
    const b = Buffer.alloc(16);
    writeCommonHeader(b, 5000, 5000, 0);
    b.set([0x0b, 0, 0, 4], 12);
    finishPacket(b, 16);
    // Zero the field and compare with a bytewise reference CRC written LE.
    const z = Buffer.from(b);
    z.fill(0, 8, 12);
    let c = -1;
    for (const x of z) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    }
    expect(b.readUInt32LE(8)).toBe(~c >>> 0);
  });
});

describe('INIT / INIT ACK', () => {
  const init = hex(`
    01 00 0020          // INIT, flags 0, length 32
    a1b2c3d4            // initiate tag
    00100000            // a_rwnd 1 MiB
    0400 0400           // OS 1024, MIS 1024
    0000002a            // initial TSN 42
    c000 0004           // Forward-TSN-Supported
    8008 0006 82c0 0000 // Supported Extensions: RE-CONFIG, FORWARD TSN (+2 padding)
  `);
  it('parses a WebRTC INIT', () => {
    const c = unmarshalInit(init, 0, 32);
    expect(c).toMatchObject({
      type: ChunkType.INIT,
      initiateTag: 0xa1b2c3d4,
      aRwnd: 0x100000,
      outboundStreams: 1024,
      inboundStreams: 1024,
      initialTsn: 42,
      forwardTsnSupported: true,
      supportedExtensions: [0x82, 0xc0],
    });
  });
  it('marshals back to the same bytes', () => {
    const c = unmarshalInit(init, 0, 32) as InitChunk;
    const out = Buffer.alloc(32);
    expect(marshalInit(c, out, 0)).toBe(32);
    expect(out.equals(init)).toBe(true);
  });
  it('round-trips an INIT ACK with a cookie of odd length', () => {
    const c: InitChunk = {
      type: ChunkType.INIT_ACK,
      initiateTag: 7,
      aRwnd: 1000,
      outboundStreams: 5,
      inboundStreams: 6,
      initialTsn: 0xfffffffe,
      forwardTsnSupported: false,
      supportedExtensions: [],
      stateCookie: Uint8Array.from([1, 2, 3, 4, 5]),
      unrecognizedParams: [],
    };
    const buf = Buffer.alloc(64);
    const end = marshalInit(c, buf, 0);
    expect(end).toBe(20 + 12);
    expect(buf.readUInt16BE(2)).toBe(32);
    const back = unmarshalInit(buf, 0, end);
    expect(back?.stateCookie && Buffer.from(back.stateCookie).toString('hex')).toBe('0102030405');
    expect(back?.initialTsn).toBe(0xfffffffe);
  });
  it.each([
    { name: 'unknown param 0x8001 (skip) is skipped', param: '8001 0008 00000000', report: 0, fwd: true },
    {
      name: 'unknown param 0xc001 (skip+report) is reported',
      param: 'c001 0008 00000000',
      report: 1,
      fwd: true,
    },
    { name: 'unknown param 0x0fff (stop) stops processing', param: '0fff 0004', report: 0, fwd: false },
    {
      name: 'unknown param 0x4001 (stop+report) stops and reports',
      param: '4001 0004',
      report: 1,
      fwd: false,
    },
  ])('$name', ({ param, report, fwd }) => {
    const p = hex(param);
    const body = Buffer.concat([hex('01 00 0000 00000001 00001000 0001 0001 00000001'), p, hex('c000 0004')]);
    body.writeUInt16BE(body.length, 2);
    const c = unmarshalInit(body, 0, body.length);
    expect(c?.unrecognizedParams.length).toBe(report);
    expect(c?.forwardTsnSupported).toBe(fwd);
  });
  it.each([
    { name: 'shorter than the fixed part', bytes: '01 00 0010 00000001 00001000 0001 0001', len: 16 },
    { name: 'initiate tag 0', bytes: '01 00 0014 00000000 00001000 0001 0001 00000001', len: 20 },
    { name: 'OS 0', bytes: '01 00 0014 00000001 00001000 0000 0001 00000001', len: 20 },
    { name: 'MIS 0', bytes: '01 00 0014 00000001 00001000 0001 0000 00000001', len: 20 },
    {
      name: 'parameter length 2',
      bytes: '01 00 0018 00000001 00001000 0001 0001 00000001 c000 0002',
      len: 24,
    },
    {
      name: 'parameter past the chunk',
      bytes: '01 00 0018 00000001 00001000 0001 0001 00000001 0007 0010',
      len: 24,
    },
    { name: 'INIT ACK without a cookie', bytes: '02 00 0014 00000001 00001000 0001 0001 00000001', len: 20 },
  ])('refuses: $name', ({ bytes, len }) => {
    expect(unmarshalInit(hex(bytes), 0, len)).toBeUndefined();
  });
});

describe('DATA', () => {
  it('marshals header fields and pads', () => {
    const out = Buffer.alloc(24);
    const end = marshalData(
      out,
      0,
      DataFlag.BEGINNING | DataFlag.END,
      0x01020304,
      7,
      9,
      51,
      Buffer.from('abc'),
    );
    expect(end).toBe(20);
    expect(out.subarray(0, 20).toString('hex')).toBe(
      hex(`
      00 03 0013  // DATA, flags B|E, length 19
      01020304    // TSN
      0007 0009   // stream 7, SSN 9
      00000033    // PPID 51
      616263 00   // "abc" + 1 byte padding`).toString('hex'),
    );
  });
});

describe('SACK', () => {
  const sack = hex(`
    03 00 001c  // SACK, length 28
    00000064    // cumulative TSN ack 100
    00010000    // a_rwnd 65536
    0002 0001   // 2 gap blocks, 1 duplicate
    0002 0003   // gap: 102..103
    0005 0005   // gap: 105
    00000063    // duplicate TSN 99
  `);
  it('parses and marshals back', () => {
    const v = new SackView();
    expect(v.read(sack, 0, 28)).toBe(true);
    expect(v.cumulativeTsnAck).toBe(100);
    expect(v.aRwnd).toBe(65536);
    expect(v.gapStarts.slice(0, v.gapCount)).toEqual([2, 5]);
    expect(v.gapEnds.slice(0, v.gapCount)).toEqual([3, 5]);
    expect(v.dups.slice(0, v.dupCount)).toEqual([99]);
    const out = Buffer.alloc(28);
    marshalSack(out, 0, 100, 65536, [2, 5], [3, 5], 2, [99], 1);
    expect(out.equals(sack)).toBe(true);
  });
  it.each([
    { name: 'shorter than 16', bytes: '03 00 000c 00000064 00010000', len: 12 },
    { name: 'gap count past the end', bytes: '03 00 0010 00000064 00010000 0001 0000', len: 16 },
    { name: 'gap start 0', bytes: '03 00 0014 00000064 00010000 0001 0000 0000 0001', len: 20 },
    { name: 'gap end < start', bytes: '03 00 0014 00000064 00010000 0001 0000 0003 0002', len: 20 },
  ])('refuses: $name', ({ bytes, len }) => {
    expect(new SackView().read(hex(bytes), 0, len)).toBe(false);
  });
});

describe('FORWARD TSN', () => {
  const fwd = hex(`
    c0 00 0010  // FORWARD TSN, length 16
    000003e8    // new cumulative TSN 1000
    0001 0005   // stream 1, SSN 5
    0003 ffff   // stream 3, SSN 65535
  `);
  it('parses and marshals back', () => {
    const c = unmarshalForwardTsn(fwd, 0, 16);
    expect(c).toEqual({
      newCumulativeTsn: 1000,
      streams: [
        { streamId: 1, ssn: 5 },
        { streamId: 3, ssn: 65535 },
      ],
    });
    const out = Buffer.alloc(16);
    marshalForwardTsn(c!, out, 0);
    expect(out.equals(fwd)).toBe(true);
  });
  it.each([
    { name: 'shorter than 8', bytes: 'c0 00 0004', len: 4 },
    { name: 'stream entry cut', bytes: 'c0 00 000a 000003e8 0001', len: 10 },
  ])('refuses: $name', ({ bytes, len }) => {
    expect(unmarshalForwardTsn(hex(bytes), 0, len)).toBeUndefined();
  });
});

describe('RE-CONFIG', () => {
  const req = hex(`
    82 00 0018  // RE-CONFIG, length 24
    000d 0014   // Outgoing SSN Reset Request, length 20
    00000010    // request seq 16
    0000000f    // response seq 15
    00000100    // sender's last assigned TSN 256
    0002 0004   // streams 2 and 4
  `);
  it('parses an Outgoing SSN Reset Request and marshals it back', () => {
    const p = unmarshalReconfig(req, 0, 24);
    expect(p).toEqual([{ type: 13, requestSeq: 16, responseSeq: 15, lastTsn: 256, streams: [2, 4] }]);
    const out = Buffer.alloc(24);
    marshalReconfig(p!, out, 0);
    expect(out.equals(req)).toBe(true);
  });
  it('parses a Re-configuration Response', () => {
    const res = hex(`
      82 00 0010  // RE-CONFIG, length 16
      0010 000c   // Re-configuration Response, length 12
      00000010    // response seq 16
      00000001    // result: success performed`);
    expect(unmarshalReconfig(res, 0, 16)).toEqual([
      { type: ParamType.RECONFIG_RESPONSE, responseSeq: 16, result: ReconfigResult.SUCCESS_PERFORMED },
    ]);
  });
  it('keeps an odd stream count padded (one stream)', () => {
    const out = Buffer.alloc(32);
    const end = marshalReconfig(
      [
        {
          type: ParamType.OUTGOING_SSN_RESET_REQUEST,
          requestSeq: 1,
          responseSeq: 0,
          lastTsn: 5,
          streams: [3],
        },
      ],
      out,
      0,
    );
    expect(end).toBe(4 + 20);
    expect(out.readUInt16BE(6)).toBe(18);
    expect(unmarshalReconfig(out, 0, end)?.[0]).toMatchObject({ streams: [3] });
  });
  it.each([
    { name: 'no parameter', bytes: '82 00 0004', len: 4 },
    { name: 'request shorter than 16', bytes: '82 00 0010 000d 000c 00000001 00000000', len: 16 },
    { name: 'response of length 8', bytes: '82 00 000c 0010 0008 00000001', len: 12 },
    { name: 'parameter past the chunk', bytes: '82 00 000c 000d 0020 00000001', len: 12 },
  ])('refuses: $name', ({ bytes, len }) => {
    expect(unmarshalReconfig(hex(bytes), 0, len)).toBeUndefined();
  });
});
