/**
 * A reusable, zero-copy view over one RTP packet (RFC 3550 §5.1) with its
 * RFC 8285 header extensions. One view is made per stream or per worker and
 * re-pointed at each packet with `wrap()`: nothing is allocated per packet.
 */
import { RTP_FIXED_HEADER_LENGTH } from './rtp-header.js';

/** "defined by profile" value of the RFC 8285 one-byte form. */
export const EXTENSION_PROFILE_ONE_BYTE = 0xbede;
/** "defined by profile" value of the RFC 8285 two-byte form (low 4 bits are app bits). */
export const EXTENSION_PROFILE_TWO_BYTE = 0x1000;

/** Header extension form of a packet, from its "defined by profile" field. */
export const RtpExtensionForm = {
  None: 0,
  OneByte: 1,
  TwoByte: 2,
  /** An extension block of another profile: kept opaque, no elements. */
  Other: 3,
} as const;
export type RtpExtensionForm = (typeof RtpExtensionForm)[keyof typeof RtpExtensionForm];

/** More elements than any sane sender puts in one packet; beyond it `wrap()` fails. */
export const MAX_EXTENSION_ELEMENTS = 32;

export class RtpPacketView {
  /** The wrapped bytes; valid only after `wrap()` returned true. */
  buffer: Uint8Array = new Uint8Array(0);
  /** Packet length within `buffer`. */
  length = 0;
  /** Fixed header + CSRCs + extension block. */
  headerLength = 0;
  payloadOffset = 0;
  /** Payload bytes, padding excluded. */
  payloadLength = 0;
  /** Padding bytes at the end, including the count byte (0 when P=0). */
  paddingLength = 0;
  extensionForm: RtpExtensionForm = RtpExtensionForm.None;
  /** "defined by profile" field of the extension block (0 when X=0). */
  extensionProfile = 0;
  /** Offset of the extension data (after its 4-byte header), and its length in bytes. */
  extensionDataOffset = 0;
  extensionDataLength = 0;
  /** Number of header extension elements found by `wrap()` (padding excluded). */
  extensionCount = 0;
  // Element tables, filled by wrap(): parallel arrays so lookups allocate nothing.
  readonly extensionIds = new Uint8Array(MAX_EXTENSION_ELEMENTS);
  readonly extensionValueOffsets = new Uint16Array(MAX_EXTENSION_ELEMENTS);
  readonly extensionValueLengths = new Uint16Array(MAX_EXTENSION_ELEMENTS);

  /**
   * Points the view at `buf[0..length)`. Returns false (and leaves the view
   * unusable) when the packet is malformed: too short, version ≠ 2, CSRCs,
   * extension block or an extension element overrunning the packet, or a bad
   * padding count. Never throws, never reads past `length`.
   */
  wrap(buf: Uint8Array, length: number = buf.length): boolean {
    this.length = 0;
    this.extensionCount = 0;
    // Written so NaN fails too.
    if (!(length >= RTP_FIXED_HEADER_LENGTH && length <= buf.length)) return false;
    const b0 = buf[0];
    if (b0 >> 6 !== 2) return false;
    let offset = RTP_FIXED_HEADER_LENGTH + (b0 & 0x0f) * 4;
    if (offset > length) return false;
    this.extensionForm = RtpExtensionForm.None;
    this.extensionProfile = 0;
    this.extensionDataOffset = 0;
    this.extensionDataLength = 0;
    if (b0 & 0x10) {
      if (offset + 4 > length) return false;
      const profile = (buf[offset] << 8) | buf[offset + 1];
      const dataLength = ((buf[offset + 2] << 8) | buf[offset + 3]) * 4;
      const dataOffset = offset + 4;
      if (dataOffset + dataLength > length) return false;
      this.extensionProfile = profile;
      this.extensionDataOffset = dataOffset;
      this.extensionDataLength = dataLength;
      if (profile === EXTENSION_PROFILE_ONE_BYTE) {
        this.extensionForm = RtpExtensionForm.OneByte;
        if (!this.scanOneByte(buf, dataOffset, dataOffset + dataLength)) return false;
      } else if ((profile & 0xfff0) === EXTENSION_PROFILE_TWO_BYTE) {
        this.extensionForm = RtpExtensionForm.TwoByte;
        if (!this.scanTwoByte(buf, dataOffset, dataOffset + dataLength)) return false;
      } else {
        this.extensionForm = RtpExtensionForm.Other;
      }
      offset = dataOffset + dataLength;
    }
    let padding = 0;
    if (b0 & 0x20) {
      if (length === offset) return false;
      padding = buf[length - 1];
      // The count includes itself, so 0 is malformed (RFC 3550 §5.1).
      if (padding === 0 || offset + padding > length) return false;
    }
    this.buffer = buf;
    this.length = length;
    this.headerLength = offset;
    this.payloadOffset = offset;
    this.paddingLength = padding;
    this.payloadLength = length - offset - padding;
    return true;
  }

