/**
 * The AV1 dependency descriptor RTP header extension (AV1 RTP spec
 * appendix A), the part an SFU needs to drop layers: the mandatory fields
 * of every packet (start/end of frame, template id, frame number) and, from
 * the template dependency structure a keyframe carries, each template's
 * spatial and temporal layer (`template_layers()`). Decode target
 * indications, frame diffs, chains and resolutions are not read.
 */
export class Av1DependencyDescriptor {
  startOfFrame = false;
  endOfFrame = false;
  templateId = 0;
  frameNumber = 0;
  /** Whether this packet carried a template dependency structure (then read into `structure`). */
  hasStructure = false;

  /** Parses `buf[offset, offset + length)`; false when it is too short or its structure is malformed. */
  parse(buf: Uint8Array, offset: number, length: number, structure: Av1TemplateStructure): boolean {
    this.hasStructure = false;
    if (length < 3 || offset + length > buf.length) return false;
    const b0 = buf[offset];
    this.startOfFrame = (b0 & 0x80) !== 0;
    this.endOfFrame = (b0 & 0x40) !== 0;
    this.templateId = b0 & 0x3f;
    this.frameNumber = (buf[offset + 1] << 8) | buf[offset + 2];
    if (length === 3) return true;
    const r = reader;
    r.reset(buf, offset + 3, offset + length);
    const structurePresent = r.bit();
    r.bits(4); // active decode targets, custom dtis / fdiffs / chains flags
    if (structurePresent !== 1) return !r.overrun;
    const templateIdOffset = r.bits(6);
    r.bits(5); // dt_cnt_minus_one
    const sids: number[] = [];
    const tids: number[] = [];
    let sid = 0;
    let tid = 0;
    for (;;) {
      sids.push(sid);
      tids.push(tid);
      const next = r.bits(2);
      if (r.overrun || sids.length > 64) return false;
      if (next === 3) break;
      if (next === 1) tid++;
      else if (next === 2) {
        tid = 0;
        sid++;
      }
    }
    structure.set(templateIdOffset, sids, tids);
    this.hasStructure = true;
    return true;
  }
}

/** The layers of each frame template of the latest structure (kept across packets). */
export class Av1TemplateStructure {
  templateIdOffset = 0;
  readonly spatialIds: number[] = [];
  readonly temporalIds: number[] = [];

  get known(): boolean {
    return this.spatialIds.length > 0;
  }

  set(templateIdOffset: number, sids: number[], tids: number[]): void {
    this.templateIdOffset = templateIdOffset;
    this.spatialIds.length = 0;
    this.temporalIds.length = 0;
    this.spatialIds.push(...sids);
    this.temporalIds.push(...tids);
  }

  /** The index of `templateId`'s template, -1 when the structure does not have it. */
  private index(templateId: number): number {
    const i = (templateId + 64 - this.templateIdOffset) % 64;
    return i < this.spatialIds.length ? i : -1;
  }

  temporalIdOf(templateId: number): number {
    const i = this.index(templateId);
    return i < 0 ? -1 : this.temporalIds[i];
  }

  spatialIdOf(templateId: number): number {
    const i = this.index(templateId);
    return i < 0 ? -1 : this.spatialIds[i];
  }
}

/** MSB-first bit reader over a byte range (one, reused: parsing is synchronous). */
class BitReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  overrun = false;

  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.pos = start * 8;
    this.end = end * 8;
    this.overrun = false;
  }

  bit(): number {
    if (this.pos >= this.end) {
      this.overrun = true;
      return 0;
    }
    const v = (this.buf[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return v;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }
}

const reader = new BitReader();
