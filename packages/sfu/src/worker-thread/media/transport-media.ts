/**
 * The media plane of one WebRtcTransport (worker thread): incoming RTP to its
 * producers' streams (by SSRC, or by MID/RID header extensions for
 * unsignalled simulcast SSRCs, RTX unwrapped) and on to every consumer;
 * incoming RTCP (SR, SDES, RR, NACK, PLI, FIR, REMB, transport-cc); and on a
 * timer: NACKs toward producers, transport-cc feedback, and compound RTCP
 * (SR for consumers, RR + REMB for producers) at an interval sized by bitrate.
 * Nothing here allocates per RTP packet.
 */
import {
  compactNtpFromUnixMs,
  isRemb,
  isSeqNewer16,
  nackBlp,
  nackPairCount,
  nackPairsFromSequenceNumbers,
  nackPid,
  ntpFromUnixMs,
  PsfbFormat,
  parseRemb,
  parseSdes,
  parseSenderReport,
  parseTransportCc,
  RtcpCompoundView,
  type RtcpPacket,
  RtcpPacketType,
  type RtcpTransportCc,
  RtpfbFormat,
  RtpPacketView,
  readReportBlock,
  readSdesText,
  SeqUpdate,
  serializeRtcpPackets,
  serializeTransportCc,
  type TwccPacket,
  unwrapRtx,
} from '@tsfu/rtp';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { TransportMediaCounters } from '../../types/webrtc-transport.js';
import { BitrateMeter } from './bitrate-meter.js';
import type { RecvStream } from './recv-stream.js';
import { TransportCcRecorder } from './transport-cc-recorder.js';
import type { ConsumerTransport, WorkerConsumer } from './worker-consumer.js';
import type { ProducerTransport, WorkerProducer } from './worker-producer.js';

/** What the media plane needs from the WebRtcTransport it belongs to. */
export interface MediaTransportLink {
  readonly id: string;
  /** Protects (SRTP) and sends one RTP packet; false when not connected. */
  sendRtp(packet: Uint8Array, length: number): boolean;
  /** Protects (SRTCP) and sends one RTCP compound packet. */
  sendRtcp(packet: Uint8Array, length: number): boolean;
  readonly canSend: boolean;
  notify: NotifyMain;
  readonly maxIncomingBitrate: number | undefined;
}

const MAX_RTCP_SIZE = 1200;
const logger = new ThreadLogger('Transport');

// RTX unwrap output, one for every transport of this thread (a packet is handled to completion).
const rtxScratch = Buffer.allocUnsafe(65536);
/** REMB sent to producers when the app did not call setMaxIncomingBitrate(): generous, so senders ramp up. */
export const DEFAULT_REMB_BITRATE = 10_000_000;

export class TransportMedia implements ConsumerTransport, ProducerTransport {
  readonly producers = new Map<string, WorkerProducer>();
  readonly consumers = new Map<string, WorkerConsumer>();
  private readonly ssrcTable = new Map<number, RecvStream>();
  private readonly rtxSsrcTable = new Map<number, RecvStream>();
  private readonly streamProducer = new Map<RecvStream, WorkerProducer>();
  private readonly consumersBySsrc = new Map<number, WorkerConsumer>();
  private readonly view = new RtpPacketView();
  private readonly rtxView = new RtpPacketView();
  private readonly rtcpView = new RtcpCompoundView();
  private readonly twcc = new TransportCcRecorder();
  private readonly senderSsrc = (Math.random() * 0xffffffff) >>> 0;
  private nextRtcpAtMs = 0;
  private nextTwccAtMs = 0;
  private nextScoreAtMs = 0;
  private nextLayersAtMs = 0;
  private twccFbCount = 0;
  /** Transport-level byte counters for getStats(). */
  rtpBytesSent = 0;
  rtxBytesSent = 0;
  rtxBytesReceived = 0;
  rtpBytesReceived = 0;
  readonly rtpRecvBitrate = new BitrateMeter();
  readonly rtpSendBitrate = new BitrateMeter();
  readonly rtxRecvBitrate = new BitrateMeter();
  readonly rtxSendBitrate = new BitrateMeter();
  /** Latest estimate the remote sent us (REMB), bps; stored for the bandwidth work that comes later. */
  remoteRembBitrate = 0;
  /** Transport-cc feedback packets received from the remote, and the last one (stored for later BWE). */
  transportCcFeedbackReceived = 0;
  lastTransportCcFeedback: RtcpTransportCc | undefined;
  readonly counters: TransportMediaCounters = {
    rtpMalformed: 0,
    rtpUnknownSsrc: 0,
    rtpUnknownPayloadType: 0,
    rtpProbation: 0,
    rtxPaddingOnly: 0,
    rtcpMalformed: 0,
    rtcpUnknownSsrc: 0,
    rtpDroppedForTesting: 0,
  };
  /** Test-only loss injection: fraction of outgoing media packets dropped (0 = none). */
  dropOutgoingFraction = 0;
  private dropAccumulator = 0;

