/**
 * Room for the transport-wide sequence number in packets of producers that did
 * not negotiate transport-cc (pipe, plain and direct producers): as mediasoup's
 * producers do on ingress, so that every video packet a WebRTC consumer sends
 * carries a number the receiver's feedback covers — without it the estimator
 * of a transport that forwards piped producers sees only its probes.
 * Runs in the worker thread, on the receive path of those producers only, while
 * one of their consumers maps the slot (`Producer.transportCcSlotUsers`).
 */
import { RtpExtensionForm, type RtpPacketView } from '@tsfu/rtp';

/** The id the slot takes in a producer's packets: transport-cc's usual 5, else the first one-byte id free. */
export function transportCcSlotId(usedIds: readonly number[]): number {
  if (!usedIds.includes(5)) return 5;
  for (let id = 1; id <= 14; id++) if (!usedIds.includes(id)) return id;
  return 0;
}

/**
 * Writes `packet` into `dst` with a 2-byte extension element `id` (value 0) added at the end of its
 * header extension block (a one-byte-form block made when it has none); returns the new length, or
 * -1 when it cannot (extension profile neither RFC 8285 form, `dst` too small).
 */
export function copyWithTransportCcSlot(packet: RtpPacketView, id: number, dst: Buffer): number {
  const src = packet.buffer;
  const n = packet.length;
  const form = packet.extensionForm;
  if (form === RtpExtensionForm.None) {
    if (n + 8 > dst.length) return -1;
    const h = 12 + 4 * packet.csrcCount;
    dst.set(src.subarray(0, h), 0);
    dst[0] |= 0x10;
    // 0xBEDE, one word: the element (id, length 2 - 1), two zero bytes, one padding byte.
    dst[h] = 0xbe;
    dst[h + 1] = 0xde;
    dst[h + 2] = 0;
    dst[h + 3] = 1;
    dst[h + 4] = (id << 4) | 1;
    dst.fill(0, h + 5, h + 8);
    dst.set(src.subarray(h, n), h + 8);
    return n + 8;
  }
  if (form !== RtpExtensionForm.OneByte && form !== RtpExtensionForm.TwoByte) return -1;
  const words = packet.extensionDataLength / 4 + 1;
  if (n + 4 > dst.length || words > 0xffff) return -1;
  const end = packet.extensionDataOffset + packet.extensionDataLength;
  dst.set(src.subarray(0, end), 0);
  dst.writeUInt16BE(words, packet.extensionDataOffset - 2);
  // Padding bytes (0) may sit between elements in both forms: the element after them still counts.
  if (form === RtpExtensionForm.OneByte) {
    dst[end] = (id << 4) | 1;
    dst.fill(0, end + 1, end + 4);
  } else {
    dst[end] = id;
    dst[end + 1] = 2;
    dst.fill(0, end + 2, end + 4);
  }
  dst.set(src.subarray(end, n), end + 4);
  return n + 4;
}
