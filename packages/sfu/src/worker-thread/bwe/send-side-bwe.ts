/**
 * Send-side bandwidth estimation for one transport (draft-ietf-rmcat-gcc-02,
 * the shape of libwebrtc's GoogCC that mediasoup embeds): every packet sent
 * gets a transport-wide sequence number (`onPacketSent`); each transport-cc
 * feedback from the receiver is matched to them, and drives
 * - the delay-based rate: packet groups → trendline → over-use detector → AIMD,
 * - the loss-based rate: loss per window of feedback,
 * - probe results: what a probe cluster (`ProbeController`) measured lifts the rate at once.
 * The estimate is the smaller of the delay- and loss-based rates. A receiver
 * that sends only REMB gives its estimate directly. Per packet nothing is allocated.
 */
import type { TwccReceivedPacket } from '@tsfu/rtp';
import { AckedBitrate } from './acked-bitrate.js';
import { AimdRateControl } from './aimd-rate-control.js';
import { InterArrival } from './inter-arrival.js';
import { LossBasedEstimator } from './loss-based-estimator.js';
import { BandwidthUsage, OveruseDetector } from './overuse-detector.js';
import { ProbeBitrateEstimator } from './probe-bitrate-estimator.js';
import { SentPacketHistory } from './sent-packet-history.js';
import { TrendlineEstimator } from './trendline-estimator.js';

/** A transport-cc feedback as `@tsfu/rtp` parses it (the fields used here). */
export interface TransportCcFeedbackView {
  baseSequenceNumber: number;
  /** 24-bit signed, 64 ms units. */
  referenceTime: number;
  packetStatusCount: number;
  received: readonly TwccReceivedPacket[];
}

export type BweType = 'transport-cc' | 'remb';

/** A probe cluster waits this long after its end for the feedback of its last packets. */
const PROBE_RESULT_WAIT_MS = 1000;

export class SendSideBwe {
  readonly history = new SentPacketHistory();
  readonly startBitrate: number;
  private readonly interArrival = new InterArrival();
  private readonly trendline = new TrendlineEstimator();
  readonly detector = new OveruseDetector();
  readonly aimd: AimdRateControl;
  readonly loss: LossBasedEstimator;
  private readonly acked = new AckedBitrate();
  private readonly probeEstimator = new ProbeBitrateEstimator();
  private minBitrate = 30_000;
  private maxBitrate = 100_000_000;
  /** The probe cluster packets are being sent in (-1: none), and the one awaiting its result. */
  private sendingCluster = -1;
  private pendingCluster = -1;
  private pendingClusterEndMs = 0;
  private pendingClusterSent = 0;
  private clusterSent = 0;
  private rembBitrate = 0;
  private feedbackAtMs = Number.NEGATIVE_INFINITY;
  /** Counters (for tests and stats). */
  feedbackCount = 0;
  probeResults = 0;
  lastProbeResult = 0;

  constructor(startBitrate: number) {
    this.startBitrate = startBitrate;
    this.aimd = new AimdRateControl(startBitrate);
    this.loss = new LossBasedEstimator(startBitrate);
  }

  setBounds(minBitrate: number, maxBitrate: number): void {
    this.minBitrate = minBitrate;
    this.maxBitrate = maxBitrate;
    this.aimd.minBitrate = this.loss.minBitrate = minBitrate;
    this.aimd.maxBitrate = this.loss.maxBitrate = maxBitrate;
  }

  setRtt(rttMs: number): void {
    if (rttMs > 0) this.aimd.rttMs = this.loss.rttMs = rttMs;
  }

  get bweType(): BweType {
    return this.feedbackCount === 0 && this.rembBitrate > 0 ? 'remb' : 'transport-cc';
  }

  /**
   * The available bitrate, bps. Once transport-cc feedback flows, REMB is ignored (as mediasoup's
   * Transport, which hands REMB to its estimator only in REMB mode): Chromium computes REMB only over the
   * packets that carry no transport-wide sequence number — here those of producers whose packets have no
   * slot for it (piped, plain) —, and under CPU load its receive-side estimate fell to 80–130 kbit/s on an
   * open link (apps/demo's cluster test) while the transport-cc estimate was 0.6–1.1 Mbit/s: as a cap it
   * held every consumer on its lowest layer.
   */
  estimate(): number {
    const e = this.bweType === 'remb' ? this.rembBitrate : Math.min(this.aimd.bitrate, this.loss.bitrate);
    return Math.max(this.minBitrate, Math.min(this.maxBitrate, e));
  }

