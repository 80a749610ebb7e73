// biome-ignore-all format: byte arrays are annotated field by field, one line per field
import { describe, expect, it } from 'vitest';
import { isAv1KeyFrame, parseAv1AggregationHeader } from './av1.js';
import { h264NalType, isH264KeyFrame } from './h264.js';
import { Vp8Descriptor } from './vp8.js';
import { Vp9Descriptor } from './vp9.js';

const b = (...xs: number[]) => Uint8Array.from(xs);

describe('VP8 payload descriptor (RFC 7741)', () => {
  const d = new Vp8Descriptor();
  const rows: {
    name: string;
    bytes: number[];
    want: Partial<Vp8Descriptor> | undefined;
  }[] = [
    {
      name: 'minimal, keyframe start',
      bytes: [0x10, 0x00], // X=0 S=1 PID=0 | VP8 header P=0
      want: { length: 1, startOfPartition: true, pictureId: -1, tid: -1, isKeyFrame: true },
    },
    {
      name: '15-bit picture id, TL0PICIDX, TID/Y/KEYIDX, interframe',
      bytes: [
        0x90, // X=1 S=1 PID=0
        0xf0, // I=1 L=1 T=1 K=1
        0x81, 0x23, // M=1 picture id 0x0123
        0x05, // TL0PICIDX=5
        0b10_1_00011, // TID=2 Y=1 KEYIDX=3
        0x01, // VP8 header: P=1 (interframe)
      ],
      want: {
        length: 6,
        pictureId: 0x123,
        pictureIdBits: 15,
        tl0PicIdx: 5,
        tid: 2,
        layerSync: true,
        keyIdx: 3,
        isKeyFrame: false,
      },
    },
    {
      name: '7-bit picture id, not the first partition',
      bytes: [0x81, 0x80, 0x7f, 0x00], // X=1 S=0 PID=1 | I=1 | picture id 127
      want: { length: 3, pictureId: 127, pictureIdBits: 7, partitionIndex: 1, isKeyFrame: false },
    },
    { name: 'empty', bytes: [], want: undefined },
    { name: 'X set, extension byte missing', bytes: [0x80], want: undefined },
    { name: '15-bit picture id cut', bytes: [0x80, 0x80, 0x81], want: undefined },
    { name: 'TL0PICIDX missing', bytes: [0x80, 0x40], want: undefined },
    { name: 'TID byte missing', bytes: [0x80, 0x20], want: undefined },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const ok = d.parse(b(...r.bytes), 0, r.bytes.length);
      expect(ok).toBe(r.want !== undefined);
      if (r.want) expect(d).toMatchObject(r.want);
    });
  }

  it('rewrites picture id and TL0PICIDX in place, keeping the field size', () => {
    const buf = b(0xaa, 0x90, 0xf0, 0x81, 0x23, 0x05, 0x40, 0x01); // one leading byte: descriptor at offset 1
    expect(d.parse(buf, 1, buf.length - 1)).toBe(true);
    expect(d.setPictureId(buf, 1, 0x7ffe + 3)).toBe(true); // wraps to 15 bits
    expect(d.setTl0PicIdx(buf, 1, 0x1ff)).toBe(true);
    expect(Array.from(buf)).toEqual([0xaa, 0x90, 0xf0, 0x80, 0x01, 0xff, 0x40, 0x01]);
    expect(d.parse(buf, 1, buf.length - 1)).toBe(true);
    expect([d.pictureId, d.tl0PicIdx]).toEqual([1, 0xff]);
    const short = b(0x10, 0x00);
    d.parse(short, 0, 2);
    expect(d.setPictureId(short, 0, 1)).toBe(false);
    expect(d.setTl0PicIdx(short, 0, 1)).toBe(false);
  });
});

