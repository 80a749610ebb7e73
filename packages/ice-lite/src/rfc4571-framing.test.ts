import { describe, expect, it } from 'vitest';
import { frameRfc4571, Rfc4571Deframer } from './rfc4571-framing.js';

function collect(max?: number) {
  const frames: string[] = [];
  const d = new Rfc4571Deframer((f) => frames.push(Buffer.from(f).toString('hex')), max);
  return { d, frames };
}

describe('frameRfc4571', () => {
  it('prefixes the 16-bit length', () => {
    expect(frameRfc4571(Uint8Array.of(1, 2, 3)).toString('hex')).toBe('0003010203');
    expect(frameRfc4571(Uint8Array.of(1, 2, 3), 2).toString('hex')).toBe('00020102');
    expect(frameRfc4571(new Uint8Array(0)).toString('hex')).toBe('0000');
    expect(() => frameRfc4571(new Uint8Array(65536))).toThrow(RangeError);
  });
});

describe('Rfc4571Deframer', () => {
  const stream = Buffer.concat([
    frameRfc4571(Uint8Array.of(0xaa)),
    frameRfc4571(Uint8Array.of(0xbb, 0xcc, 0xdd)),
    frameRfc4571(new Uint8Array(0)),
    frameRfc4571(Buffer.alloc(300, 0xee)),
  ]);
  const want = ['aa', 'bbccdd', 'ee'.repeat(300)];

  it('one chunk holding several frames (coalesced)', () => {
    const { d, frames } = collect();
    expect(d.push(stream)).toBe(true);
    expect(frames).toEqual(want);
    expect(d.frames).toBe(4); // the empty frame is counted, not delivered
  });

  it('every split point of the stream in two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const { d, frames } = collect();
      expect(d.push(stream.subarray(0, cut))).toBe(true);
      expect(d.push(stream.subarray(cut))).toBe(true);
      expect(frames).toEqual(want);
    }
  });

  it('frames are Buffers when the chunks are, cut or not', () => {
    const kinds: boolean[] = [];
    const d = new Rfc4571Deframer((f) => kinds.push(Buffer.isBuffer(f)));
    d.push(stream.subarray(0, 4));
    d.push(stream.subarray(4));
    expect(kinds).toEqual([true, true, true]);
  });

  it('one byte at a time', () => {
    const { d, frames } = collect();
    for (let i = 0; i < stream.length; i++) expect(d.push(stream.subarray(i, i + 1))).toBe(true);
    expect(frames).toEqual(want);
  });

  it('empty chunks change nothing', () => {
    const { d, frames } = collect();
    expect(d.push(stream.subarray(0, 1))).toBe(true);
    expect(d.push(new Uint8Array(0))).toBe(true);
    expect(d.push(stream.subarray(1))).toBe(true);
    expect(frames).toEqual(want);
  });

  it('refuses a frame over the cap, whole or split, and stays failed', () => {
    const whole = collect(100);
    expect(whole.d.push(stream)).toBe(false);
    expect(whole.frames).toEqual(['aa', 'bbccdd']);
    expect(whole.d.isFailed).toBe(true);
    expect(whole.d.push(frameRfc4571(Uint8Array.of(1)))).toBe(false);

    const split = collect(100);
    expect(split.d.push(Uint8Array.of(0x01))).toBe(true);
    expect(split.d.push(Uint8Array.of(0x2c, 0, 0))).toBe(false); // 0x012c = 300 > 100
  });

  it('holds memory in proportion to the bytes received, not to the announced length (slowloris)', () => {
    const { d, frames } = collect();
    const payload = Buffer.alloc(65535, 7);
    const framed = frameRfc4571(payload);
    // Announce 65535 bytes, then trickle them.
    expect(d.push(framed.subarray(0, 12))).toBe(true);
    expect(d.bufferedCapacity).toBeLessThanOrEqual(256);
    let sent = 12;
    for (; sent < 1012; sent++) d.push(framed.subarray(sent, sent + 1));
    expect(d.bufferedCapacity).toBeGreaterThanOrEqual(1012);
    expect(d.bufferedCapacity).toBeLessThanOrEqual(2 * 1012);
    // The rest in uneven chunks: the frame still comes out whole.
    while (sent < framed.length) {
      const step = Math.min(4099, framed.length - sent);
      expect(d.push(framed.subarray(sent, sent + step))).toBe(true);
      sent += step;
    }
    expect(frames).toEqual([payload.toString('hex')]);
    expect(d.bufferedCapacity).toBeLessThanOrEqual(framed.length);
  });
});
