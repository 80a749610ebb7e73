/**
 * FORWARD TSN chunk (RFC 3758 §3.2): tells the receiver to move its cumulative
 * TSN past abandoned messages, and, per ordered stream, the last skipped SSN.
 *
 *  type=192 | flags=0 | length
 *  New Cumulative TSN(32)
 *  Stream-1(16) | Stream Sequence-1(16) …
 */
import { ChunkType } from './chunk-type.js';
import { readU16, readU32, writeChunkHeader, writeU16, writeU32 } from './sctp-packet.js';

export interface ForwardTsnChunk {
  newCumulativeTsn: number;
  streams: Array<{ streamId: number; ssn: number }>;
}

/** Parses the chunk at `buf[off..off+length)`; undefined when malformed. */
export function unmarshalForwardTsn(
  buf: Uint8Array,
  off: number,
  length: number,
): ForwardTsnChunk | undefined {
  if (length < 8 || (length - 8) % 4 !== 0) return undefined;
  const out: ForwardTsnChunk = { newCumulativeTsn: readU32(buf, off + 4), streams: [] };
  for (let p = off + 8; p < off + length; p += 4) {
    out.streams.push({ streamId: readU16(buf, p), ssn: readU16(buf, p + 2) });
  }
  return out;
}

export function forwardTsnLength(c: ForwardTsnChunk): number {
  return 8 + c.streams.length * 4;
}

export function marshalForwardTsn(c: ForwardTsnChunk, buf: Uint8Array, off: number): number {
  let p = writeChunkHeader(buf, off, ChunkType.FORWARD_TSN, 0, forwardTsnLength(c));
  writeU32(buf, p, c.newCumulativeTsn);
  p += 4;
  for (const s of c.streams) {
    writeU16(buf, p, s.streamId);
    writeU16(buf, p + 2, s.ssn);
    p += 4;
  }
  return p;
}
