/**
 * VP8 payload descriptor (RFC 7741 §4.2): what forwarding needs — keyframe,
 * picture id (7 or 15 bits), TL0PICIDX, temporal layer and layer sync — plus
 * in-place rewriting of picture id and TL0PICIDX for simulcast switching.
 *
 *      0 1 2 3 4 5 6 7
 *     |X|R|N|S|R| PID |   required
 *     |I|L|T|K| RSV   |   X: extensions
 *     |M| PictureID   |   I: 7 or 15 bits (M)
 *     |   TL0PICIDX   |   L
 *     |TID|Y| KEYIDX  |   T or K
 */
export class Vp8Descriptor {
  /** Descriptor length in bytes; the VP8 payload header follows. */
  length = 0;
  nonReference = false;
  /** S: first packet of a partition. */
  startOfPartition = false;
  partitionIndex = 0;
  /** Picture id, or -1 when absent. */
  pictureId = -1;
  /** 7 or 15 (M bit), 0 when absent. */
  pictureIdBits = 0;
  /** Offset of the picture id field from the descriptor start, or -1. */
  pictureIdOffset = -1;
  /** TL0PICIDX, or -1 when absent. */
  tl0PicIdx = -1;
  tl0PicIdxOffset = -1;
  /** Temporal layer id, or -1 when absent. */
  tid = -1;
  /** Y: layer sync (a switching point to this temporal layer). */
  layerSync = false;
  /** KEYIDX, or -1 when absent. */
  keyIdx = -1;
  /** A keyframe's first packet: S=1, partition 0, and the payload header's P bit 0. */
  isKeyFrame = false;

  /** Parses the descriptor at `buf[offset..offset+length)`; false when malformed. */
  parse(buf: Uint8Array, offset: number, length: number): boolean {
    this.length = 0;
    this.isKeyFrame = false;
    this.pictureId = -1;
    this.pictureIdBits = 0;
    this.pictureIdOffset = -1;
    this.tl0PicIdx = -1;
    this.tl0PicIdxOffset = -1;
    this.tid = -1;
    this.layerSync = false;
    this.keyIdx = -1;
    if (length < 1 || offset + length > buf.length) return false;
    const end = offset + length;
    const b0 = buf[offset];
    this.nonReference = (b0 & 0x20) !== 0;
    this.startOfPartition = (b0 & 0x10) !== 0;
    this.partitionIndex = b0 & 0x0f;
    let p = offset + 1;
    if (b0 & 0x80) {
      if (p >= end) return false;
      const x = buf[p++];
      if (x & 0x80) {
        if (p >= end) return false;
        this.pictureIdOffset = p - offset;
        if (buf[p] & 0x80) {
          if (p + 2 > end) return false;
          this.pictureId = ((buf[p] & 0x7f) << 8) | buf[p + 1];
          this.pictureIdBits = 15;
          p += 2;
        } else {
          this.pictureId = buf[p];
          this.pictureIdBits = 7;
          p += 1;
        }
      }
      if (x & 0x40) {
        if (p >= end) return false;
        this.tl0PicIdxOffset = p - offset;
        this.tl0PicIdx = buf[p++];
      }
      if (x & 0x30) {
        if (p >= end) return false;
        const tk = buf[p++];
        if (x & 0x20) {
          this.tid = tk >> 6;
          this.layerSync = (tk & 0x20) !== 0;
        }
        if (x & 0x10) this.keyIdx = tk & 0x1f;
      }
    }
    this.length = p - offset;
    // The VP8 payload header's first byte: P (inverse key frame flag) is bit 0.
    this.isKeyFrame = this.startOfPartition && this.partitionIndex === 0 && p < end && (buf[p] & 0x01) === 0;
    return true;
  }

  /**
   * Rewrites the picture id in place (keeping its 7- or 15-bit size; the value
   * is truncated to it). `offset` is the descriptor start given to `parse`.
   * Returns false when the descriptor has no picture id.
   */
  setPictureId(buf: Uint8Array, offset: number, pictureId: number): boolean {
    if (this.pictureIdOffset < 0) return false;
    const o = offset + this.pictureIdOffset;
    if (this.pictureIdBits === 15) {
      buf[o] = 0x80 | ((pictureId >> 8) & 0x7f);
      buf[o + 1] = pictureId;
      this.pictureId = pictureId & 0x7fff;
    } else {
      buf[o] = pictureId & 0x7f;
      this.pictureId = pictureId & 0x7f;
    }
    return true;
  }

  /** Rewrites TL0PICIDX in place; false when absent. */
  setTl0PicIdx(buf: Uint8Array, offset: number, tl0PicIdx: number): boolean {
    if (this.tl0PicIdxOffset < 0) return false;
    buf[offset + this.tl0PicIdxOffset] = tl0PicIdx;
    this.tl0PicIdx = tl0PicIdx & 0xff;
    return true;
  }
}
