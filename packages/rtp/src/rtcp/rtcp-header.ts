/**
 * RTCP common header (RFC 3550 §6.4) and a reusable view that walks the
 * packets of a compound RTCP datagram without allocating.
 */

/** RTCP packet types. */
export const RtcpPacketType = {
  SR: 200,
  RR: 201,
  SDES: 202,
  BYE: 203,
  APP: 204,
  /** Transport-layer feedback (RFC 4585): NACK, transport-cc. */
  RTPFB: 205,
  /** Payload-specific feedback (RFC 4585): PLI, FIR, REMB. */
  PSFB: 206,
  /** Extended reports (RFC 3611). */
  XR: 207,
} as const;

/** FMT values of RTPFB packets. */
export const RtpfbFormat = { NACK: 1, TRANSPORT_CC: 15 } as const;
/** FMT values of PSFB packets. */
export const PsfbFormat = { PLI: 1, FIR: 4, AFB: 15 } as const;

export const RTCP_HEADER_LENGTH = 4;

/**
 * RFC 5761 §4, the one rule that tells RTCP from RTP on a muxed port: the
 * packet's second byte, read whole, is an RTCP packet type (192..223). As an
 * RTP byte that is marker 1 + payload type 64..95 — why those payload types
 * must not be used on a muxed port; with marker 0 (64..95) it is RTP.
 */
export function isRtcpPacketType(secondByte: number): boolean {
  return secondByte >= 192 && secondByte <= 223;
}

/**
 * True when a datagram on a muxed RTP/RTCP port is RTCP (RFC 5761 §4): an
 * RTCP header (version 2, 4 bytes) whose second byte is an RTCP packet type.
 */
export function isRtcp(buf: Uint8Array, length: number = buf.length): boolean {
  return length >= RTCP_HEADER_LENGTH && buf[0] >> 6 === 2 && isRtcpPacketType(buf[1]);
}

export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/**
 * Allocates a zeroed RTCP packet of `bodyLength` bytes after the common header
 * (a multiple of 4) and writes the header. For the control-path serializers.
 */
export function allocRtcpPacket(packetType: number, count: number, bodyLength: number): Buffer {
  if (bodyLength % 4 !== 0) throw new RangeError('RTCP body must be a multiple of 4 bytes');
  if (count < 0 || count > 31) throw new RangeError('RTCP count/FMT must be 0..31');
  const out = Buffer.alloc(RTCP_HEADER_LENGTH + bodyLength);
  out[0] = 0x80 | count;
  out[1] = packetType;
  writeU16(out, 2, bodyLength / 4);
  return out;
}

/**
 * Walks the packets of a compound RTCP datagram: `wrap()` once, then
 * `while (view.next()) { … view.packetType … }`. `next()` returns false at the
 * end or at the first malformed packet (then `malformed` is true). Offsets are
 * into `buffer`; nothing is allocated.
 */
export class RtcpCompoundView {
  buffer: Uint8Array = new Uint8Array(0);
  length = 0;
  /** Offset of the current packet's header. */
  offset = 0;
  /** Current packet's length in bytes, header and padding included. */
  packetLength = 0;
  /** Current packet's count / FMT field (5 bits). */
  count = 0;
  packetType = 0;
  /** Offset and length of the current packet's body (after the 4-byte header, padding excluded). */
  bodyOffset = 0;
  bodyLength = 0;
  /** Set when iteration stopped at a malformed packet. */
  malformed = false;
  private nextOffset = 0;

  wrap(buf: Uint8Array, length: number = buf.length): void {
    this.buffer = buf;
    this.length = length >= 0 ? Math.min(length, buf.length) : 0; // NaN or negative: empty
    this.nextOffset = 0;
    this.malformed = false;
    this.packetLength = 0;
  }

  next(): boolean {
    const b = this.buffer;
    const o = this.nextOffset;
    if (o >= this.length) return false;
    if (o + RTCP_HEADER_LENGTH > this.length || b[o] >> 6 !== 2) return this.fail();
    const len = (readU16(b, o + 2) + 1) * 4;
    if (o + len > this.length) return this.fail();
    let padding = 0;
    if (b[o] & 0x20) {
      padding = b[o + len - 1];
      if (padding === 0 || padding > len - RTCP_HEADER_LENGTH) return this.fail();
    }
    this.offset = o;
    this.packetLength = len;
    this.count = b[o] & 0x1f;
    this.packetType = b[o + 1];
    this.bodyOffset = o + RTCP_HEADER_LENGTH;
    this.bodyLength = len - RTCP_HEADER_LENGTH - padding;
    this.nextOffset = o + len;
    return true;
  }

  private fail(): boolean {
    this.malformed = true;
    this.nextOffset = this.length;
    return false;
  }

  /** First SSRC of the body (sender / packet sender SSRC), or -1 when the body is too short. */
  get senderSsrc(): number {
    return this.bodyLength >= 4 ? readU32(this.buffer, this.bodyOffset) : -1;
  }

  /** Media source SSRC of a feedback packet (RFC 4585 §6.1), or -1 when too short. */
  get mediaSsrc(): number {
    return this.bodyLength >= 8 ? readU32(this.buffer, this.bodyOffset + 4) : -1;
  }
}

/** A copy of `b[start..end)` as a plain Uint8Array (Buffer#slice would share memory). */
export function copyBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}
