/**
 * Routing helpers for a demultiplexing thread: find the local ufrag in the
 * USERNAME of a STUN Binding Request without parsing the whole message or
 * checking integrity (the owning agent does that). No allocation.
 */
import { STUN_HEADER_LENGTH, STUN_MAGIC_COOKIE, StunAttr } from './stun-constants.js';

/**
 * Where the local ufrag of a STUN request's USERNAME (`localUfrag:remoteUfrag`,
 * RFC 8445 §7.2.2) lies in `buf[0..length)`, packed as `offset * 65536 + length`
 * (decode with {@link ufragRangeOffset} / {@link ufragRangeLength}), or -1 when
 * the datagram is not a STUN request with a `ufrag:…` USERNAME.
 */
export function localUfragRange(buf: Uint8Array, length: number = buf.length): number {
  if (length > buf.length) length = buf.length;
  if (length < STUN_HEADER_LENGTH || length > 0xffff) return -1;
  // Request class (both class bits zero), first two bits zero, magic cookie.
  if ((buf[0] & 0xc1) !== 0 || (buf[1] & 0x10) !== 0) return -1;
  if (((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) !== STUN_MAGIC_COOKIE) return -1;
  const end = STUN_HEADER_LENGTH + ((buf[2] << 8) | buf[3]);
  if (end > length) return -1;
  let o = STUN_HEADER_LENGTH;
  while (o + 4 <= end) {
    const type = (buf[o] << 8) | buf[o + 1];
    const len = (buf[o + 2] << 8) | buf[o + 3];
    const value = o + 4;
    if (value + len > end) return -1;
    if (type === StunAttr.Username) {
      for (let i = value; i < value + len; i++) {
        if (buf[i] === 0x3a) return i === value ? -1 : value * 65536 + (i - value);
      }
      return -1;
    }
    if (type === StunAttr.MessageIntegrity) return -1;
    o = value + ((len + 3) & ~3);
  }
  return -1;
}

/** Byte offset of the ufrag in a range returned by {@link localUfragRange}. */
export function ufragRangeOffset(range: number): number {
  return Math.floor(range / 65536);
}

/** Byte length of the ufrag in a range returned by {@link localUfragRange}. */
export function ufragRangeLength(range: number): number {
  return range % 65536;
}

/**
 * The local ufrag of a STUN request as text, or undefined. Allocates the
 * string: for routing tables keyed by ufrag; {@link localUfragRange} is the
 * allocation-free form.
 */
export function localUfrag(buf: Uint8Array, length: number = buf.length): string | undefined {
  const range = localUfragRange(buf, length);
  if (range < 0) return undefined;
  const o = ufragRangeOffset(range);
  return Buffer.from(buf.buffer, buf.byteOffset + o, ufragRangeLength(range)).toString('latin1');
}

/** True when `buf[offset..offset+length)` equals `ufrag` (ASCII ice-chars), without allocating. */
export function ufragEquals(buf: Uint8Array, offset: number, length: number, ufrag: string): boolean {
  if (ufrag.length !== length) return false;
  for (let i = 0; i < length; i++) if (buf[offset + i] !== ufrag.charCodeAt(i)) return false;
  return true;
}
