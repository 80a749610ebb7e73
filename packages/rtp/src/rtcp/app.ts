/** Application-defined packet (RFC 3550 §6.7). */
import { allocRtcpPacket, copyBytes, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpApp {
  kind: 'app';
  /** 5-bit subtype carried in the count field. */
  subtype: number;
  ssrc: number;
  /** Four ASCII characters. */
  name: string;
  /** Application data, a multiple of 4 bytes. */
  data: Uint8Array;
}

export function parseApp(b: Uint8Array, o: number, length: number, count: number): RtcpApp | undefined {
  if (length < 8) return undefined;
  return {
    kind: 'app',
    subtype: count,
    ssrc: readU32(b, o),
    name: Buffer.from(b.buffer, b.byteOffset + o + 4, 4).toString('latin1'),
    data: copyBytes(b, o + 8, o + length),
  };
}

export function serializeApp(p: RtcpApp): Buffer {
  if (p.name.length !== 4) throw new RangeError('APP name must be 4 characters');
  if (p.data.length % 4 !== 0) throw new RangeError('APP data must be a multiple of 4 bytes');
  const out = allocRtcpPacket(RtcpPacketType.APP, p.subtype, 8 + p.data.length);
  writeU32(out, 4, p.ssrc);
  out.write(p.name, 8, 4, 'latin1');
  out.set(p.data, 12);
  return out;
}
