/** Full intra request (RFC 5104 §4.3.1): one FCI entry (SSRC, command sequence number) per target. */
import { allocRtcpPacket, PsfbFormat, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpFirEntry {
  ssrc: number;
  /** Command sequence number, 8 bits, incremented per new request. */
  sequenceNumber: number;
}

export interface RtcpFir {
  kind: 'fir';
  senderSsrc: number;
  /** Unused by FIR (RFC 5104 says 0), kept for round trips. */
  mediaSsrc: number;
  entries: RtcpFirEntry[];
}

export function parseFir(b: Uint8Array, o: number, length: number): RtcpFir | undefined {
  if (length < 16 || (length - 8) % 8 !== 0) return undefined;
  const entries: RtcpFirEntry[] = [];
  for (let p = o + 8; p < o + length; p += 8) entries.push({ ssrc: readU32(b, p), sequenceNumber: b[p + 4] });
  return { kind: 'fir', senderSsrc: readU32(b, o), mediaSsrc: readU32(b, o + 4), entries };
}

export function serializeFir(p: RtcpFir): Buffer {
  const out = allocRtcpPacket(RtcpPacketType.PSFB, PsfbFormat.FIR, 8 + p.entries.length * 8);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  p.entries.forEach((e, i) => {
    writeU32(out, 12 + i * 8, e.ssrc);
    out[16 + i * 8] = e.sequenceNumber & 0xff;
  });
  return out;
}
