/**
 * SACK chunk (RFC 9260 §3.3.4).
 *
 *  type=3 | flags=0 | length
 *  Cumulative TSN Ack(32)
 *  Advertised Receiver Window Credit (a_rwnd)(32)
 *  Number of Gap Ack Blocks(16) | Number of Duplicate TSNs(16)
 *  Gap Ack Block #N Start(16) | End(16)   (offsets from the cumulative TSN)
 *  Duplicate TSN(32)…
 */
import { ChunkType } from './chunk-type.js';
import { readU16, readU32, writeChunkHeader, writeU16, writeU32 } from './sctp-packet.js';

/** A parsed SACK, reused across packets (its arrays grow, never shrink). */
export class SackView {
  cumulativeTsnAck = 0;
  aRwnd = 0;
  gapCount = 0;
  /** Gap starts/ends as offsets from cumulativeTsnAck, `gapCount` entries used. */
  gapStarts: number[] = [];
  gapEnds: number[] = [];
  dupCount = 0;
  dups: number[] = [];

  /** Fills this view from the chunk at `buf[off..off+length)`; false when malformed. */
  read(buf: Uint8Array, off: number, length: number): boolean {
    if (length < 16) return false;
    const gaps = readU16(buf, off + 12);
    const dups = readU16(buf, off + 14);
    if (16 + gaps * 4 + dups * 4 > length) return false;
    this.cumulativeTsnAck = readU32(buf, off + 4);
    this.aRwnd = readU32(buf, off + 8);
    this.gapCount = gaps;
    let p = off + 16;
    for (let i = 0; i < gaps; i++, p += 4) {
      const s = readU16(buf, p);
      const e = readU16(buf, p + 2);
      // RFC 9260 §3.3.4: start must be >= 1 and <= end.
      if (s === 0 || e < s) return false;
      this.gapStarts[i] = s;
      this.gapEnds[i] = e;
    }
    this.dupCount = dups;
    for (let i = 0; i < dups; i++, p += 4) this.dups[i] = readU32(buf, p);
    return true;
  }
}

/** Length of a SACK with `gaps` gap blocks and `dups` duplicate TSNs. */
export function sackLength(gaps: number, dups: number): number {
  return 16 + gaps * 4 + dups * 4;
}

/** Writes a SACK; returns the offset after it. */
export function marshalSack(
  buf: Uint8Array,
  off: number,
  cumulativeTsnAck: number,
  aRwnd: number,
  gapStarts: ArrayLike<number>,
  gapEnds: ArrayLike<number>,
  gapCount: number,
  dups: ArrayLike<number>,
  dupCount: number,
): number {
  let p = writeChunkHeader(buf, off, ChunkType.SACK, 0, sackLength(gapCount, dupCount));
  writeU32(buf, p, cumulativeTsnAck);
  writeU32(buf, p + 4, aRwnd);
  writeU16(buf, p + 8, gapCount);
  writeU16(buf, p + 10, dupCount);
  p += 12;
  for (let i = 0; i < gapCount; i++, p += 4) {
    writeU16(buf, p, gapStarts[i]);
    writeU16(buf, p + 2, gapEnds[i]);
  }
  for (let i = 0; i < dupCount; i++, p += 4) writeU32(buf, p, dups[i]);
  return p;
}
