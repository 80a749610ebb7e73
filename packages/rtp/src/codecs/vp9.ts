/**
 * VP9 payload descriptor (RFC 9628 §4.2), flexible and non-flexible modes:
 *
 *      0 1 2 3 4 5 6 7
 *     |I|P|L|F|B|E|V|Z|   required
 *     |M| PICTURE ID  |   I (15 bits when M)
 *     |TID|U| SID |D  |   L
 *     |   TL0PICIDX   |   L and not F
 *     | P_DIFF      |N|   F and P, up to 3
 *     | scalability structure ... | V
 */
export class Vp9Descriptor {
  /** Descriptor length in bytes, scalability structure included. */
  length = 0;
  /** P: inter-picture predicted. */
  interPicturePredicted = false;
  /** F: flexible mode. */
  flexible = false;
  /** B / E: first / last packet of a layer frame. */
  beginningOfFrame = false;
  endOfFrame = false;
  /** V: a scalability structure is present. */
  hasScalabilityStructure = false;
  /** Z: not a reference for upper spatial layers. */
  notReferenceForUpperSpatial = false;
  pictureId = -1;
  pictureIdBits = 0;
  /** Temporal / spatial layer ids, 0 when no layer indices are present. */
  tid = 0;
  sid = 0;
  hasLayerIndices = false;
  /** U: switching up point (a higher temporal layer can be switched to here). */
  switchingUpPoint = false;
  /** D: inter-layer dependency (depends on the lower spatial layer). */
  interLayerDependency = false;
  tl0PicIdx = -1;
  /** Number of P_DIFF references (flexible mode). */
  referenceCount = 0;
  /** Start of a keyframe: not inter-predicted, beginning of frame, spatial layer 0. */
  isKeyFrame = false;

  parse(buf: Uint8Array, offset: number, length: number): boolean {
    this.length = 0;
    this.isKeyFrame = false;
    this.pictureId = -1;
    this.pictureIdBits = 0;
    this.tid = 0;
    this.sid = 0;
    this.hasLayerIndices = false;
    this.switchingUpPoint = false;
    this.interLayerDependency = false;
    this.tl0PicIdx = -1;
    this.referenceCount = 0;
    if (length < 1 || offset + length > buf.length) return false;
    const end = offset + length;
    const b0 = buf[offset];
    const hasPictureId = (b0 & 0x80) !== 0;
    this.interPicturePredicted = (b0 & 0x40) !== 0;
    const hasLayers = (b0 & 0x20) !== 0;
    this.flexible = (b0 & 0x10) !== 0;
    this.beginningOfFrame = (b0 & 0x08) !== 0;
    this.endOfFrame = (b0 & 0x04) !== 0;
    this.hasScalabilityStructure = (b0 & 0x02) !== 0;
    this.notReferenceForUpperSpatial = (b0 & 0x01) !== 0;
    let p = offset + 1;
    if (hasPictureId) {
      if (p >= end) return false;
      if (buf[p] & 0x80) {
        if (p + 2 > end) return false;
        this.pictureId = ((buf[p] & 0x7f) << 8) | buf[p + 1];
        this.pictureIdBits = 15;
        p += 2;
      } else {
        this.pictureId = buf[p++];
        this.pictureIdBits = 7;
      }
    }
    if (hasLayers) {
      if (p >= end) return false;
      const l = buf[p++];
      this.hasLayerIndices = true;
      this.tid = l >> 5;
      this.switchingUpPoint = (l & 0x10) !== 0;
      this.sid = (l >> 1) & 0x07;
      this.interLayerDependency = (l & 0x01) !== 0;
      if (!this.flexible) {
        if (p >= end) return false;
        this.tl0PicIdx = buf[p++];
      }
    }
    if (this.flexible && this.interPicturePredicted) {
      for (;;) {
        if (p >= end || this.referenceCount === 3) return false;
        const r = buf[p++];
        this.referenceCount++;
        if ((r & 0x01) === 0) break;
      }
    }
    if (this.hasScalabilityStructure) {
      const q = skipScalabilityStructure(buf, p, end);
      if (q < 0) return false;
      p = q;
    }
    this.length = p - offset;
    this.isKeyFrame = !this.interPicturePredicted && this.beginningOfFrame && this.sid === 0;
    return true;
  }
}

/** Skips an SS (RFC 9628 §4.2.1); returns the offset after it, or -1 when it overruns. */
function skipScalabilityStructure(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const ss = buf[p++];
  const spatialLayers = (ss >> 5) + 1;
  if (ss & 0x10) p += 4 * spatialLayers; // Y: width and height per layer
  if (ss & 0x08) {
    // G: picture group description
    if (p >= end) return -1;
    const groups = buf[p++];
    for (let i = 0; i < groups; i++) {
      if (p >= end) return -1;
      const refs = (buf[p] >> 2) & 0x03;
      p += 1 + refs;
    }
  }
  return p > end ? -1 : p;
}
