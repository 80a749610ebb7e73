import { ByteReader } from '../util/byte-reader.js';

/** DTLSPlaintext/DTLSCiphertext header (RFC 6347 §4.1): 13 bytes. */
export const RECORD_HEADER_LENGTH = 13;
/** Largest record body DTLS 1.2 allows: 2^14 plaintext + 2048 expansion. */
export const MAX_RECORD_BODY_LENGTH = 16384 + 2048;

export interface RecordHeader {
  contentType: number;
  version: number;
  epoch: number;
  /** 48-bit sequence number, exact in a double. */
  sequenceNumber: number;
  /** Length of the record body that follows the header. */
  length: number;
}

/** Writes a record header into `out` at `offset`. Returns the offset after it. */
export function writeRecordHeader(
  out: Uint8Array,
  offset: number,
  contentType: number,
  version: number,
  epoch: number,
  sequenceNumber: number,
  length: number,
): number {
  out[offset] = contentType;
  out[offset + 1] = version >> 8;
  out[offset + 2] = version & 0xff;
  out[offset + 3] = epoch >> 8;
  out[offset + 4] = epoch & 0xff;
  const hi = Math.floor(sequenceNumber / 0x1_0000_0000);
  const lo = sequenceNumber >>> 0;
  out[offset + 5] = hi >> 8;
  out[offset + 6] = hi & 0xff;
  out[offset + 7] = lo >>> 24;
  out[offset + 8] = (lo >>> 16) & 0xff;
  out[offset + 9] = (lo >>> 8) & 0xff;
  out[offset + 10] = lo & 0xff;
  out[offset + 11] = length >> 8;
  out[offset + 12] = length & 0xff;
  return offset + RECORD_HEADER_LENGTH;
}

export function marshalRecordHeader(h: RecordHeader): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH);
  writeRecordHeader(out, 0, h.contentType, h.version, h.epoch, h.sequenceNumber, h.length);
  return out;
}

/**
 * Parses the header at `offset`; undefined when fewer than 13 bytes remain or
 * the announced body runs past `end`.
 */
export function unmarshalRecordHeader(
  buf: Uint8Array,
  offset = 0,
  end = buf.length,
): RecordHeader | undefined {
  const r = new ByteReader(buf, offset, end);
  const contentType = r.u8();
  const version = r.u16();
  const epoch = r.u16();
  const sequenceNumber = r.u48();
  const length = r.u16();
  if (r.failed || length > r.remaining) return undefined;
  return { contentType, version, epoch, sequenceNumber, length };
}
