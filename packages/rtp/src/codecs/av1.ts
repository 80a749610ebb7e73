/**
 * AV1 RTP aggregation header (AV1 RTP spec §4.4):
 *
 *      0 1 2 3 4 5 6 7
 *     |Z|Y| W |N|-|-|-|
 *
 * Z: first OBU continues a fragment, Y: last OBU continues in the next packet,
 * W: OBU count (0 = length-prefixed), N: first packet of a coded video
 * sequence — a keyframe a decoder can start from.
 */
export interface Av1AggregationHeader {
  continuesFragment: boolean;
  fragmentContinues: boolean;
  obuCount: number;
  newCodedVideoSequence: boolean;
}

export function parseAv1AggregationHeader(
  buf: Uint8Array,
  offset: number,
  length: number,
): Av1AggregationHeader | undefined {
  if (length < 1 || offset + length > buf.length) return undefined;
  const b = buf[offset];
  return {
    continuesFragment: (b & 0x80) !== 0,
    fragmentContinues: (b & 0x40) !== 0,
    obuCount: (b >> 4) & 0x03,
    newCodedVideoSequence: (b & 0x08) !== 0,
  };
}

/** True when the packet begins a new coded video sequence (N=1, Z=0): a keyframe. */
export function isAv1KeyFrame(buf: Uint8Array, offset: number, length: number): boolean {
  if (length < 1 || offset + length > buf.length) return false;
  return (buf[offset] & 0x88) === 0x08;
}
