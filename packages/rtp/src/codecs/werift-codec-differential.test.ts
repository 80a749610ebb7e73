/**
 * Payload descriptors vs werift-rtp's depacketizers, on generated
 * well-formed descriptors. Where werift differs on purpose or by bug, the
 * generator stays on the common ground and says why.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AV1RtpPayload, H264RtpPayload, Vp8RtpPayload, Vp9RtpPayload } from 'werift-rtp';
import { isAv1KeyFrame } from './av1.js';
import { isH264KeyFrame } from './h264.js';
import { Vp8Descriptor } from './vp8.js';
import { Vp9Descriptor } from './vp9.js';

const bit = fc.integer({ min: 0, max: 1 });

describe('VP8 descriptor vs werift-rtp', () => {
  // werift skips the TID/KEYIDX byte when L||K instead of T||K (RFC 7741 §4.2), so T is kept equal to L
  // unless K is set.
  const vp8 = fc
    .record({
      x: bit,
      n: bit,
      s: bit,
      pid: fc.integer({ min: 0, max: 7 }),
      i: bit,
      l: bit,
      t: bit,
      k: bit,
      m: bit,
      pictureId: fc.nat({ max: 0x7fff }),
      tl0: fc.nat({ max: 255 }),
      tk: fc.nat({ max: 255 }),
      p: bit,
    })
    .filter((d) => d.x === 1 || (d.i === 0 && d.l === 0 && d.t === 0 && d.k === 0))
    .filter((d) => d.k === 1 || d.t === d.l);

  it('agrees on picture id, payload offset and keyframe', () => {
    const ours = new Vp8Descriptor();
    fc.assert(
      fc.property(vp8, (d) => {
        const bytes = [(d.x << 7) | (d.n << 5) | (d.s << 4) | d.pid];
        if (d.x) bytes.push((d.i << 7) | (d.l << 6) | (d.t << 5) | (d.k << 4));
        if (d.i) {
          if (d.m) bytes.push(0x80 | (d.pictureId >> 8), d.pictureId & 0xff);
          else bytes.push(d.pictureId & 0x7f);
        }
        if (d.l) bytes.push(d.tl0);
        if (d.t || d.k) bytes.push(d.tk);
        bytes.push(d.p | 0x10, 0x22, 0x33, 0x44); // VP8 payload header: P bit, then size bytes
        const buf = Buffer.from(bytes);
        const w = Vp8RtpPayload.deSerialize(buf);
        expect(ours.parse(buf, 0, buf.length)).toBe(true);
        expect(ours.length).toBe(buf.length - w.payload.length);
        expect(ours.pictureId).toBe(w.pictureId ?? -1);
        expect(ours.isKeyFrame).toBe(w.isKeyframe);
        expect(ours.startOfPartition).toBe(w.isPartitionHead);
        if (d.l) expect(ours.tl0PicIdx).toBe(d.tl0);
        if (d.t) expect(ours.tid).toBe(d.tk >> 6);
      }),
      { numRuns: 500 },
    );
  });
});

describe('VP9 descriptor vs werift-rtp', () => {
  const vp9 = fc.record({
    i: bit,
    p: bit,
    l: bit,
    f: bit,
    b: bit,
    e: bit,
    z: bit,
    m: bit,
    pictureId: fc.nat({ max: 0x7fff }),
    layer: fc.nat({ max: 255 }),
    tl0: fc.nat({ max: 255 }),
    pdiffs: fc.array(fc.integer({ min: 1, max: 127 }), { minLength: 1, maxLength: 3 }),
  });

  it('agrees on picture id, layer ids, switching bits, TL0PICIDX, references, offset and keyframe', () => {
    const ours = new Vp9Descriptor();
    fc.assert(
      fc.property(vp9, (d) => {
        const bytes = [(d.i << 7) | (d.p << 6) | (d.l << 5) | (d.f << 4) | (d.b << 3) | (d.e << 2) | d.z];
        if (d.i) {
          if (d.m) bytes.push(0x80 | (d.pictureId >> 8), d.pictureId & 0xff);
          else bytes.push(d.pictureId & 0x7f);
        }
        if (d.l) {
          bytes.push(d.layer);
          if (!d.f) bytes.push(d.tl0);
        }
        if (d.f && d.p) {
          for (let k = 0; k < d.pdiffs.length; k++)
            bytes.push((d.pdiffs[k] << 1) | (k < d.pdiffs.length - 1 ? 1 : 0));
        }
        bytes.push(0xaa, 0xbb);
        const buf = Buffer.from(bytes);
        const w = Vp9RtpPayload.deSerialize(buf);
        expect(ours.parse(buf, 0, buf.length)).toBe(true);
        expect(ours.length).toBe(buf.length - w.payload.length);
        expect(ours.pictureId).toBe(w.pictureId ?? -1);
        expect(ours.tid).toBe(w.tid ?? 0);
        expect(ours.sid).toBe(w.sid ?? 0);
        expect(ours.switchingUpPoint).toBe(w.u === 1);
        expect(ours.interLayerDependency).toBe(w.d === 1);
        expect(ours.tl0PicIdx).toBe(w.tl0PicIdx ?? -1);
        expect(ours.referenceCount).toBe(w.pDiff.length);
        expect(ours.isKeyFrame).toBe(w.isKeyframe);
      }),
      { numRuns: 500 },
    );
  });
});

describe('H264 and AV1 keyframes vs werift-rtp', () => {
  // werift calls only IDR slices keyframes (we also take an SPS, where an IDR access unit starts), and an
  // FU-A of an IDR is one whether or not it is the start fragment (we need the start): compare elsewhere.
  // werift also reads a single NAL unit's second byte as an FU header, so that byte must not look like an IDR one.
  it('single NAL units and FU-A start fragments', () => {
    const nal = fc.integer({ min: 1, max: 23 }).filter((t) => t !== 7);
    const body = fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((b) => (b[0] & 0x1f) !== 5);
    fc.assert(
      fc.property(nal, fc.boolean(), body, (type, fu, body) => {
        const buf = fu ? Buffer.from([0x7c, 0x80 | type, ...body]) : Buffer.from([0x60 | type, ...body]);
        const w = H264RtpPayload.deSerialize(buf);
        expect(isH264KeyFrame(buf, 0, buf.length)).toBe(w.isKeyframe);
      }),
      { numRuns: 300 },
    );
  });

  it('AV1 aggregation header N bit (Z=0)', () => {
    fc.assert(
      fc.property(bit, fc.uint8Array({ minLength: 1, maxLength: 6 }), (n, obu) => {
        // W=1: one OBU element running to the end of the packet, no length field.
        const buf = Buffer.from([(1 << 4) | (n << 3), 0x12, ...obu]);
        const p = AV1RtpPayload.deSerialize(buf);
        expect(isAv1KeyFrame(buf, 0, buf.length)).toBe(p.isKeyframe);
      }),
      { numRuns: 50 },
    );
  });
});
