/**
 * A data message's subchannel metadata on a PipeTransport's SCTP association,
 * byte for byte as mediasoup 3.27 writes it (worker/include/RTC/SubchannelsCodec.hpp):
 * a header prepended to the payload, PPID and stream id unchanged.
 *
 *   8 bytes  magic token 0xA5F09CB3D6E1F28C; its bit 1 (R) says a
 *            requiredSubchannel follows, its bit 0 (I) an ignoredSubchannel
 *   2 bytes  subchannelsCount
 *   2 bytes  each subchannel
 *   2 bytes  requiredSubchannel (if R)
 *   2 bytes  ignoredSubchannel (if I)
 *   ...      the original payload
 *
 * All fields big-endian. A message with no metadata crosses the pipe as it is.
 */

/** The magic token's high and low 32 bits (its two low bits are the flags, 0 in the token). */
const TOKEN_HIGH = 0xa5f09cb3;
const TOKEN_LOW = 0xd6e1f28c;
const REQUIRED_FLAG = 0x2;
const IGNORED_FLAG = 0x1;
const FLAGS = REQUIRED_FLAG | IGNORED_FLAG;
/** Magic token plus subchannelsCount. */
const FIXED_LENGTH = 10;
const MAX_SUBCHANNELS = 0xffff;

export interface SubchannelsMetadata {
  subchannels: number[];
  requiredSubchannel?: number;
  ignoredSubchannel?: number;
}

export interface DecodedSubchannels extends SubchannelsMetadata {
  /** The original payload: a view into the received bytes, not a copy. */
  payload: Uint8Array;
}

/** The payload starts with the magic token but is too short for the fields it announces. */
export const MALFORMED = Symbol('malformed subchannels header');

/**
 * The payload with the header in front, or the payload itself when there is
 * nothing to encode (no subchannels, no required or ignored subchannel) or,
 * as mediasoup, more subchannels than the count field holds.
 */
export function encodeSubchannels(
  payload: Uint8Array,
  subchannels: readonly number[],
  requiredSubchannel: number | undefined,
  ignoredSubchannel: number | undefined,
): Uint8Array {
  const hasRequired = requiredSubchannel !== undefined;
  const hasIgnored = ignoredSubchannel !== undefined;
  if (subchannels.length === 0 && !hasRequired && !hasIgnored) return payload;
  if (subchannels.length > MAX_SUBCHANNELS) return payload;
  const headerLength = FIXED_LENGTH + subchannels.length * 2 + (hasRequired ? 2 : 0) + (hasIgnored ? 2 : 0);
  const out = new Uint8Array(headerLength + payload.byteLength);
  const view = new DataView(out.buffer);
  const flags = (hasRequired ? REQUIRED_FLAG : 0) | (hasIgnored ? IGNORED_FLAG : 0);
  view.setUint32(0, TOKEN_HIGH);
  view.setUint32(4, (TOKEN_LOW | flags) >>> 0);
  view.setUint16(8, subchannels.length);
  let offset = FIXED_LENGTH;
  for (const s of subchannels) {
    view.setUint16(offset, s);
    offset += 2;
  }
  if (hasRequired) {
    view.setUint16(offset, requiredSubchannel);
    offset += 2;
  }
  if (hasIgnored) view.setUint16(offset, ignoredSubchannel);
  out.set(payload, headerLength);
  return out;
}

/**
 * The metadata and original payload of a message that starts with the magic
 * token; undefined for any other message (it carries no metadata: delivered
 * as it is); MALFORMED when the token is there but the announced fields do not
 * fit (mediasoup passes such a message on unchanged; tsfu drops and counts it).
 */
export function decodeSubchannels(data: Uint8Array): DecodedSubchannels | undefined | typeof MALFORMED {
  if (data.byteLength < FIXED_LENGTH) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const low = view.getUint32(4);
  if (view.getUint32(0) !== TOKEN_HIGH || (low & ~FLAGS) >>> 0 !== TOKEN_LOW) return undefined;
  const hasRequired = (low & REQUIRED_FLAG) !== 0;
  const hasIgnored = (low & IGNORED_FLAG) !== 0;
  const count = view.getUint16(8);
  const headerLength = FIXED_LENGTH + count * 2 + (hasRequired ? 2 : 0) + (hasIgnored ? 2 : 0);
  if (data.byteLength < headerLength) return MALFORMED;
  const subchannels = new Array<number>(count);
  let offset = FIXED_LENGTH;
  for (let i = 0; i < count; i++) {
    subchannels[i] = view.getUint16(offset);
    offset += 2;
  }
  const decoded: DecodedSubchannels = { subchannels, payload: data.subarray(headerLength) };
  if (hasRequired) {
    decoded.requiredSubchannel = view.getUint16(offset);
    offset += 2;
  }
  if (hasIgnored) decoded.ignoredSubchannel = view.getUint16(offset);
  return decoded;
}
