import { ByteReader } from '../util/byte-reader.js';

/** DTLS handshake header (RFC 6347 §4.2.2): 12 bytes. */
export const HANDSHAKE_HEADER_LENGTH = 12;

export interface HandshakeHeader {
  type: number;
  /** Length of the whole message body. */
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

export function writeHandshakeHeader(out: Uint8Array, offset: number, h: HandshakeHeader): number {
  out[offset] = h.type;
  out[offset + 1] = h.length >>> 16;
  out[offset + 2] = (h.length >>> 8) & 0xff;
  out[offset + 3] = h.length & 0xff;
  out[offset + 4] = h.messageSeq >> 8;
  out[offset + 5] = h.messageSeq & 0xff;
  out[offset + 6] = h.fragmentOffset >>> 16;
  out[offset + 7] = (h.fragmentOffset >>> 8) & 0xff;
  out[offset + 8] = h.fragmentOffset & 0xff;
  out[offset + 9] = h.fragmentLength >>> 16;
  out[offset + 10] = (h.fragmentLength >>> 8) & 0xff;
  out[offset + 11] = h.fragmentLength & 0xff;
  return offset + HANDSHAKE_HEADER_LENGTH;
}

export function marshalHandshakeHeader(h: HandshakeHeader): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH);
  writeHandshakeHeader(out, 0, h);
  return out;
}

/**
 * Parses a header at `offset`. Undefined when short, when the fragment runs
 * past `end`, or when offset + fragment length exceeds the message length.
 */
export function unmarshalHandshakeHeader(
  buf: Uint8Array,
  offset = 0,
  end = buf.length,
): HandshakeHeader | undefined {
  const r = new ByteReader(buf, offset, end);
  const type = r.u8();
  const length = r.u24();
  const messageSeq = r.u16();
  const fragmentOffset = r.u24();
  const fragmentLength = r.u24();
  if (r.failed || fragmentLength > r.remaining || fragmentOffset + fragmentLength > length) return undefined;
  return { type, length, messageSeq, fragmentOffset, fragmentLength };
}

/** A whole (unfragmented) handshake message as it enters the transcript hash. */
export function wrapHandshakeMessage(type: number, messageSeq: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + body.length);
  writeHandshakeHeader(out, 0, {
    type,
    length: body.length,
    messageSeq,
    fragmentOffset: 0,
    fragmentLength: body.length,
  });
  out.set(body, HANDSHAKE_HEADER_LENGTH);
  return out;
}
