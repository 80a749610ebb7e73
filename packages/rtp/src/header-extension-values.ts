/**
 * Values of the RTP header extensions an SFU reads or rewrites. Readers take
 * (buffer, value offset, value length) as `RtpPacketView.findExtension` gives
 * them and return `undefined` when the length is wrong; writers fill a value
 * in place, and `encode*` build one for `serializeRtpPacket`.
 */

/**
 * The extension URIs as they appear in SDP `a=extmap` and mediasoup's RTP
 * parameters: the one table every package names them from.
 */
export const RTP_EXTENSION_URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  repairedRid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportWideCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  videoOrientation: 'urn:3gpp:video-orientation',
  toffset: 'urn:ietf:params:rtp-hdrext:toffset',
  absCaptureTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
  playoutDelay: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  dependencyDescriptor:
    'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
  /** mediasoup's own (`enableMediasoupPacketIdHeaderExtension`). */
  mediasoupPacketId: 'urn:mediasoup:params:rtp-hdrext:packet-id',
} as const;

// --- mid, rid, repaired-rid (RFC 8843 §15, RFC 8852 §3): an SDES item's text ---

/** Reads a mid / rid / repaired-rid value, or `undefined` when empty. */
export function readSdesText(buf: Uint8Array, offset: number, length: number): string | undefined {
  if (length < 1 || offset + length > buf.length) return undefined;
  return Buffer.from(buf.buffer, buf.byteOffset + offset, length).toString('utf8');
}

/** Encodes a mid / rid / repaired-rid value (1..255 bytes of UTF-8). */
export function encodeSdesText(text: string): Uint8Array {
  const b = Buffer.from(text, 'utf8');
  if (b.length < 1 || b.length > 255) throw new RangeError('SDES text must be 1..255 bytes');
  return b;
}

// --- abs-send-time: 24-bit 6.18 fixed-point seconds ---

/** Reads abs-send-time as its raw 24-bit 6.18 fixed-point value. */
export function readAbsSendTime(buf: Uint8Array, offset: number, length: number): number | undefined {
  if (length !== 3 || offset + 3 > buf.length) return undefined;
  return (buf[offset] << 16) | (buf[offset + 1] << 8) | buf[offset + 2];
}

/** Writes a raw 24-bit abs-send-time value in place. */
export function writeAbsSendTime(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 16;
  buf[offset + 1] = value >>> 8;
  buf[offset + 2] = value;
}

/** abs-send-time for a time in ms: seconds in 6.18 fixed point, wrapping every 64 s. */
export function absSendTimeFromMs(ms: number): number {
  return Math.round((ms * 262144) / 1000) & 0xffffff;
}

export function encodeAbsSendTime(value: number): Uint8Array {
  const b = new Uint8Array(3);
  writeAbsSendTime(b, 0, value);
  return b;
}

// --- transport-wide-cc sequence number: 16 bits ---

export function readTransportSequence(buf: Uint8Array, offset: number, length: number): number | undefined {
  if (length !== 2 || offset + 2 > buf.length) return undefined;
  return (buf[offset] << 8) | buf[offset + 1];
}

export function writeTransportSequence(buf: Uint8Array, offset: number, seq: number): void {
  buf[offset] = seq >>> 8;
  buf[offset + 1] = seq;
}

export function encodeTransportSequence(seq: number): Uint8Array {
  const b = new Uint8Array(2);
  writeTransportSequence(b, 0, seq);
  return b;
}

// --- ssrc-audio-level (RFC 6464): V flag + level in -dBov, 0..127 ---

/**
 * Reads ssrc-audio-level as `level | (voice ? 0x80 : 0)` (the byte itself),
 * or -1 when the length is wrong — a number so the hot path allocates nothing.
 * Use `audioLevelOf` / `voiceActivityOf` to split it.
 */
export function readAudioLevelByte(buf: Uint8Array, offset: number, length: number): number {
  // The one-byte form carries 1 byte; RFC 6464 allows padding to 2+ in two-byte form.
  if (length < 1 || offset + 1 > buf.length) return -1;
  return buf[offset];
}

