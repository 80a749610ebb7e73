/**
 * Compound RTCP as plain objects, for the control path: parse a datagram into
 * its known packets (unknown types and feedback formats are skipped) and
 * serialize a list of packets back into one compound datagram.
 */
import { parseApp, type RtcpApp, serializeApp } from './app.js';
import { parseBye, type RtcpBye, serializeBye } from './bye.js';
import { parseFir, type RtcpFir, serializeFir } from './fir.js';
import { parseNack, type RtcpNack, serializeNack } from './nack.js';
import { parsePli, type RtcpPli, serializePli } from './pli.js';
import { parseReceiverReport, type RtcpReceiverReport, serializeReceiverReport } from './receiver-report.js';
import { isRemb, parseRemb, type RtcpRemb, serializeRemb } from './remb.js';
import { PsfbFormat, RtcpCompoundView, RtcpPacketType, RtpfbFormat } from './rtcp-header.js';
import { parseSdes, type RtcpSdes, serializeSdes } from './sdes.js';
import { parseSenderReport, type RtcpSenderReport, serializeSenderReport } from './sender-report.js';
import { parseTransportCc, type RtcpTransportCc, serializeTransportCc } from './transport-cc.js';
import { parseXr, type RtcpXr, serializeXr } from './xr.js';

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSdes
  | RtcpBye
  | RtcpApp
  | RtcpNack
  | RtcpTransportCc
  | RtcpPli
  | RtcpFir
  | RtcpRemb
  | RtcpXr;

/** Parses the packet the view is on; `undefined` for unknown types/formats, `null` when malformed. */
function parseCurrent(v: RtcpCompoundView): RtcpPacket | undefined | null {
  const b = v.buffer;
  const o = v.bodyOffset;
  const len = v.bodyLength;
  switch (v.packetType) {
    case RtcpPacketType.SR:
      return parseSenderReport(b, o, len, v.count) ?? null;
    case RtcpPacketType.RR:
      return parseReceiverReport(b, o, len, v.count) ?? null;
    case RtcpPacketType.SDES:
      return parseSdes(b, o, len, v.count) ?? null;
    case RtcpPacketType.BYE:
      return parseBye(b, o, len, v.count) ?? null;
    case RtcpPacketType.APP:
      return parseApp(b, o, len, v.count) ?? null;
    case RtcpPacketType.RTPFB:
      if (v.count === RtpfbFormat.NACK) return parseNack(b, o, len) ?? null;
      if (v.count === RtpfbFormat.TRANSPORT_CC) return parseTransportCc(b, o, len) ?? null;
      return undefined;
    case RtcpPacketType.PSFB:
      if (v.count === PsfbFormat.PLI) return parsePli(b, o, len) ?? null;
      if (v.count === PsfbFormat.FIR) return parseFir(b, o, len) ?? null;
      if (v.count === PsfbFormat.AFB && isRemb(b, o, len)) return parseRemb(b, o, len) ?? null;
      return undefined;
    case RtcpPacketType.XR:
      return parseXr(b, o, len) ?? null;
    default:
      return undefined;
  }
}

/**
 * Parses a compound RTCP datagram. Returns `undefined` when its framing or any
 * known packet in it is malformed; unknown packet types and feedback formats
 * are skipped. Never throws, never reads past `length`.
 */
export function parseRtcpPackets(buf: Uint8Array, length: number = buf.length): RtcpPacket[] | undefined {
  const v = new RtcpCompoundView();
  v.wrap(buf, length);
  const out: RtcpPacket[] = [];
  while (v.next()) {
    const p = parseCurrent(v);
    if (p === null) return undefined;
    if (p !== undefined) out.push(p);
  }
  return v.malformed ? undefined : out;
}

export function serializeRtcpPacket(p: RtcpPacket): Buffer {
  switch (p.kind) {
    case 'sr':
      return serializeSenderReport(p);
    case 'rr':
      return serializeReceiverReport(p);
    case 'sdes':
      return serializeSdes(p);
    case 'bye':
      return serializeBye(p);
    case 'app':
      return serializeApp(p);
    case 'nack':
      return serializeNack(p);
    case 'transport-cc':
      return serializeTransportCc(p);
    case 'pli':
      return serializePli(p);
    case 'fir':
      return serializeFir(p);
    case 'remb':
      return serializeRemb(p);
    case 'xr':
      return serializeXr(p);
  }
}

/** Serializes packets back to back into one compound datagram. */
export function serializeRtcpPackets(packets: readonly RtcpPacket[]): Buffer {
  return Buffer.concat(packets.map(serializeRtcpPacket));
}
