/**
 * DATA chunk (RFC 9260 §3.3.1). Read in place on the receive path (no object per
 * chunk); written straight into the outgoing packet buffer.
 *
 *  type=0 | res(4) I U B E | length(16)
 *  TSN(32)
 *  Stream Identifier(16) | Stream Sequence Number(16)
 *  Payload Protocol Identifier(32)
 *  user data…
 */
import { ChunkType } from './chunk-type.js';
import { writeChunkHeader, writeU16, writeU32 } from './sctp-packet.js';

export const DATA_HEADER_LENGTH = 16;

/** DATA chunk flags. */
export const DataFlag = {
  END: 0x01,
  BEGINNING: 0x02,
  UNORDERED: 0x04,
  IMMEDIATE: 0x08,
} as const;

/** Writes one DATA chunk (header + payload + zero padding); returns the offset after it. */
export function marshalData(
  buf: Uint8Array,
  off: number,
  flags: number,
  tsn: number,
  streamId: number,
  ssn: number,
  ppid: number,
  payload: Uint8Array,
): number {
  const length = DATA_HEADER_LENGTH + payload.length;
  let p = writeChunkHeader(buf, off, ChunkType.DATA, flags, length);
  writeU32(buf, p, tsn);
  writeU16(buf, p + 4, streamId);
  writeU16(buf, p + 6, ssn);
  writeU32(buf, p + 8, ppid);
  p += 12;
  buf.set(payload, p);
  p += payload.length;
  while (p & 3) buf[p++] = 0;
  return p;
}
