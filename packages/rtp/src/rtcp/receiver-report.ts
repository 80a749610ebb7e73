/** Receiver report (RFC 3550 §6.4.2). */
import {
  REPORT_BLOCK_LENGTH,
  type RtcpReportBlock,
  readReportBlock,
  writeReportBlock,
} from './report-block.js';
import { allocRtcpPacket, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export interface RtcpReceiverReport {
  kind: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
}

export function parseReceiverReport(
  b: Uint8Array,
  o: number,
  length: number,
  count: number,
): RtcpReceiverReport | undefined {
  if (length < 4 + count * REPORT_BLOCK_LENGTH) return undefined;
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(b, o + 4 + i * REPORT_BLOCK_LENGTH));
  return { kind: 'rr', ssrc: readU32(b, o), reports };
}

export function serializeReceiverReport(p: RtcpReceiverReport): Buffer {
  const out = allocRtcpPacket(
    RtcpPacketType.RR,
    p.reports.length,
    4 + p.reports.length * REPORT_BLOCK_LENGTH,
  );
  writeU32(out, 4, p.ssrc);
  for (let i = 0; i < p.reports.length; i++) writeReportBlock(out, 8 + i * REPORT_BLOCK_LENGTH, p.reports[i]);
  return out;
}
