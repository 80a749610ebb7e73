/** Reception report block (RFC 3550 §6.4.1), shared by SR and RR. */
import { readU32, writeU32 } from './rtcp-header.js';

export const REPORT_BLOCK_LENGTH = 24;

export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, 8-bit fixed point (0..255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit. */
  packetsLost: number;
  /** Extended highest sequence number received. */
  highestSequence: number;
  /** Interarrival jitter, timestamp units. */
  jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp. */
  lsr: number;
  /** Delay since that SR, 1/65536 s. */
  dlsr: number;
}

export function readReportBlock(b: Uint8Array, o: number): RtcpReportBlock {
  return {
    ssrc: readU32(b, o),
    fractionLost: b[o + 4],
    packetsLost: (((b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) << 8) >> 8,
    highestSequence: readU32(b, o + 8),
    jitter: readU32(b, o + 12),
    lsr: readU32(b, o + 16),
    dlsr: readU32(b, o + 20),
  };
}

export function writeReportBlock(b: Uint8Array, o: number, r: RtcpReportBlock): void {
  writeU32(b, o, r.ssrc);
  b[o + 4] = r.fractionLost;
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.packetsLost)) & 0xffffff;
  b[o + 5] = lost >>> 16;
  b[o + 6] = lost >>> 8;
  b[o + 7] = lost;
  writeU32(b, o + 8, r.highestSequence);
  writeU32(b, o + 12, r.jitter);
  writeU32(b, o + 16, r.lsr);
  writeU32(b, o + 20, r.dlsr);
}
