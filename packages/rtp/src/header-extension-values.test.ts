import { describe, expect, it } from 'vitest';
import {
  absSendTimeFromMs,
  audioLevelOf,
  encodeAbsCaptureTime,
  encodeAbsSendTime,
  encodeAudioLevel,
  encodePlayoutDelay,
  encodeSdesText,
  encodeToffset,
  encodeTransportSequence,
  encodeVideoOrientation,
  readAbsCaptureTime,
  readAbsSendTime,
  readAudioLevelByte,
  readPlayoutDelay,
  readSdesText,
  readToffset,
  readTransportSequence,
  readVideoOrientation,
  voiceActivityOf,
  writeAbsSendTime,
  writeTransportSequence,
} from './header-extension-values.js';

const b = (...xs: number[]) => Uint8Array.from(xs);

describe('header extension values', () => {
  it('mid / rid: UTF-8 text', () => {
    const v = b(0x70, 0x72, 0x6f, 0x62, 0x65); // "probe"
    expect(readSdesText(v, 0, 5)).toBe('probe');
    expect(readSdesText(v, 1, 2)).toBe('ro');
    expect(readSdesText(v, 0, 0)).toBeUndefined();
    expect(readSdesText(v, 3, 5)).toBeUndefined(); // past the buffer
    expect(Array.from(encodeSdesText('h'))).toEqual([0x68]);
    expect(() => encodeSdesText('')).toThrow(RangeError);
  });

  it('abs-send-time: 6.18 fixed-point seconds, 24 bits', () => {
    // 1.5 s = 0x06_0000 (1 << 18 is one second)
    expect(readAbsSendTime(b(0x06, 0x00, 0x00), 0, 3)).toBe(0x060000);
    expect(absSendTimeFromMs(1500)).toBe(0x060000);
    expect(absSendTimeFromMs(64000)).toBe(0); // wraps every 64 s
    expect(Array.from(encodeAbsSendTime(0xabcdef))).toEqual([0xab, 0xcd, 0xef]);
    expect(readAbsSendTime(b(1, 2), 0, 2)).toBeUndefined();
    const buf = new Uint8Array(4);
    writeAbsSendTime(buf, 1, 0x123456);
    expect(Array.from(buf)).toEqual([0, 0x12, 0x34, 0x56]);
  });

  it('transport-wide sequence number', () => {
    expect(readTransportSequence(b(0xff, 0xfe), 0, 2)).toBe(65534);
    expect(readTransportSequence(b(0xff), 0, 1)).toBeUndefined();
    expect(Array.from(encodeTransportSequence(258))).toEqual([1, 2]);
    const buf = new Uint8Array(2);
    writeTransportSequence(buf, 0, 0x10001);
    expect(Array.from(buf)).toEqual([0, 1]);
  });

  it('ssrc-audio-level (RFC 6464): V flag and level', () => {
    const byte = readAudioLevelByte(b(0x80 | 42), 0, 1);
    expect(voiceActivityOf(byte)).toBe(true);
    expect(audioLevelOf(byte)).toBe(42);
    expect(voiceActivityOf(readAudioLevelByte(b(127), 0, 1))).toBe(false);
    expect(readAudioLevelByte(b(), 0, 0)).toBe(-1);
    expect(Array.from(encodeAudioLevel(30, true))).toEqual([0x9e]);
    expect(Array.from(encodeAudioLevel(200, false))).toEqual([127]);
  });

  it('3GPP video orientation: C, F, R1 R0', () => {
    expect(readVideoOrientation(b(0b0000_1011), 0, 1)).toEqual({
      backCamera: true,
      flip: false,
      rotation: 270,
    });
    expect(readVideoOrientation(b(0b0000_0101), 0, 1)).toEqual({
      backCamera: false,
      flip: true,
      rotation: 90,
    });
    expect(Array.from(encodeVideoOrientation({ backCamera: false, flip: true, rotation: 180 }))).toEqual([
      0b0110,
    ]);
    expect(readVideoOrientation(b(), 0, 0)).toBeUndefined();
  });

  it('toffset (RFC 5450): signed 24 bits', () => {
    expect(readToffset(b(0xff, 0xff, 0xfe), 0, 3)).toBe(-2);
    expect(readToffset(b(0x00, 0x01, 0x00), 0, 3)).toBe(256);
    expect(Array.from(encodeToffset(-2))).toEqual([0xff, 0xff, 0xfe]);
    expect(readToffset(b(0, 0), 0, 2)).toBeUndefined();
  });

  it('abs-capture-time: 8 or 16 bytes', () => {
    const short = encodeAbsCaptureTime({ absoluteCaptureTimestamp: 0x0102030405060708n });
    expect(Array.from(short)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(readAbsCaptureTime(short, 0, 8)).toEqual({ absoluteCaptureTimestamp: 0x0102030405060708n });
    const long = encodeAbsCaptureTime({ absoluteCaptureTimestamp: 1n, estimatedCaptureClockOffset: -1n });
    expect(Array.from(long.subarray(8))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(readAbsCaptureTime(long, 0, 16)).toEqual({
      absoluteCaptureTimestamp: 1n,
      estimatedCaptureClockOffset: -1n,
    });
    expect(readAbsCaptureTime(long, 0, 12)).toBeUndefined();
  });

  it('playout-delay: two 12-bit values in 10 ms units', () => {
    // min=10 (100 ms), max=300 (3000 ms): 0x00A 0x12C
    expect(readPlayoutDelay(b(0x00, 0xa1, 0x2c), 0, 3)).toEqual({ minMs: 100, maxMs: 3000 });
    expect(Array.from(encodePlayoutDelay({ minMs: 100, maxMs: 3000 }))).toEqual([0x00, 0xa1, 0x2c]);
    expect(readPlayoutDelay(b(0, 0), 0, 2)).toBeUndefined();
  });
});
