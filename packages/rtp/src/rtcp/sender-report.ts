/** Sender report (RFC 3550 §6.4.1). */
import {
  REPORT_BLOCK_LENGTH,
  type RtcpReportBlock,
  readReportBlock,
  writeReportBlock,
} from './report-block.js';
import { allocRtcpPacket, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpSenderReport {
  kind: 'sr';
  ssrc: number;
  /** 64-bit NTP timestamp (Q32.32). */
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
}

/** Parses an SR body (after the common header); `undefined` when too short for its count. */
export function parseSenderReport(
  b: Uint8Array,
  o: number,
  length: number,
  count: number,
): RtcpSenderReport | undefined {
  if (length < 24 + count * REPORT_BLOCK_LENGTH) return undefined;
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(b, o + 24 + i * REPORT_BLOCK_LENGTH));
  return {
    kind: 'sr',
    ssrc: readU32(b, o),
    ntpTimestamp: (BigInt(readU32(b, o + 4)) << 32n) | BigInt(readU32(b, o + 8)),
    rtpTimestamp: readU32(b, o + 12),
    packetCount: readU32(b, o + 16),
    octetCount: readU32(b, o + 20),
    reports,
  };
}

export function serializeSenderReport(p: RtcpSenderReport): Buffer {
  const out = allocRtcpPacket(
    RtcpPacketType.SR,
    p.reports.length,
    24 + p.reports.length * REPORT_BLOCK_LENGTH,
  );
  writeU32(out, 4, p.ssrc);
  const ntp = BigInt.asUintN(64, p.ntpTimestamp);
  writeU32(out, 8, Number(ntp >> 32n));
  writeU32(out, 12, Number(ntp & 0xffffffffn));
  writeU32(out, 16, p.rtpTimestamp);
  writeU32(out, 20, p.packetCount);
  writeU32(out, 24, p.octetCount);
  for (let i = 0; i < p.reports.length; i++)
    writeReportBlock(out, 28 + i * REPORT_BLOCK_LENGTH, p.reports[i]);
  return out;
}
