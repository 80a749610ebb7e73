/** Picture loss indication (RFC 4585 §6.3.1). */
import { allocRtcpPacket, PsfbFormat, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpPli {
  kind: 'pli';
  senderSsrc: number;
  mediaSsrc: number;
}

export function parsePli(b: Uint8Array, o: number, length: number): RtcpPli | undefined {
  if (length < 8) return undefined;
  return { kind: 'pli', senderSsrc: readU32(b, o), mediaSsrc: readU32(b, o + 4) };
}

export function serializePli(p: RtcpPli): Buffer {
  const out = allocRtcpPacket(RtcpPacketType.PSFB, PsfbFormat.PLI, 8);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  return out;
}