  constructor(private readonly link: MediaTransportLink) {}

  get canSend(): boolean {
    return this.link.canSend;
  }

  readonly notify: NotifyMain = (event, targetId, ...data) => this.link.notify(event, targetId, ...data);

  shouldDropForTesting(): boolean {
    if (this.dropOutgoingFraction <= 0) return false;
    // Deterministic: every 1/fraction-th packet.
    this.dropAccumulator += this.dropOutgoingFraction;
    if (this.dropAccumulator >= 1) {
      this.dropAccumulator -= 1;
      this.counters.rtpDroppedForTesting++;
      return true;
    }
    return false;
  }

  sendRtp(packet: Uint8Array, length: number, isRtx: boolean): boolean {
    const now = performance.now();
    if (isRtx) {
      this.rtxBytesSent += length;
      this.rtxSendBitrate.add(length, now);
    } else {
      this.rtpBytesSent += length;
      this.rtpSendBitrate.add(length, now);
    }
    return this.link.sendRtp(packet, length);
  }

  sendRtcp(packet: Uint8Array): void {
    this.link.sendRtcp(packet, packet.length);
  }

  // ---- producers / consumers -------------------------------------------------------------

  addProducer(p: WorkerProducer): void {
    for (const s of p.streams) {
      if (s.ssrc !== 0 && this.ssrcTable.has(s.ssrc))
        throw new Error(`ssrc already exists in RTP listener [ssrc:${s.ssrc}]`);
    }
    if (p.mid !== undefined) {
      for (const other of this.producers.values()) {
        if (other.mid === p.mid) throw new Error(`MID already exists in RTP listener [mid:${p.mid}]`);
      }
    }
    this.producers.set(p.id, p);
    for (const s of p.streams) {
      this.streamProducer.set(s, p);
      if (s.ssrc !== 0) this.ssrcTable.set(s.ssrc, s);
      if (s.rtxSsrc) this.rtxSsrcTable.set(s.rtxSsrc, s);
    }
  }

  removeProducer(p: WorkerProducer): void {
    this.producers.delete(p.id);
    for (const s of p.streams) {
      this.streamProducer.delete(s);
      if (this.ssrcTable.get(s.ssrc) === s) this.ssrcTable.delete(s.ssrc);
      if (s.rtxSsrc && this.rtxSsrcTable.get(s.rtxSsrc) === s) this.rtxSsrcTable.delete(s.rtxSsrc);
    }
  }

  addConsumer(c: WorkerConsumer): void {
    this.consumers.set(c.id, c);
    this.consumersBySsrc.set(c.ssrc, c);
    if (c.rtxSsrc) this.consumersBySsrc.set(c.rtxSsrc, c);
  }

  removeConsumer(c: WorkerConsumer): void {
    this.consumers.delete(c.id);
    if (this.consumersBySsrc.get(c.ssrc) === c) this.consumersBySsrc.delete(c.ssrc);
    if (c.rtxSsrc && this.consumersBySsrc.get(c.rtxSsrc) === c) this.consumersBySsrc.delete(c.rtxSsrc);
  }

  // ---- RTP in ----------------------------------------------------------------------------

