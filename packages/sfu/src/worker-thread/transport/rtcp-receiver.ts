/**
 * A transport's incoming RTCP, packet by packet of the compound: SRs to the
 * producer streams they describe (for LSR/DLSR and the NTP↔RTP mapping),
 * report blocks, NACKs and PLI/FIR to the consumers whose SSRC they name;
 * REMB and transport-cc feedback to the transport's bandwidth estimation
 * (`bandwidthFeedback`). Malformed compounds and unknown SSRCs are counted.
 */
import {
  compactNtpFromUnixMs,
  isRemb,
  nackBlp,
  nackPairCount,
  nackPid,
  PsfbFormat,
  parseRemb,
  parseSdes,
  parseSenderReport,
  parseTransportCc,
  RtcpCompoundView,
  RtcpPacketType,
  type RtcpTransportCc,
  RtpfbFormat,
  readReportBlock,
  readU32,
} from '@tsfu/rtp';
import type { TransportMediaCounters } from '../../types/webrtc-transport.js';
import type { Consumer } from '../consumer/consumer.js';
import type { RtpListener } from './rtp-listener.js';

/** Where REMB and transport-cc feedback go (the transport's `TransportBwe`). */
export interface BandwidthFeedbackSink {
  onTransportCc(fb: RtcpTransportCc, nowMs: number): void;
  onRemb(bitrate: number, nowMs: number): void;
}

export class RtcpReceiver {
  private readonly rtcpView = new RtcpCompoundView();
  /** Latest estimate the remote sent us (REMB), bps. */
  remoteRembBitrate = 0;
  /** Bandwidth estimation fed with REMB and transport-cc feedback. */
  bandwidthFeedback: BandwidthFeedbackSink | undefined;
  /** Transport-cc feedback packets received from the remote, and the last one. */
  transportCcFeedbackReceived = 0;
  lastTransportCcFeedback: RtcpTransportCc | undefined;

  constructor(
    private readonly rtpListener: RtpListener,
    private readonly consumersBySsrc: ReadonlyMap<number, Consumer>,
    private readonly counters: TransportMediaCounters,
  ) {}

  /** A plain (decrypted) RTCP compound packet `buf[0, length)` from the remote. */
  receive(buf: Buffer, length: number, nowMs: number): void {
    const r = this.rtcpView;
    r.wrap(buf, length);
    while (r.next()) {
      const b = r.buffer;
      const o = r.bodyOffset;
      const len = r.bodyLength;
      switch (r.packetType) {
        case RtcpPacketType.SR: {
          const sr = parseSenderReport(b, o, len, r.count);
          if (!sr) break;
          this.rtpListener.streamBySsrc(sr.ssrc)?.onSenderReport(sr.ntpTimestamp, sr.rtpTimestamp, nowMs);
          for (const rb of sr.reports)
            this.onReportBlock(rb.ssrc, rb.fractionLost, rb.packetsLost, rb.jitter, rb.lsr, rb.dlsr);
          break;
        }
        case RtcpPacketType.RR: {
          for (let k = 0; k < r.count; k++) {
            const p = o + 4 + k * 24;
            if (p + 24 > o + len) break;
            const rb = readReportBlock(b, p);
            this.onReportBlock(rb.ssrc, rb.fractionLost, rb.packetsLost, rb.jitter, rb.lsr, rb.dlsr);
          }
          break;
        }
        case RtcpPacketType.SDES:
          // CNAMEs are informative here (mediasoup keeps the signalled one).
          parseSdes(b, o, len, r.count);
          break;
        case RtcpPacketType.RTPFB:
          this.onTransportFeedback(r.count, b, o, len, r.mediaSsrc >>> 0, nowMs);
          break;
        case RtcpPacketType.PSFB: {
          if (r.count === PsfbFormat.PLI || r.count === PsfbFormat.FIR) {
            // FIR names the media SSRC in its FCI; PLI in the header.
            const ssrc = r.count === PsfbFormat.FIR && len >= 12 ? readU32(b, o + 8) : r.mediaSsrc >>> 0;
            const c = this.consumersBySsrc.get(ssrc);
            if (c) c.onKeyFrameRequest(r.count === PsfbFormat.FIR, nowMs, ssrc);
            else this.counters.rtcpUnknownSsrc++;
          } else if (r.count === PsfbFormat.AFB && isRemb(b, o, len)) {
            const remb = parseRemb(b, o, len);
            if (remb) {
              this.remoteRembBitrate = remb.bitrate;
              this.bandwidthFeedback?.onRemb(remb.bitrate, nowMs);
            }
          }
          break;
        }
      }
    }
    if (r.malformed) this.counters.rtcpMalformed++;
  }

  /** RTPFB: a NACK for one of our consumers, or transport-cc feedback (kept for bandwidth estimation). */
  private onTransportFeedback(
    fmt: number,
    b: Uint8Array,
    o: number,
    len: number,
    ssrc: number,
    nowMs: number,
  ): void {
    if (fmt === RtpfbFormat.NACK) {
      const c = this.consumersBySsrc.get(ssrc);
      if (!c) {
        this.counters.rtcpUnknownSsrc++;
        return;
      }
      const pairs = nackPairCount(len);
      for (let k = 0; k < pairs; k++) c.onNack(nackPid(b, o, k), nackBlp(b, o, k), nowMs, ssrc);
    } else if (fmt === RtpfbFormat.TRANSPORT_CC) {
      const fb = parseTransportCc(b, o, len);
      if (fb) {
        this.transportCcFeedbackReceived++;
        this.lastTransportCcFeedback = fb;
        this.bandwidthFeedback?.onTransportCc(fb, nowMs);
      }
    }
  }

  private onReportBlock(
    ssrc: number,
    fractionLost: number,
    packetsLost: number,
    jitter: number,
    lsr: number,
    dlsr: number,
  ): void {
    const c = this.consumersBySsrc.get(ssrc >>> 0);
    if (!c || c.ssrc !== ssrc >>> 0) return;
    c.onReportBlock(fractionLost, packetsLost, jitter, lsr, dlsr, compactNtpFromUnixMs(Date.now()));
  }
}
