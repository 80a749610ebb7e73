/**
 * H264 RTP payload (RFC 6184 §5): keyframe detection through single NAL unit
 * packets, STAP-A aggregates and FU-A fragments. A packet is a keyframe when
 * it carries an SPS (7) or an IDR slice (5) — where an IDR starts.
 */
export const H264NalType = { NonIdr: 1, Idr: 5, Sei: 6, Sps: 7, Pps: 8, StapA: 24, FuA: 28 } as const;

/**
 * Type of the first NAL unit the packet carries (for FU-A, the fragmented
 * unit's type), or -1 when the payload is malformed.
 */
export function h264NalType(buf: Uint8Array, offset: number, length: number): number {
  if (length < 1 || offset + length > buf.length) return -1;
  const t = buf[offset] & 0x1f;
  if (t === H264NalType.StapA) return length >= 4 ? buf[offset + 3] & 0x1f : -1;
  if (t === H264NalType.FuA) return length >= 2 ? buf[offset + 1] & 0x1f : -1;
  return t;
}

function isKeyNal(t: number): boolean {
  return t === H264NalType.Idr || t === H264NalType.Sps;
}

/** True when this packet starts a keyframe. Malformed payloads are not keyframes. */
export function isH264KeyFrame(buf: Uint8Array, offset: number, length: number): boolean {
  if (length < 1 || offset + length > buf.length) return false;
  const t = buf[offset] & 0x1f;
  if (t === H264NalType.StapA) {
    // STAP-A: [hdr] then (16-bit size, NAL unit)*
    let p = offset + 1;
    const end = offset + length;
    while (p + 2 < end) {
      const size = (buf[p] << 8) | buf[p + 1];
      if (size === 0 || p + 2 + size > end) return false;
      if (isKeyNal(buf[p + 2] & 0x1f)) return true;
      p += 2 + size;
    }
    return false;
  }
  if (t === H264NalType.FuA) {
    // FU-A: [indicator][S|E|R|type]; only the start fragment begins the frame.
    return length >= 2 && (buf[offset + 1] & 0x80) !== 0 && isKeyNal(buf[offset + 1] & 0x1f);
  }
  return isKeyNal(t);
}
