/**
 * RTP packets as plain objects, for the control path and tests: build a packet
 * from fields (`serializeRtpPacket`) and read one back (`parseRtpPacket`).
 * The forwarding path uses `RtpPacketView` instead.
 */
import { copyBytes } from './rtcp/rtcp-header.js';
import { RTP_FIXED_HEADER_LENGTH } from './rtp-header.js';
import {
  EXTENSION_PROFILE_ONE_BYTE,
  EXTENSION_PROFILE_TWO_BYTE,
  RtpExtensionForm,
  RtpPacketView,
} from './rtp-packet-view.js';

export interface RtpHeaderExtension {
  /** 1..14 for the one-byte form, 1..255 for the two-byte form. */
  id: number;
  value: Uint8Array;
}

export interface RtpPacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: number[];
  /** Elements of an RFC 8285 extension block; the form is chosen to fit them. */
  extensions?: RtpHeaderExtension[];
  payload?: Uint8Array;
  /** Padding bytes to append, count byte included (0 or 1..255). */
  paddingLength?: number;
}

export interface ParsedRtpPacket extends Required<RtpPacketFields> {
  /** "defined by profile" of the extension block, 0 when there is none. */
  extensionProfile: number;
}

function fitsOneByte(exts: RtpHeaderExtension[]): boolean {
  for (const e of exts) {
    if (e.id < 1 || e.id > 14 || e.value.length < 1 || e.value.length > 16) return false;
  }
  return true;
}

/** Bytes the extension block takes (4-byte header + elements, padded to words), 0 for none. */
function extensionBlockLength(exts: RtpHeaderExtension[], oneByte: boolean): number {
  if (exts.length === 0) return 0;
  let n = 0;
  for (const e of exts) n += (oneByte ? 1 : 2) + e.value.length;
  return 4 + Math.ceil(n / 4) * 4;
}

/**
 * Serializes a packet. Uses the one-byte extension form when every element
 * fits it (id 1..14, 1..16 bytes), else the two-byte form. Throws RangeError
 * on fields that cannot be encoded (this builds packets, it does not receive them).
 */
export function serializeRtpPacket(f: RtpPacketFields): Buffer {
  const csrcs = f.csrcs ?? [];
  const exts = f.extensions ?? [];
  const payload = f.payload ?? new Uint8Array(0);
  const padding = f.paddingLength ?? 0;
  if (csrcs.length > 15) throw new RangeError('more than 15 CSRCs');
  if (padding < 0 || padding > 255) throw new RangeError('padding length out of 0..255');
  for (const e of exts) {
    if (e.id < 1 || e.id > 255 || e.value.length > 255) throw new RangeError(`bad header extension ${e.id}`);
  }
  const oneByte = fitsOneByte(exts);
  const extLength = extensionBlockLength(exts, oneByte);
  const headerLength = RTP_FIXED_HEADER_LENGTH + csrcs.length * 4 + extLength;
  const out = Buffer.alloc(headerLength + payload.length + padding);
  out[0] = 0x80 | (padding ? 0x20 : 0) | (extLength ? 0x10 : 0) | csrcs.length;
  out[1] = (f.marker ? 0x80 : 0) | (f.payloadType & 0x7f);
  out.writeUInt16BE(f.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(f.timestamp >>> 0, 4);
  out.writeUInt32BE(f.ssrc >>> 0, 8);
  let o = RTP_FIXED_HEADER_LENGTH;
  for (const c of csrcs) {
    out.writeUInt32BE(c >>> 0, o);
    o += 4;
  }
  if (extLength) {
    out.writeUInt16BE(oneByte ? EXTENSION_PROFILE_ONE_BYTE : EXTENSION_PROFILE_TWO_BYTE, o);
    out.writeUInt16BE((extLength - 4) / 4, o + 2);
    let p = o + 4;
    for (const e of exts) {
      if (oneByte) {
        out[p++] = (e.id << 4) | (e.value.length - 1);
      } else {
        out[p++] = e.id;
        out[p++] = e.value.length;
      }
      out.set(e.value, p);
      p += e.value.length;
    }
    o += extLength; // the tail of the block stays zero: padding
  }
  out.set(payload, o);
  if (padding) out[out.length - 1] = padding;
  return out;
}

/**
 * Parses a packet into a plain object (values are copies), or `undefined`
 * when it is malformed. Extension blocks of a profile other than RFC 8285's
 * are reported through `extensionProfile` with no elements.
 */
export function parseRtpPacket(buf: Uint8Array, length: number = buf.length): ParsedRtpPacket | undefined {
  const v = new RtpPacketView();
  if (!v.wrap(buf, length)) return undefined;
  const csrcs: number[] = [];
  for (let i = 0; i < v.csrcCount; i++) csrcs.push(v.csrc(i));
  const extensions: RtpHeaderExtension[] = [];
  if (v.extensionForm === RtpExtensionForm.OneByte || v.extensionForm === RtpExtensionForm.TwoByte) {
    for (let i = 0; i < v.extensionCount; i++) {
      const off = v.extensionValueOffsets[i];
      extensions.push({
        id: v.extensionIds[i],
        value: copyBytes(buf, off, off + v.extensionValueLengths[i]),
      });
    }
  }
  return {
    payloadType: v.payloadType,
    sequenceNumber: v.sequenceNumber,
    timestamp: v.timestamp,
    ssrc: v.ssrc,
    marker: v.marker,
    csrcs,
    extensions,
    extensionProfile: v.extensionProfile,
    payload: copyBytes(buf, v.payloadOffset, v.payloadOffset + v.payloadLength),
    paddingLength: v.paddingLength,
  };
}
