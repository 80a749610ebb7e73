/**
 * Fixed-size facts about the RTP header (RFC 3550 §5.1) that other layers need
 * without building a full view — SRTP needs the header length to know where the
 * encrypted payload starts.
 */

/** Size of the fixed RTP header, before CSRCs and extensions. */
export const RTP_FIXED_HEADER_LENGTH = 12;

/**
 * Length in bytes of the RTP header of `buf[0..length)` (fixed header, CSRC
 * list and header extension), or -1 when the header is malformed or does not
 * fit in `length` bytes. Never throws and never reads past `length`.
 */
export function rtpHeaderLength(buf: Uint8Array, length: number = buf.length): number {
  if (length < RTP_FIXED_HEADER_LENGTH || length > buf.length) return -1;
  const b0 = buf[0];
  if (b0 >> 6 !== 2) return -1;
  let offset = RTP_FIXED_HEADER_LENGTH + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > length) return -1;
    offset += 4 + ((buf[offset + 2] << 8) | buf[offset + 3]) * 4;
  }
  return offset > length ? -1 : offset;
}