  private scanOneByte(buf: Uint8Array, p: number, end: number): boolean {
    let n = 0;
    while (p < end) {
      const b = buf[p];
      if (b === 0) {
        p++; // padding between elements
        continue;
      }
      const id = b >> 4;
      // id 15 is reserved, and id 0 is only ever the padding byte 0: stop processing the
      // block there (RFC 8285 §4.2; libwebrtc does the same), never report an element with id 0.
      if (id === 15 || id === 0) break;
      const len = (b & 0x0f) + 1;
      if (p + 1 + len > end || n === MAX_EXTENSION_ELEMENTS) return false;
      this.extensionIds[n] = id;
      this.extensionValueOffsets[n] = p + 1;
      this.extensionValueLengths[n] = len;
      n++;
      p += 1 + len;
    }
    this.extensionCount = n;
    return true;
  }

  private scanTwoByte(buf: Uint8Array, p: number, end: number): boolean {
    let n = 0;
    while (p < end) {
      const id = buf[p];
      if (id === 0) {
        p++;
        continue;
      }
      if (p + 2 > end) return false;
      const len = buf[p + 1];
      if (p + 2 + len > end || n === MAX_EXTENSION_ELEMENTS) return false;
      this.extensionIds[n] = id;
      this.extensionValueOffsets[n] = p + 2;
      this.extensionValueLengths[n] = len;
      n++;
      p += 2 + len;
    }
    this.extensionCount = n;
    return true;
  }

