/**
 * RTX retransmission payload format (RFC 4588 §4): the original sequence
 * number (OSN) goes in the first two payload bytes, and the packet travels
 * with the RTX stream's SSRC, payload type and sequence number. Both
 * directions write into a caller-supplied buffer: nothing is allocated.
 */
import type { RtpPacketView } from './rtp-packet-view.js';

/**
 * Writes the RTX packet for `original` into `out`: its header (CSRCs and
 * extensions kept) with `rtxPayloadType`, `rtxSsrc` and `rtxSequenceNumber`,
 * then the OSN, then the original payload (its padding dropped, P cleared).
 * Returns the RTX packet length, or -1 when `out` is too small.
 */
export function wrapRtx(
  original: RtpPacketView,
  out: Uint8Array,
  rtxPayloadType: number,
  rtxSsrc: number,
  rtxSequenceNumber: number,
): number {
  const h = original.headerLength;
  const total = h + 2 + original.payloadLength;
  if (total > out.length) return -1;
  const src = original.buffer;
  // Payload first and OSN read before seq is overwritten, so `out` may be `original.buffer` itself.
  out.set(src.subarray(original.payloadOffset, original.payloadOffset + original.payloadLength), h + 2);
  out.set(src.subarray(0, h), 0);
  out[0] &= ~0x20;
  out[1] = (out[1] & 0x80) | (rtxPayloadType & 0x7f);
  out[h] = src[2];
  out[h + 1] = src[3];
  out[2] = rtxSequenceNumber >>> 8;
  out[3] = rtxSequenceNumber;
  out[8] = rtxSsrc >>> 24;
  out[9] = rtxSsrc >>> 16;
  out[10] = rtxSsrc >>> 8;
  out[11] = rtxSsrc;
  return total;
}

/**
 * Restores the original packet from the RTX packet `rtx` into `out`: header
 * with the OSN as sequence number, `payloadType` and `ssrc` of the original
 * stream, payload after the OSN. Returns its length, or -1 when the RTX
 * payload has no OSN (e.g. a padding-only probe) or `out` is too small.
 */
export function unwrapRtx(rtx: RtpPacketView, out: Uint8Array, payloadType: number, ssrc: number): number {
  if (rtx.payloadLength < 2) return -1;
  const h = rtx.headerLength;
  const total = rtx.length - rtx.paddingLength - 2;
  if (total > out.length) return -1;
  const src = rtx.buffer;
  const osn0 = src[h];
  const osn1 = src[h + 1];
  out.set(src.subarray(h + 2, h + rtx.payloadLength), h);
  out.set(src.subarray(0, h), 0);
  out[0] &= ~0x20;
  out[1] = (out[1] & 0x80) | (payloadType & 0x7f);
  out[2] = osn0;
  out[3] = osn1;
  out[8] = ssrc >>> 24;
  out[9] = ssrc >>> 16;
  out[10] = ssrc >>> 8;
  out[11] = ssrc;
  return total;
}
