/**
 * mediasoup's probation stream: padding-only RTP packets on SSRC 1234 with
 * payload type 127 (what mediasoup-client's "probator" receiver expects), a
 * one-byte-header extension block carrying the transport-wide sequence
 * number, and up to 255 bytes of RTP padding. One buffer, rewritten for
 * each packet: nothing is allocated per packet.
 */
export const PROBATION_SSRC = 1234;
export const PROBATION_PAYLOAD_TYPE = 127;
const HEADER = 12;
const EXTENSION_BLOCK = 8;
export const MAX_PROBATION_PADDING = 255;
export const MAX_PROBATION_PACKET = HEADER + EXTENSION_BLOCK + MAX_PROBATION_PADDING;

export class ProbationPacket {
  readonly buffer = Buffer.alloc(MAX_PROBATION_PACKET);
  private seq = Math.floor(Math.random() * 0x8000);
  private readonly startMs: number;

  constructor(nowMs: number) {
    this.startMs = nowMs;
    const b = this.buffer;
    b[0] = 0x80 | 0x20 | 0x10; // V=2, P, X
    b[1] = PROBATION_PAYLOAD_TYPE;
    b.writeUInt32BE(PROBATION_SSRC, 8);
    b.writeUInt16BE(0xbede, 12);
    b.writeUInt16BE(1, 14); // one 32-bit word of elements
  }

  /**
   * Fills the next packet with `padding` (1–255) bytes of padding and the transport-cc element
   * (`twccExtId`, value written later by the transport); returns its length.
   */
  next(padding: number, twccExtId: number, nowMs: number): number {
    const b = this.buffer;
    const pad = Math.max(1, Math.min(MAX_PROBATION_PADDING, Math.round(padding)));
    this.seq = (this.seq + 1) & 0xffff;
    b.writeUInt16BE(this.seq, 2);
    b.writeUInt32BE(Math.round((nowMs - this.startMs) * 90) >>> 0, 4); // 90 kHz clock
    b[16] = (twccExtId << 4) | 1; // id, length 2
    b[17] = 0;
    b[18] = 0;
    b[19] = 0; // padding of the extension block
    const end = HEADER + EXTENSION_BLOCK + pad;
    b.fill(0, HEADER + EXTENSION_BLOCK, end - 1);
    b[end - 1] = pad;
    return end;
  }
}
