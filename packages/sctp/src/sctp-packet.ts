/**
 * The SCTP common header (RFC 9260 §3.1) and the walk over a packet's chunks.
 *
 *  0                   1                   2                   3
 * +-------------------------------+-------------------------------+
 * |      Source Port Number       |    Destination Port Number    |
 * +-------------------------------+-------------------------------+
 * |                      Verification Tag                         |
 * +---------------------------------------------------------------+
 * |                   Checksum (CRC32c, little-endian)            |
 * +---------------------------------------------------------------+
 * | chunk: type(8) flags(8) length(16) value … padded to 4 bytes  |
 */
import { crc32c } from './crc32c.js';

export const COMMON_HEADER_LENGTH = 12;
export const CHUNK_HEADER_LENGTH = 4;

/** Why a packet was dropped before any chunk was looked at. */
export const PacketCheck = {
  OK: 0,
  TOO_SHORT: 1,
  BAD_CHECKSUM: 2,
  BAD_CHUNK_LENGTH: 3,
} as const;
export type PacketCheckResult = (typeof PacketCheck)[keyof typeof PacketCheck];

/**
 * Checks length, checksum and that every chunk header fits its packet (a chunk
 * length below 4 or past the end makes the whole packet malformed). Never
 * throws and never reads past `buf.length`.
 */
export function checkPacket(buf: Uint8Array): PacketCheckResult {
  const len = buf.length;
  if (len < COMMON_HEADER_LENGTH) return PacketCheck.TOO_SHORT;
  const wire = (buf[8] | (buf[9] << 8) | (buf[10] << 16) | (buf[11] << 24)) >>> 0;
  if (crc32c(buf, 0, len, true) !== wire) return PacketCheck.BAD_CHECKSUM;
  let off = COMMON_HEADER_LENGTH;
  while (off < len) {
    if (off + CHUNK_HEADER_LENGTH > len) return PacketCheck.BAD_CHUNK_LENGTH;
    const clen = (buf[off + 2] << 8) | buf[off + 3];
    if (clen < CHUNK_HEADER_LENGTH || off + clen > len) return PacketCheck.BAD_CHUNK_LENGTH;
    off += (clen + 3) & ~3;
  }
  return PacketCheck.OK;
}

export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}

export function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 8;
  buf[off + 1] = v;
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = v >>> 16;
  buf[off + 2] = v >>> 8;
  buf[off + 3] = v;
}

/** Writes the common header (checksum zero, filled later by `finishPacket`). */
export function writeCommonHeader(buf: Uint8Array, srcPort: number, dstPort: number, vtag: number): void {
  writeU16(buf, 0, srcPort);
  writeU16(buf, 2, dstPort);
  writeU32(buf, 4, vtag);
  buf[8] = buf[9] = buf[10] = buf[11] = 0;
}

/** Computes the CRC32c of `buf[0..len)` and stores it little-endian at offset 8. */
export function finishPacket(buf: Uint8Array, len: number): void {
  const c = crc32c(buf, 0, len, true);
  buf[8] = c;
  buf[9] = c >>> 8;
  buf[10] = c >>> 16;
  buf[11] = c >>> 24;
}

/** Writes a chunk header; returns the offset of its value. */
export function writeChunkHeader(
  buf: Uint8Array,
  off: number,
  type: number,
  flags: number,
  length: number,
): number {
  buf[off] = type;
  buf[off + 1] = flags;
  writeU16(buf, off + 2, length);
  return off + 4;
}

/** Rounds a length up to a multiple of 4 (chunks and parameters are padded). */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}