describe('VP9 payload descriptor (RFC 9628)', () => {
  const d = new Vp9Descriptor();
  const rows: { name: string; bytes: number[]; want: Partial<Vp9Descriptor> | undefined }[] = [
    {
      name: 'non-flexible keyframe with layer indices and TL0PICIDX',
      bytes: [
        0b1010_1100, // I=1 P=0 L=1 F=0 B=1 E=1 V=0 Z=0
        0x80, 0x10, // picture id 0x0010 (15-bit)
        0b000_1_000_0, // TID=0 U=1 SID=0 D=0
        0x07, // TL0PICIDX
      ],
      want: {
        length: 5,
        pictureId: 16,
        tid: 0,
        sid: 0,
        switchingUpPoint: true,
        tl0PicIdx: 7,
        isKeyFrame: true,
        flexible: false,
      },
    },
    {
      name: 'flexible mode, inter-predicted, two P_DIFFs, spatial layer 1',
      bytes: [
        0b1111_1000, // I=1 P=1 L=1 F=1 B=1
        0x05, // picture id 5 (7-bit)
        0b010_0_001_1, // TID=2 U=0 SID=1 D=1
        0x03, // P_DIFF=1 N=1
        0x04, // P_DIFF=2 N=0
      ],
      want: {
        length: 5,
        pictureId: 5,
        tid: 2,
        sid: 1,
        interLayerDependency: true,
        referenceCount: 2,
        isKeyFrame: false,
        flexible: true,
      },
    },
    {
      name: 'keyframe with scalability structure (2 layers, resolutions, 1 group)',
      bytes: [
        0b1000_1010, // I=1 B=1 V=1
        0x01, // picture id
        0b001_1_1_000, // N_S=1 (2 layers) Y=1 G=1
        0x01, 0x40, 0x00, 0xb4, // 320x180
        0x02, 0x80, 0x01, 0x68, // 640x360
        0x01, // N_G=1
        0b000_1_01_00, 0x01, // T=0 U=1 R=1, one P_DIFF
      ],
      want: { length: 14, hasScalabilityStructure: true, isKeyFrame: true },
    },
    { name: 'empty', bytes: [], want: undefined },
    { name: 'picture id missing', bytes: [0x80], want: undefined },
    { name: 'TL0PICIDX missing (non-flexible)', bytes: [0x20, 0x00], want: undefined },
    { name: 'more than 3 P_DIFFs', bytes: [0x50, 0x01, 0x01, 0x01, 0x01], want: undefined },
    { name: 'scalability structure overruns', bytes: [0x0a, 0b001_1_0_000, 0x01, 0x40], want: undefined },
  ];
  for (const r of rows) {
    it(r.name, () => {
      expect(d.parse(b(...r.bytes), 0, r.bytes.length)).toBe(r.want !== undefined);
      if (r.want) expect(d).toMatchObject(r.want);
    });
  }
});

describe('H264 keyframes (RFC 6184)', () => {
  const rows: [name: string, bytes: number[], nal: number, key: boolean][] = [
    ['single NAL: IDR slice', [0x65, 0x88], 5, true],
    ['single NAL: SPS', [0x67, 0x42], 7, true],
    ['single NAL: non-IDR slice', [0x41, 0x9a], 1, false],
    // STAP-A: hdr 0x78 | size 2: SPS 67 42 | size 2: PPS 68 ce
    ['STAP-A with SPS and PPS', [0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce], 7, true],
    ['STAP-A of non-IDR units', [0x78, 0x00, 0x01, 0x41, 0x00, 0x01, 0x06], 1, false],
    ['STAP-A with a size overrun', [0x78, 0x00, 0x09, 0x67], 7, false],
    // FU-A: indicator 0x7c | header S=1 type=5
    ['FU-A start of an IDR', [0x7c, 0x85, 0x00], 5, true],
    ['FU-A middle of an IDR', [0x7c, 0x05, 0x00], 5, false],
    ['FU-A start of a non-IDR', [0x7c, 0x81, 0x00], 1, false],
    ['FU-A cut short', [0x7c], -1, false],
    ['empty', [], -1, false],
  ];
  for (const [name, bytes, nal, key] of rows) {
    it(name, () => {
      expect(h264NalType(b(...bytes), 0, bytes.length)).toBe(nal);
      expect(isH264KeyFrame(b(...bytes), 0, bytes.length)).toBe(key);
    });
  }
});

describe('AV1 aggregation header', () => {
  it('reads Z, Y, W, N', () => {
    expect(parseAv1AggregationHeader(b(0b1110_1000), 0, 1)).toEqual({
      continuesFragment: true,
      fragmentContinues: true,
      obuCount: 2,
      newCodedVideoSequence: true,
    });
    expect(parseAv1AggregationHeader(b(), 0, 0)).toBeUndefined();
  });
  it('keyframe: N=1 and not a continuation', () => {
    expect(isAv1KeyFrame(b(0b0001_1000), 0, 1)).toBe(true);
    expect(isAv1KeyFrame(b(0b1001_1000), 0, 1)).toBe(false);
    expect(isAv1KeyFrame(b(0b0001_0000), 0, 1)).toBe(false);
    expect(isAv1KeyFrame(b(), 0, 0)).toBe(false);
  });
});