/** Level in -dBov (0 = loudest, 127 = silence) from the audio-level byte. */
export function audioLevelOf(byte: number): number {
  return byte & 0x7f;
}

/** The voice-activity flag from the audio-level byte. */
export function voiceActivityOf(byte: number): boolean {
  return (byte & 0x80) !== 0;
}

export function encodeAudioLevel(level: number, voice: boolean): Uint8Array {
  return Uint8Array.of((voice ? 0x80 : 0) | (Math.min(127, Math.max(0, level)) & 0x7f));
}

// --- 3GPP video orientation (TS 26.114 §7.4.5): 0 0 0 0 C F R1 R0 ---

export interface VideoOrientation {
  /** Back-facing camera (C bit). */
  backCamera: boolean;
  /** Horizontal flip (F bit). */
  flip: boolean;
  /** Rotation of the video as sent, degrees counter-clockwise: 0, 90, 180 or 270. */
  rotation: number;
}

export function readVideoOrientation(
  buf: Uint8Array,
  offset: number,
  length: number,
): VideoOrientation | undefined {
  if (length < 1 || offset + 1 > buf.length) return undefined;
  const b = buf[offset];
  return { backCamera: (b & 0x08) !== 0, flip: (b & 0x04) !== 0, rotation: (b & 0x03) * 90 };
}

export function encodeVideoOrientation(v: VideoOrientation): Uint8Array {
  return Uint8Array.of((v.backCamera ? 0x08 : 0) | (v.flip ? 0x04 : 0) | ((v.rotation / 90) & 0x03));
}

// --- toffset (RFC 5450): 24-bit signed transmission time offset ---

export function readToffset(buf: Uint8Array, offset: number, length: number): number | undefined {
  if (length !== 3 || offset + 3 > buf.length) return undefined;
  return (((buf[offset] << 16) | (buf[offset + 1] << 8) | buf[offset + 2]) << 8) >> 8;
}

export function encodeToffset(value: number): Uint8Array {
  return Uint8Array.of((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

// --- abs-capture-time: 64-bit NTP capture time, optional 64-bit signed clock offset (Q32.32) ---

export interface AbsCaptureTime {
  /** Capture time as a Q32.32 NTP timestamp. */
  absoluteCaptureTimestamp: bigint;
  /** Estimated capture clock offset, Q32.32 signed, when present. */
  estimatedCaptureClockOffset?: bigint;
}

export function readAbsCaptureTime(
  buf: Uint8Array,
  offset: number,
  length: number,
): AbsCaptureTime | undefined {
  if ((length !== 8 && length !== 16) || offset + length > buf.length) return undefined;
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, length);
  const out: AbsCaptureTime = { absoluteCaptureTimestamp: dv.getBigUint64(0) };
  if (length === 16) out.estimatedCaptureClockOffset = dv.getBigInt64(8);
  return out;
}

export function encodeAbsCaptureTime(v: AbsCaptureTime): Uint8Array {
  const b = new Uint8Array(v.estimatedCaptureClockOffset === undefined ? 8 : 16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt.asUintN(64, v.absoluteCaptureTimestamp));
  if (v.estimatedCaptureClockOffset !== undefined) {
    dv.setBigInt64(8, BigInt.asIntN(64, v.estimatedCaptureClockOffset));
  }
  return b;
}

// --- playout-delay: 12-bit min and max delay in 10 ms units ---

export interface PlayoutDelay {
  minMs: number;
  maxMs: number;
}

export function readPlayoutDelay(buf: Uint8Array, offset: number, length: number): PlayoutDelay | undefined {
  if (length !== 3 || offset + 3 > buf.length) return undefined;
  const v = (buf[offset] << 16) | (buf[offset + 1] << 8) | buf[offset + 2];
  return { minMs: (v >>> 12) * 10, maxMs: (v & 0xfff) * 10 };
}

export function encodePlayoutDelay(d: PlayoutDelay): Uint8Array {
  const min = Math.min(0xfff, Math.round(d.minMs / 10));
  const max = Math.min(0xfff, Math.round(d.maxMs / 10));
  const v = (min << 12) | max;
  return Uint8Array.of(v >>> 16, (v >>> 8) & 0xff, v & 0xff);
}
