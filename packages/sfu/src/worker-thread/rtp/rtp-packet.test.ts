/**
 * The packet asks itself: keyframe, temporal/spatial layer and layer sync
 * come from its payload descriptor, read once per packet for the codec its
 * producer named, and nothing carries over to the next packet.
 */
import { serializeRtpPacket } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { PayloadCodec, payloadCodecOf, RtpPacket } from './rtp-packet.js';

const rtp = (payload: number[]) =>
  serializeRtpPacket({
    payloadType: 96,
    sequenceNumber: 1,
    timestamp: 1,
    ssrc: 1,
    payload: Buffer.from(payload),
  });

// VP8 descriptor: X=1, S=1, PID 0 / I,L,T set / 15-bit picture id / TL0PICIDX / TID|Y|KEYIDX.
const vp8 = (keyframe: boolean, tid: number, sync: boolean) =>
  rtp([0x90, 0xe0, 0x80, 0x05, 0x07, (tid << 6) | (sync ? 0x20 : 0), keyframe ? 0x00 : 0x01, 0, 0]);

describe('RtpPacket (the packet says what it carries)', () => {
  it.each([
    ['VP8 keyframe, TL0', vp8(true, 0, false), PayloadCodec.Vp8, true, 0, false],
    ['VP8 delta, TL2 with layer sync', vp8(false, 2, true), PayloadCodec.Vp8, false, 2, true],
    // VP9 flexible-free, I=0 P=0 L=1 B=1: a layer-0 start that is not inter-predicted; TID 1, U=1, SID 0.
    ['VP9 keyframe, T1 switching up', rtp([0x28, 0x30, 0x00, 0x00]), PayloadCodec.Vp9, true, 1, true],
    ['H264 IDR (NAL 5)', rtp([0x65, 0x88]), PayloadCodec.H264, true, -1, false],
    ['H264 non-IDR (NAL 1)', rtp([0x41, 0x9a]), PayloadCodec.H264, false, -1, false],
    ['no descriptor named (audio)', vp8(true, 0, false), PayloadCodec.None, false, -1, false],
  ])('%s', (_name, bytes, codec, keyFrame, tid, sync) => {
    const p = new RtpPacket();
    expect(p.wrap(bytes, bytes.length)).toBe(true);
    p.setPayloadCodec(codec);
    expect(p.isKeyFrame).toBe(keyFrame);
    expect(p.temporalLayer).toBe(tid);
    expect(p.isLayerSync).toBe(sync);
  });

  it.each([
    ['VP8 start of partition 0', [0x90, 0x80, 0x80, 0x05, 0x01], PayloadCodec.Vp8, true],
    ['VP8 continuation of partition 0 (S=0)', [0x80, 0x80, 0x80, 0x05, 0x01], PayloadCodec.Vp8, false],
    ['VP8 start of partition 1', [0x91, 0x80, 0x80, 0x05, 0x01], PayloadCodec.Vp8, false],
    ['VP9 B=1, no layer indices', [0x08, 0x00], PayloadCodec.Vp9, true],
    ['VP9 B=0 (a later packet of the frame)', [0x00, 0x00], PayloadCodec.Vp9, false],
    ['VP9 B=1 of spatial layer 1 (same picture)', [0x28, 0x22, 0x00], PayloadCodec.Vp9, false],
    ['H264 (no descriptor read for frames)', [0x41, 0x9a], PayloadCodec.H264, true],
  ])('frame start: %s', (_name, payload, codec, start) => {
    const p = new RtpPacket();
    const bytes = rtp(payload);
    p.wrap(bytes, bytes.length);
    p.setPayloadCodec(codec);
    expect(p.isFrameStart).toBe(start);
  });

  it('reads the VP8 descriptor for rewriting (picture id, TL0PICIDX)', () => {
    const p = new RtpPacket();
    const bytes = vp8(true, 0, false);
    p.wrap(bytes, bytes.length);
    p.setPayloadCodec(PayloadCodec.Vp8);
    expect(p.vp8Descriptor?.pictureId).toBe(5);
    expect(p.vp8Descriptor?.tl0PicIdx).toBe(7);
  });

  it('forgets the previous packet: a new wrap starts with no descriptor until the codec is named', () => {
    const p = new RtpPacket();
    const key = vp8(true, 1, true);
    p.wrap(key, key.length);
    p.setPayloadCodec(PayloadCodec.Vp8);
    expect(p.isKeyFrame).toBe(true);
    const next = vp8(false, 0, false);
    p.wrap(next, next.length);
    expect([p.isKeyFrame, p.temporalLayer, p.isLayerSync, p.vp8Descriptor]).toEqual([
      false,
      -1,
      false,
      undefined,
    ]);
  });

  it.each([
    ['video/VP8', PayloadCodec.Vp8],
    ['video/vp9', PayloadCodec.Vp9],
    ['video/H264', PayloadCodec.H264],
    ['video/AV1', PayloadCodec.Av1],
    ['audio/opus', PayloadCodec.None],
  ])('payloadCodecOf(%s)', (mime, codec) => {
    expect(payloadCodecOf(mime)).toBe(codec);
  });
});