  /** A decrypted RTP packet `buf[0, length)` from the remote. */
  handleRtp(buf: Buffer, length: number, nowMs: number): void {
    let v = this.view;
    if (!v.wrap(buf, length)) {
      this.counters.rtpMalformed++;
      return;
    }
    let ssrc = v.ssrc;
    let stream = this.ssrcTable.get(ssrc);
    let isRtx = false;
    if (stream === undefined) {
      stream = this.rtxSsrcTable.get(ssrc);
      if (stream !== undefined) isRtx = true;
      else {
        const found = this.bindUnknownSsrc(v);
        if (found === undefined) {
          this.counters.rtpUnknownSsrc++;
          return;
        }
        stream = found.stream;
        isRtx = found.isRtx;
      }
    }
    const producer = this.streamProducer.get(stream)!;
    if (producer.transportCcExtId !== 0) {
      const i = v.findExtension(producer.transportCcExtId);
      if (i >= 0 && v.extensionValueLengths[i] === 2) {
        const o = v.extensionValueOffsets[i];
        this.twcc.record((buf[o] << 8) | buf[o + 1], nowMs);
      }
    }
    if (isRtx) {
      stream.rtxPacketCount++;
      this.rtxBytesReceived += length;
      this.rtxRecvBitrate.add(length, nowMs);
      const mediaPt = producer.rtxApt[v.payloadType];
      if (mediaPt < 0 || v.payloadLength < 2 || stream.ssrc === 0) {
        if (v.payloadLength < 2) this.counters.rtxPaddingOnly++;
        stream.rtxPacketsDiscarded++;
        return;
      }
      const n = unwrapRtx(v, rtxScratch, mediaPt, stream.ssrc);
      if (n < 0 || !this.rtxView.wrap(rtxScratch, n)) {
        stream.rtxPacketsDiscarded++;
        return;
      }
      v = this.rtxView;
      ssrc = stream.ssrc;
    } else {
      this.rtpBytesReceived += length;
      this.rtpRecvBitrate.add(length, nowMs);
    }
    const mappedPt = producer.ptMap[v.payloadType];
    if (mappedPt < 0) {
      this.counters.rtpUnknownPayloadType++;
      return;
    }
    producer.inspect(v);
    const seq = v.sequenceNumber;
    const u = stream.receive(seq, v.timestamp, length, producer.isKeyFrame, nowMs);
    if (u === SeqUpdate.Probation || u === SeqUpdate.Bad) {
      // RFC 3550 A.1: not yet (or no longer) a valid source; still let it through during probation.
      if (u === SeqUpdate.Bad) return;
      this.counters.rtpProbation++;
    }
    if (stream.useNack && !stream.nack.onPacket(seq, producer.isKeyFrame)) {
      producer.requestKeyFrame(stream, nowMs);
    }
    if (producer.paused) return;
    const consumers = producer.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i].forward(stream, v, mappedPt, nowMs);
    if (producer.traceEventTypes.length > 0) this.traceRtp(producer, v, isRtx);
  }

  private traceRtp(producer: WorkerProducer, v: RtpPacketView, isRtx: boolean): void {
    const types = producer.traceEventTypes;
    const type = types.includes('rtp')
      ? 'rtp'
      : producer.isKeyFrame && types.includes('keyframe')
        ? 'keyframe'
        : '';
    if (!type) return;
    this.link.notify('producer.trace', producer.id, {
      type,
      timestamp: Date.now(),
      direction: 'in',
      info: {
        ssrc: v.ssrc,
        payloadType: v.payloadType,
        sequenceNumber: v.sequenceNumber,
        timestamp: v.timestamp,
        isKeyFrame: producer.isKeyFrame,
        isRtx,
      },
    });
  }

  /** An SSRC no producer signalled: match by MID (+ RID / repaired RID), as mediasoup's RtpListener. Once per SSRC. */
  private bindUnknownSsrc(v: RtpPacketView): { stream: RecvStream; isRtx: boolean } | undefined {
    for (const p of this.producers.values()) {
      if (p.midExtId !== 0 && p.mid !== undefined) {
        const i = v.findExtension(p.midExtId);
        if (i < 0) continue;
        if (readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]) !== p.mid)
          continue;
      } else if (p.ridExtId === 0) {
        continue;
      }
      let rid: string | undefined;
      let isRtx = false;
      if (p.ridExtId !== 0) {
        const i = v.findExtension(p.ridExtId);
        if (i >= 0) rid = readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]);
      }
      if (rid === undefined && p.rridExtId !== 0) {
        const i = v.findExtension(p.rridExtId);
        if (i >= 0) {
          rid = readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]);
          isRtx = rid !== undefined;
        }
      }
      let stream: RecvStream | undefined;
      if (rid !== undefined) stream = p.streams.find((s) => s.rid === rid);
      else if (p.streams.length === 1 && p.streams[0].rid === undefined) {
        stream = p.streams[0];
        isRtx = p.rtxApt[v.payloadType] >= 0;
      }
      if (!stream) continue;
      const ssrc = v.ssrc;
      if (isRtx) {
        if (stream.rtxSsrc && this.rtxSsrcTable.get(stream.rtxSsrc) === stream)
          this.rtxSsrcTable.delete(stream.rtxSsrc);
        stream.rtxSsrc = ssrc;
        this.rtxSsrcTable.set(ssrc, stream);
      } else {
        if (stream.ssrc !== 0 && this.ssrcTable.get(stream.ssrc) === stream)
          this.ssrcTable.delete(stream.ssrc);
        stream.ssrc = ssrc;
        this.ssrcTable.set(ssrc, stream);
      }
      return { stream, isRtx };
    }
    return undefined;
  }

  /** Bytes held for retransmissions by this transport's producers and consumers. */
  retransmissionBufferBytes(): number {
    let bytes = 0;
    for (const p of this.producers.values())
      for (const s of p.streams) bytes += s.retransmissionBuffer?.byteLength ?? 0;
    for (const c of this.consumers.values()) bytes += c.sentLog?.byteLength ?? 0;
    return bytes;
  }

  // ---- RTCP in ---------------------------------------------------------------------------

  /** A decrypted RTCP compound packet `buf[0, length)` from the remote. */
  handleRtcp(buf: Buffer, length: number, nowMs: number): void {
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
          const s = this.ssrcTable.get(sr.ssrc);
          if (s) s.onSenderReport(sr.ntpTimestamp, sr.rtpTimestamp, nowMs);
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
        case RtcpPacketType.SDES: {
          // CNAMEs are informative here (mediasoup keeps the signalled one).
          parseSdes(b, o, len, r.count);
          break;
        }
        case RtcpPacketType.RTPFB: {
          if (r.count === RtpfbFormat.NACK) {
            const c = this.consumersBySsrc.get(r.mediaSsrc >>> 0);
            if (!c) {
              this.counters.rtcpUnknownSsrc++;
              break;
            }
            const pairs = nackPairCount(len);
            for (let k = 0; k < pairs; k++) c.onNack(nackPid(b, o, k), nackBlp(b, o, k), nowMs);
          } else if (r.count === RtpfbFormat.TRANSPORT_CC) {
            const fb = parseTransportCc(b, o, len);
            if (fb) {
              this.transportCcFeedbackReceived++;
              this.lastTransportCcFeedback = fb;
            }
          }
          break;
        }
        case RtcpPacketType.PSFB: {
          if (r.count === PsfbFormat.PLI || r.count === PsfbFormat.FIR) {
            // FIR names the media SSRC in its FCI; PLI in the header.
            const ssrc = r.count === PsfbFormat.FIR && len >= 12 ? readU32(b, o + 8) : r.mediaSsrc >>> 0;
            const c = this.consumersBySsrc.get(ssrc);
            if (c) c.onKeyFrameRequest(r.count === PsfbFormat.FIR, nowMs);
            else this.counters.rtcpUnknownSsrc++;
          } else if (r.count === PsfbFormat.AFB && isRemb(b, o, len)) {
            const remb = parseRemb(b, o, len);
            if (remb) this.remoteRembBitrate = remb.bitrate;
          }
          break;
        }
      }
    }
    if (r.malformed) this.counters.rtcpMalformed++;
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

  // ---- timer -----------------------------------------------------------------------------

  /** Called every ~20 ms by the worker. */
  tick(nowMs: number): void {
    if (!this.link.canSend) return;
    // NACKs toward producers.
    for (const p of this.producers.values()) {
      for (const s of p.streams) {
        if (!s.useNack || s.nack.size === 0) continue;
        s.nack.retryIntervalMs = 30;
        const due = s.nack.due(nowMs);
        if (!due) continue;
        s.nackCount++;
        s.nackPacketCount += due.length;
        const pkts: RtcpPacket[] = [
          { kind: 'rr', ssrc: this.senderSsrc, reports: [] },
          { kind: 'nack', senderSsrc: this.senderSsrc, mediaSsrc: s.ssrc, lost: due },
        ];
        const out = serializeRtcpPackets(pkts);
        this.link.sendRtcp(out, out.length);
        if (p.traceEventTypes.includes('nack')) {
          this.link.notify('producer.trace', p.id, {
            type: 'nack',
            timestamp: Date.now(),
            direction: 'out',
            info: { ssrc: s.ssrc, pairs: nackPairsFromSequenceNumbers(due) },
          });
        }
      }
    }
    if (this.producers.size > 0 && nowMs >= this.nextTwccAtMs) {
      this.nextTwccAtMs = nowMs + 100;
      this.sendTransportCc();
    }
    if (nowMs >= this.nextLayersAtMs) {
      this.nextLayersAtMs = nowMs + 500;
      for (const c of this.consumers.values()) {
        if (c.type === 'simulcast') {
          const before = c.targetSpatial;
          c.updateTargetLayer(nowMs);
          if (
            c.currentSpatial >= 0 &&
            !c.producer.streams[c.currentSpatial]?.isActive(nowMs) &&
            before === c.targetSpatial
          ) {
            // The current layer stopped: nothing to do but wait for the target's keyframe.
          }
        }
      }
    }
    if (nowMs >= this.nextScoreAtMs) {
      this.nextScoreAtMs = nowMs + 1000;
      for (const p of this.producers.values()) {
        let changed = false;
        for (const s of p.streams) if (s.updateScore(nowMs)) changed = true;
        if (changed) {
          if (logger.debugTagEnabled('score')) {
            const scores = p.streams.map((s) => s.score).join(',');
            logger.debugTag(
              'score',
              `tick() | producer score changed [producerId:${p.id}, scores:${scores}]`,
            );
          }
          this.link.notify(
            'producer.score',
            p.id,
            p.streams.map((s) => ({ encodingIdx: s.encodingIdx, ssrc: s.ssrc, rid: s.rid, score: s.score })),
          );
          for (const c of p.consumers) c.notifyScore();
        }
      }
    }
    if (nowMs >= this.nextRtcpAtMs) {
      this.nextRtcpAtMs = nowMs + this.rtcpIntervalMs(nowMs) * (0.5 + Math.random());
      this.sendCompoundRtcp(nowMs);
    }
  }

  /** RFC 3550 §6.2 sizes RTCP to a share of the session bandwidth; as mediasoup: 360000 / kbps ms, capped. */
  rtcpIntervalMs(nowMs: number): number {
    let bps = 0;
    let video = false;
    for (const c of this.consumers.values()) {
      bps += c.bitrate.rate(nowMs);
      if (c.kind === 'video') video = true;
    }
    for (const p of this.producers.values()) {
      for (const s of p.streams) bps += s.bitrate.rate(nowMs);
      if (p.kind === 'video') video = true;
    }
    const max = video ? 1000 : 5000;
    const kbps = bps / 1000;
    if (kbps <= 0) return max;
    return Math.max(100, Math.min(max, 360000 / kbps));
  }

  private sendCompoundRtcp(nowMs: number): void {
    const wallMs = Date.now();
    // One compound per consumer: its SR (NTP↔RTP carried over from the producer's SR) + SDES.
    for (const c of this.consumers.values()) {
      if (c.packetCount === 0 || !c.active) continue;
      const s =
        c.type === 'simulcast' ? c.producer.streams[Math.max(0, c.currentSpatial)] : c.producer.streams[0];
      const ntpMs = s?.hasSr ? s.srNtpMs + (nowMs - s.srReceivedAtMs) : wallMs;
      const rtp = c.rtpTimestampAt(nowMs);
      if (rtp < 0) continue;
      const out = serializeRtcpPackets([
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
      ]);
      this.link.sendRtcp(out, out.length);
    }
    // RR for the producers' streams (+ REMB).
    const blocks = [];
    const rembSsrcs: number[] = [];
    for (const p of this.producers.values()) {
      for (const s of p.streams) {
        if (s.ssrc === 0 || s.packetCount === 0) continue;
        blocks.push(s.takeReportBlock(nowMs));
        if (p.kind === 'video') rembSsrcs.push(s.ssrc);
      }
    }
    for (let i = 0; i < blocks.length || i === 0; i += 31) {
      const chunk = blocks.slice(i, i + 31);
      if (chunk.length === 0 && rembSsrcs.length === 0) break;
      const pkts: RtcpPacket[] = [{ kind: 'rr', ssrc: this.senderSsrc, reports: chunk }];
      if (i === 0 && rembSsrcs.length > 0) {
        pkts.push({
          kind: 'remb',
          senderSsrc: this.senderSsrc,
          mediaSsrc: 0,
          bitrate: this.link.maxIncomingBitrate ?? DEFAULT_REMB_BITRATE,
          ssrcs: rembSsrcs,
        });
      }
      const out = serializeRtcpPackets(pkts);
      if (out.length <= MAX_RTCP_SIZE) this.link.sendRtcp(out, out.length);
    }
  }

  private sendTransportCc(): void {
    const fb = this.twcc.takeFeedback();
    if (!fb) return;
    let mediaSsrc = 0;
    for (const p of this.producers.values()) {
      if (p.streams[0]?.ssrc) {
        mediaSsrc = p.streams[0].ssrc;
        break;
      }
    }
    const packets: TwccPacket[] = fb.packets;
    const out = serializeTransportCc({
      kind: 'transport-cc',
      senderSsrc: this.senderSsrc,
      mediaSsrc,
      baseSequenceNumber: fb.baseSequenceNumber,
      referenceTime: fb.referenceTime,
      fbPktCount: this.twccFbCount++ & 0xff,
      packets,
    });
    this.link.sendRtcp(out, out.length);
  }

  /** mediasoup's dump tables: SSRC/MID/RID → producer id, consumer SSRC/RTX SSRC → consumer id. */
  dumpTables(): {
    ssrcTable: { key: number; value: string }[];
    midTable: { key: number; value: string }[];
    ridTable: { key: number; value: string }[];
    mapSsrcConsumerId: { key: number; value: string }[];
    mapRtxSsrcConsumerId: { key: number; value: string }[];
  } {
    const ssrcTable = [...this.ssrcTable].map(([key, s]) => ({
      key,
      value: this.streamProducer.get(s)?.id ?? '',
    }));
    const midTable: { key: number; value: string }[] = [];
    const ridTable: { key: number; value: string }[] = [];
    for (const p of this.producers.values()) {
      // mediasoup's flatbuffers dump types these keys as numbers; MIDs/RIDs are strings here.
      if (p.mid !== undefined) midTable.push({ key: p.mid as unknown as number, value: p.id });
      for (const st of p.streams)
        if (st.rid !== undefined) ridTable.push({ key: st.rid as unknown as number, value: p.id });
    }
    const mapSsrcConsumerId = [...this.consumers.values()].map((c) => ({ key: c.ssrc, value: c.id }));
    const mapRtxSsrcConsumerId = [...this.consumers.values()]
      .filter((c) => c.rtxSsrc !== 0)
      .map((c) => ({ key: c.rtxSsrc, value: c.id }));
    return { ssrcTable, midTable, ridTable, mapSsrcConsumerId, mapRtxSsrcConsumerId };
  }

  close(): void {
    for (const c of this.consumers.values()) c.closed = true;
    for (const p of this.producers.values()) p.closed = true;
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export { isSeqNewer16 };