  /** The delay detector's current verdict. */
  get usage(): BandwidthUsage {
    return this.detector.state;
  }

  /** When the delay-based rate was last cut. */
  get lastDecreaseMs(): number {
    return this.aimd.lastDecreaseMs;
  }

  /** Records a packet about to be sent; returns the 16-bit transport sequence number to write in it. */
  onPacketSent(size: number, nowMs: number): number {
    if (this.sendingCluster >= 0) this.clusterSent++;
    return this.history.record(size, nowMs, this.sendingCluster);
  }

  /** Packets sent from now on belong to probe cluster `id` (until `endProbeCluster`). */
  startProbeCluster(id: number): void {
    this.sendingCluster = id;
    this.clusterSent = 0;
  }

  endProbeCluster(nowMs: number): void {
    if (this.sendingCluster < 0) return;
    this.pendingCluster = this.sendingCluster;
    this.pendingClusterSent = this.clusterSent;
    this.pendingClusterEndMs = nowMs;
    this.sendingCluster = -1;
  }

  get probing(): boolean {
    return this.sendingCluster >= 0 || this.pendingCluster >= 0;
  }

  onRemb(bitrate: number): void {
    this.rembBitrate = bitrate;
  }

  /** Whether transport-cc feedback arrived within `withinMs`. */
  hasRecentFeedback(nowMs: number, withinMs: number): boolean {
    return nowMs - this.feedbackAtMs <= withinMs;
  }

  /** One transport-cc feedback from the receiver. */
  onTransportCc(fb: TransportCcFeedbackView, nowMs: number): void {
    this.feedbackCount++;
    this.feedbackAtMs = nowMs;
    const h = this.history;
    const base = h.unwrap(fb.baseSequenceNumber);
    // Reference time: 24-bit signed, 64 ms units; arrival times are on the receiver's clock.
    let arrivalMs = ((fb.referenceTime << 8) >> 8) * 64;
    const received = fb.received;
    let r = 0;
    let expected = 0;
    let lost = 0;
    let overused = false;
    for (let off = 0; off < fb.packetStatusCount; off++) {
      let got = false;
      if (r < received.length && received[r].offset === off) {
        arrivalMs += received[r].deltaUs / 1000;
        got = true;
        r++;
      }
      const slot = h.find(base + off);
      if (slot < 0) continue;
      expected++;
      const sendMs = h.sendTimeOf(slot);
      const size = h.sizeOf(slot);
      const cluster = h.clusterOf(slot);
      h.forget(slot);
      if (!got) {
        lost++;
        continue;
      }
      this.acked.add(size, arrivalMs);
      if (cluster >= 0) this.probeEstimator.add(cluster, sendMs, arrivalMs, size);
      if (this.interArrival.add(sendMs, arrivalMs, size)) {
        const ia = this.interArrival;
        const trend = this.trendline.update(ia.arrivalDeltaMs, ia.sendDeltaMs, ia.groupArrivalMs);
        if (this.detector.detect(trend, ia.sendDeltaMs, ia.groupArrivalMs) === BandwidthUsage.Overusing)
          overused = true;
      }
    }
    this.checkProbeResult(nowMs);
    const usage = overused ? BandwidthUsage.Overusing : this.detector.state;
    const delayBased = this.aimd.update(usage, this.acked.bitrate, nowMs);
    // The loss-based rate is a ceiling below the delay-based one; while loss is low it follows it up.
    if (this.loss.bitrate > delayBased) this.loss.bitrate = delayBased;
    this.loss.update(expected, lost, nowMs);
    this.loss.raiseTo(delayBased);
  }

  /** The bitrate the receiver acknowledged lately, bps (0 until known). */
  get ackedBitrate(): number {
    return this.acked.bitrate;
  }

  private checkProbeResult(nowMs: number): void {
    const c = this.pendingCluster;
    if (c < 0) return;
    const got = this.probeEstimator.received(c);
    const done =
      got >= 0.8 * this.pendingClusterSent || nowMs - this.pendingClusterEndMs > PROBE_RESULT_WAIT_MS;
    if (!done) return;
    this.pendingCluster = -1;
    const result = this.probeEstimator.estimate(c);
    this.lastProbeResult = result;
    if (result <= 0) return;
    this.probeResults++;
    if (result > this.aimd.bitrate) this.aimd.setEstimate(result, nowMs);
    this.loss.raiseTo(result);
  }
}