  get version(): number {
    return this.buffer[0] >> 6;
  }
  get padding(): boolean {
    return (this.buffer[0] & 0x20) !== 0;
  }
  get hasExtension(): boolean {
    return (this.buffer[0] & 0x10) !== 0;
  }
  get csrcCount(): number {
    return this.buffer[0] & 0x0f;
  }
  /** The i-th contributing source, 0 <= i < csrcCount. */
  csrc(i: number): number {
    const o = RTP_FIXED_HEADER_LENGTH + i * 4;
    const b = this.buffer;
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  get marker(): boolean {
    return (this.buffer[1] & 0x80) !== 0;
  }
  set marker(m: boolean) {
    this.buffer[1] = m ? this.buffer[1] | 0x80 : this.buffer[1] & 0x7f;
  }

  get payloadType(): number {
    return this.buffer[1] & 0x7f;
  }
  set payloadType(pt: number) {
    this.buffer[1] = (this.buffer[1] & 0x80) | (pt & 0x7f);
  }

  get sequenceNumber(): number {
    return (this.buffer[2] << 8) | this.buffer[3];
  }
  set sequenceNumber(seq: number) {
    this.buffer[2] = seq >>> 8;
    this.buffer[3] = seq;
  }

  get timestamp(): number {
    const b = this.buffer;
    return ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
  }
  set timestamp(ts: number) {
    const b = this.buffer;
    b[4] = ts >>> 24;
    b[5] = ts >>> 16;
    b[6] = ts >>> 8;
    b[7] = ts;
  }

  get ssrc(): number {
    const b = this.buffer;
    return ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0;
  }
  set ssrc(ssrc: number) {
    const b = this.buffer;
    b[8] = ssrc >>> 24;
    b[9] = ssrc >>> 16;
    b[10] = ssrc >>> 8;
    b[11] = ssrc;
  }

  /**
   * Copies the packet into `out` (e.g. a consumer's send buffer, before
   * rewriting it) and returns its length, or -1 when it does not fit.
   */
  copyTo(out: Uint8Array): number {
    const n = this.length;
    if (n > out.length) return -1;
    out.set(n === this.buffer.length ? this.buffer : this.buffer.subarray(0, n));
    return n;
  }

  /** Index of the first extension element with `id` (for the accessors below), or -1. */
  findExtension(id: number): number {
    const n = this.extensionCount;
    const ids = this.extensionIds;
    for (let i = 0; i < n; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** Offset in `buffer` of the value of extension `id`, or -1 when absent. */
  extensionOffset(id: number): number {
    const i = this.findExtension(id);
    return i < 0 ? -1 : this.extensionValueOffsets[i];
  }

  /** Length of the value of extension `id`, or -1 when absent. */
  extensionLength(id: number): number {
    const i = this.findExtension(id);
    return i < 0 ? -1 : this.extensionValueLengths[i];
  }

  /** A subarray (no copy) over the value of extension `id`; allocates a view, so keep it off the hot path. */
  extensionValue(id: number): Uint8Array | undefined {
    const i = this.findExtension(id);
    if (i < 0) return undefined;
    const o = this.extensionValueOffsets[i];
    return this.buffer.subarray(o, o + this.extensionValueLengths[i]);
  }

  /**
   * Overwrites the value of extension `id` in place. Returns false when the
   * extension is absent or `value` has a different length (growing the header
   * is a job for `serializeRtpPacket`).
   */
  setExtensionValue(id: number, value: Uint8Array): boolean {
    const i = this.findExtension(id);
    if (i < 0 || this.extensionValueLengths[i] !== value.length) return false;
    this.buffer.set(value, this.extensionValueOffsets[i]);
    return true;
  }

  /**
   * Rewrites extension ids in place through `table` (built once per consumer by
   * `createExtensionIdTable`): element id → `table[id]`, and elements mapped to
   * 0 are removed, the rest compacted to the front of the block and the tail
   * filled with padding. The header length never changes, so the payload does
   * not move. In the one-byte form, ids above 14 cannot be written and are
   * removed too.
   */
  remapExtensions(table: Uint8Array): void {
    const n = this.extensionCount;
    if (n === 0) return;
    const b = this.buffer;
    const ids = this.extensionIds;
    const offsets = this.extensionValueOffsets;
    const lengths = this.extensionValueLengths;
    const oneByte = this.extensionForm === RtpExtensionForm.OneByte;
    const headSize = oneByte ? 1 : 2;
    const maxId = oneByte ? 14 : 255;
    let write = this.extensionDataOffset;
    let kept = 0;
    let moved = false;
    for (let i = 0; i < n; i++) {
      const to = table[ids[i]];
      const len = lengths[i];
      const start = offsets[i] - headSize;
      if (to === 0 || to > maxId) {
        moved = true;
        continue;
      }
      if (moved && start !== write) b.copyWithin(write, start, start + headSize + len);
      if (oneByte) b[write] = (to << 4) | (len - 1);
      else b[write] = to;
      ids[kept] = to;
      offsets[kept] = write + headSize;
      lengths[kept] = len;
      kept++;
      write += headSize + len;
    }
    if (moved) b.fill(0, write, this.extensionDataOffset + this.extensionDataLength);
    this.extensionCount = kept;
  }
}

/**
 * Builds the id remapping table `RtpPacketView.remapExtensions` uses, once per
 * consumer: `mapping` gives, for each producer-side id the consumer
 * negotiated, the consumer-side id. Every id not in `mapping` maps to 0 (removed).
 * Throws on ids outside 1..255 — this is configuration, not packet input.
 */
export function createExtensionIdTable(mapping: Iterable<readonly [from: number, to: number]>): Uint8Array {
  const table = new Uint8Array(256);
  for (const [from, to] of mapping) {
    if (!Number.isInteger(from) || from < 1 || from > 255 || !Number.isInteger(to) || to < 1 || to > 255) {
      throw new RangeError(`bad header extension id mapping ${from} -> ${to}`);
    }
    table[from] = to;
  }
  return table;
}
