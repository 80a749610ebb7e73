/**
 * VP8 in and out of RTP for the DirectTransport tests: IVF files (what
 * ffmpeg writes with `-f ivf`, and reads back), VP8 frames packetised per
 * RFC 7741 (a one-byte payload descriptor, S on a frame's first packet,
 * marker on its last) and reassembled from packets (any descriptor Chromium
 * writes: picture ID, TL0PICIDX, TID/KEYIDX).
 */

const IVF_HEADER = 32;
const IVF_FRAME_HEADER = 12;

export interface IvfFile {
  width: number;
  height: number;
  frames: Buffer[];
}

/** The frames of an IVF file (`DKIF`, VP80). */
export function parseIvf(file: Buffer): IvfFile {
  if (file.length < IVF_HEADER || file.toString('latin1', 0, 4) !== 'DKIF')
    throw new Error('not an IVF file');
  if (file.toString('latin1', 8, 12) !== 'VP80') throw new Error('not VP8');
  const frames: Buffer[] = [];
  let at = file.readUInt16LE(6);
  while (at + IVF_FRAME_HEADER <= file.length) {
    const size = file.readUInt32LE(at);
    frames.push(file.subarray(at + IVF_FRAME_HEADER, at + IVF_FRAME_HEADER + size));
    at += IVF_FRAME_HEADER + size;
  }
  return { width: file.readUInt16LE(12), height: file.readUInt16LE(14), frames };
}

/** An IVF file of `frames` (timebase 1/90000, each frame's pts its RTP timestamp). */
export function writeIvf(
  width: number,
  height: number,
  frames: Array<{ data: Buffer; pts: number }>,
): Buffer {
  const header = Buffer.alloc(IVF_HEADER);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(IVF_HEADER, 6);
  header.write('VP80', 8, 'latin1');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(90_000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    const h = Buffer.alloc(IVF_FRAME_HEADER);
    h.writeUInt32LE(f.data.length, 0);
    h.writeBigUInt64LE(BigInt(f.pts), 4);
    parts.push(h, f.data);
  }
  return Buffer.concat(parts);
}

/** Whether a VP8 frame is a keyframe (bit 0 of its first byte clear). */
export const isVp8Keyframe = (frame: Buffer) => (frame[0] & 0x01) === 0;

export interface RtpFields {
  payloadType: number;
  ssrc: number;
  sequenceNumber: number;
  timestamp: number;
}

/** One RTP packet (12-byte header, no extensions). */
export function rtpPacket(f: RtpFields & { marker: boolean }, payload: Buffer): Buffer {
  const p = Buffer.alloc(12 + payload.length);
  p[0] = 0x80;
  p[1] = (f.marker ? 0x80 : 0) | f.payloadType;
  p.writeUInt16BE(f.sequenceNumber & 0xffff, 2);
  p.writeUInt32BE(f.timestamp >>> 0, 4);
  p.writeUInt32BE(f.ssrc >>> 0, 8);
  payload.copy(p, 12);
  return p;
}

/** A frame's VP8 RTP payloads (descriptor byte + at most `maxPayload` bytes of the frame each). */
export function vp8Payloads(frame: Buffer, maxPayload = 1100): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < frame.length; at += maxPayload) {
    const descriptor = Buffer.from([at === 0 ? 0x10 : 0x00]);
    out.push(Buffer.concat([descriptor, frame.subarray(at, at + maxPayload)]));
  }
  return out;
}

/** The parts of an RTP packet the tests look at (header with CSRCs/extension skipped, padding removed). */
export function parseRtp(packet: Buffer): RtpFields & { marker: boolean; payload: Buffer } {
  const csrcs = packet[0] & 0x0f;
  let at = 12 + 4 * csrcs;
  if (packet[0] & 0x10) at += 4 + 4 * packet.readUInt16BE(at + 2);
  const end = packet[0] & 0x20 ? packet.length - packet[packet.length - 1] : packet.length;
  return {
    marker: (packet[1] & 0x80) !== 0,
    payloadType: packet[1] & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(at, end),
  };
}

/** A VP8 RTP payload without its descriptor, and whether it starts a frame (S with partition 0). */
export function vp8Depayload(payload: Buffer): { start: boolean; data: Buffer } {
  let at = 1;
  const x = payload[0] & 0x80;
  const start = (payload[0] & 0x10) !== 0 && (payload[0] & 0x07) === 0;
  if (x) {
    const ext = payload[at++];
    if (ext & 0x80) at += payload[at] & 0x80 ? 2 : 1; // I: picture ID, 7 or 15 bits
    if (ext & 0x40) at += 1; // L: TL0PICIDX
    if (ext & 0x30) at += 1; // T or K: TID/Y/KEYIDX
  }
  return { start, data: payload.subarray(at) };
}

/** Reassembles frames from consecutive VP8 RTP packets (a frame ends at the marker bit). */
export class Vp8FrameAssembler {
  readonly frames: Array<{ data: Buffer; pts: number }> = [];
  #parts: Buffer[] = [];
  #open = false;

  push(packet: Buffer): void {
    const rtp = parseRtp(packet);
    if (rtp.payload.length === 0) return;
    const { start, data } = vp8Depayload(rtp.payload);
    if (start) {
      this.#parts = [];
      this.#open = true;
    }
    if (!this.#open) return;
    this.#parts.push(data);
    if (rtp.marker) {
      this.frames.push({ data: Buffer.concat(this.#parts), pts: rtp.timestamp });
      this.#open = false;
    }
  }
}
