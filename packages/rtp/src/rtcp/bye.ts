/** Goodbye (RFC 3550 §6.6). */
import { allocRtcpPacket, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpBye {
  kind: 'bye';
  ssrcs: number[];
  reason?: string;
}

export function parseBye(b: Uint8Array, o: number, length: number, count: number): RtcpBye | undefined {
  if (length < count * 4) return undefined;
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(readU32(b, o + i * 4));
  const p: RtcpBye = { kind: 'bye', ssrcs };
  const r = o + count * 4;
  if (r < o + length) {
    const len = b[r];
    if (r + 1 + len > o + length) return undefined;
    p.reason = Buffer.from(b.buffer, b.byteOffset + r + 1, len).toString('utf8');
  }
  return p;
}

export function serializeBye(p: RtcpBye): Buffer {
  const reason = p.reason === undefined ? undefined : Buffer.from(p.reason, 'utf8');
  if (reason && reason.length > 255) throw new RangeError('BYE reason longer than 255 bytes');
  const reasonLength = reason ? Math.ceil((1 + reason.length) / 4) * 4 : 0;
  const out = allocRtcpPacket(RtcpPacketType.BYE, p.ssrcs.length, p.ssrcs.length * 4 + reasonLength);
  for (let i = 0; i < p.ssrcs.length; i++) writeU32(out, 4 + i * 4, p.ssrcs[i]);
  if (reason) {
    const r = 4 + p.ssrcs.length * 4;
    out[r] = reason.length;
    out.set(reason, r + 1);
  }
  return out;
}
