/**
 * Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03): an
 * application-layer feedback (PSFB FMT 15) tagged 'REMB', bitrate as an
 * 18-bit mantissa and a 6-bit exponent.
 */
import { allocRtcpPacket, PsfbFormat, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpRemb {
  kind: 'remb';
  senderSsrc: number;
  /** Always 0 on the wire for REMB. */
  mediaSsrc: number;
  /** Bits per second (mantissa × 2^exp; large values lose low bits when serialized). */
  bitrate: number;
  ssrcs: number[];
}

/** True when a PSFB/AFB body (after the header) carries the 'REMB' identifier. */
export function isRemb(b: Uint8Array, o: number, length: number): boolean {
  return length >= 12 && b[o + 8] === 0x52 && b[o + 9] === 0x45 && b[o + 10] === 0x4d && b[o + 11] === 0x42;
}

export function parseRemb(b: Uint8Array, o: number, length: number): RtcpRemb | undefined {
  if (length < 16 || !isRemb(b, o, length)) return undefined;
  const num = b[o + 12];
  if (length < 16 + num * 4) return undefined;
  const exp = b[o + 13] >> 2;
  const mantissa = ((b[o + 13] & 0x03) << 16) | (b[o + 14] << 8) | b[o + 15];
  const ssrcs: number[] = [];
  for (let i = 0; i < num; i++) ssrcs.push(readU32(b, o + 16 + i * 4));
  return {
    kind: 'remb',
    senderSsrc: readU32(b, o),
    mediaSsrc: readU32(b, o + 4),
    bitrate: mantissa * 2 ** exp,
    ssrcs,
  };
}

export function serializeRemb(p: RtcpRemb): Buffer {
  if (p.ssrcs.length > 255) throw new RangeError('REMB lists at most 255 SSRCs');
  let mantissa = Math.max(0, Math.floor(p.bitrate));
  let exp = 0;
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  if (exp > 63) throw new RangeError('REMB bitrate out of range');
  const out = allocRtcpPacket(RtcpPacketType.PSFB, PsfbFormat.AFB, 16 + p.ssrcs.length * 4);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  out.write('REMB', 12, 4, 'latin1');
  out[16] = p.ssrcs.length;
  out[17] = (exp << 2) | (mantissa >>> 16);
  out[18] = mantissa >>> 8;
  out[19] = mantissa;
  for (let i = 0; i < p.ssrcs.length; i++) writeU32(out, 20 + i * 4, p.ssrcs[i]);
  return out;
}
