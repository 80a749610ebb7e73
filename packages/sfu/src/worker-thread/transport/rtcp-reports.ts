/**
 * The RTCP a transport sends on its timer (not per packet): NACKs toward
 * producers, compound reports (an SR + SDES per consumer; RR + REMB for the
 * producers' streams) at an interval sized by bitrate, and transport-cc
 * feedback. Each builds packets and hands them to `send`.
 */
import {
  nackPairsFromSequenceNumbers,
  ntpFromUnixMs,
  type RtcpPacket,
  type RtcpReportBlock,
  serializeRtcpPackets,
  serializeTransportCc,
} from '@tsfu/rtp';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { Consumer } from '../consumer/consumer.js';
import type { Producer } from '../producer.js';
import type { TransportCcRecorder } from '../rtp/transport-cc-recorder.js';

const MAX_RTCP_SIZE = 1200;
/** REMB sent to producers when the app did not call setMaxIncomingBitrate(): generous, so senders ramp up. */
export const DEFAULT_REMB_BITRATE = 10_000_000;

export type RtcpSend = (packet: Buffer) => void;

/** NACKs for what each producer stream is missing now (RR + NACK per stream), traced when asked. */
export function sendNacks(
  producers: Iterable<Producer>,
  senderSsrc: number,
  nowMs: number,
  send: RtcpSend,
  notify: NotifyMain,
): void {
  for (const p of producers) {
    for (const s of p.streams) {
      if (!s.useNack || s.nack.size === 0) continue;
      s.nack.retryIntervalMs = 30;
      const due = s.nack.due(nowMs);
      if (!due) continue;
      s.nackCount++;
      s.nackPacketCount += due.length;
      send(
        serializeRtcpPackets([
          { kind: 'rr', ssrc: senderSsrc, reports: [] },
          { kind: 'nack', senderSsrc, mediaSsrc: s.ssrc, lost: due },
        ]),
      );
      if (p.traceEventTypes.includes('nack')) {
        notify('producer.trace', p.id, {
          type: 'nack',
          timestamp: Date.now(),
          direction: 'out',
          info: { ssrc: s.ssrc, pairs: nackPairsFromSequenceNumbers(due) },
        });
      }
    }
  }
}

/** RFC 3550 §6.2 sizes RTCP to a share of the session bandwidth; as mediasoup: 360000 / kbps ms, capped. */
export function rtcpIntervalMs(
  consumers: Iterable<Consumer>,
  producers: Iterable<Producer>,
  nowMs: number,
): number {
  let bps = 0;
  let video = false;
  for (const c of consumers) {
    bps += c.bitrate.rate(nowMs);
    if (c.kind === 'video') video = true;
  }
  for (const p of producers) {
    for (const s of p.streams) bps += s.bitrate.rate(nowMs);
    if (p.kind === 'video') video = true;
  }
  const max = video ? 1000 : 5000;
  const kbps = bps / 1000;
  if (kbps <= 0) return max;
  return Math.max(100, Math.min(max, 360000 / kbps));
}

/**
 * One compound per consumer: its SR (NTP↔RTP carried over from the producer's SR) + SDES;
 * then RRs for the producers' streams, the first with a REMB of `rembBitrate`.
 */
export function sendCompoundReports(
  consumers: Iterable<Consumer>,
  producers: Iterable<Producer>,
  senderSsrc: number,
  rembBitrate: number,
  nowMs: number,
  send: RtcpSend,
): void {
  const wallMs = Date.now();
  for (const c of consumers) {
    if (c.packetCount === 0 || !c.active) continue;
    const s = c.forwardedStream;
    const ntpMs = s?.hasSr ? s.srNtpMs + (nowMs - s.srReceivedAtMs) : wallMs;
    const rtp = c.rtpTimestampAt(nowMs);
    if (rtp < 0) continue;
    send(
      serializeRtcpPackets([
        {
          kind: 'sr',
          ssrc: c.ssrc,
          ntpTimestamp: ntpFromUnixMs(ntpMs),
          rtpTimestamp: rtp,
          packetCount: c.packetCount >>> 0,
          octetCount: c.byteCount >>> 0,
          reports: [],
        },
        {
          kind: 'sdes',
          chunks: [{ ssrc: c.ssrc, items: [{ type: 1, text: c.rtpParameters.rtcp?.cname || 'tsfu' }] }],
        },
      ]),
    );
  }
  const blocks: RtcpReportBlock[] = [];
  const rembSsrcs: number[] = [];
  for (const p of producers) {
    for (const s of p.streams) {
      if (s.ssrc === 0 || s.packetCount === 0) continue;
      blocks.push(s.takeReportBlock(nowMs));
      if (p.kind === 'video') rembSsrcs.push(s.ssrc);
    }
  }
  for (let i = 0; i < blocks.length || i === 0; i += 31) {
    const chunk = blocks.slice(i, i + 31);
    if (chunk.length === 0 && rembSsrcs.length === 0) break;
    const pkts: RtcpPacket[] = [{ kind: 'rr', ssrc: senderSsrc, reports: chunk }];
    if (i === 0 && rembSsrcs.length > 0) {
      pkts.push({ kind: 'remb', senderSsrc, mediaSsrc: 0, bitrate: rembBitrate, ssrcs: rembSsrcs });
    }
    const out = serializeRtcpPackets(pkts);
    if (out.length <= MAX_RTCP_SIZE) send(out);
  }
}

/** Transport-wide arrival times since the last feedback, as one transport-cc packet; false when none. */
export function sendTransportCc(
  twcc: TransportCcRecorder,
  producers: Iterable<Producer>,
  senderSsrc: number,
  fbPktCount: number,
  send: RtcpSend,
): boolean {
  const fb = twcc.takeFeedback();
  if (!fb) return false;
  let mediaSsrc = 0;
  for (const p of producers) {
    if (p.streams[0]?.ssrc) {
      mediaSsrc = p.streams[0].ssrc;
      break;
    }
  }
  send(
    serializeTransportCc({
      kind: 'transport-cc',
      senderSsrc,
      mediaSsrc,
      baseSequenceNumber: fb.baseSequenceNumber,
      referenceTime: fb.referenceTime,
      fbPktCount: fbPktCount & 0xff,
      packetStatusCount: fb.packetStatusCount,
      received: fb.received,
    }),
  );
  return true;
}
