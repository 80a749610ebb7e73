/**
 * Bandwidth estimation and allocation for one transport (what mediasoup's
 * TransportCongestionControlClient and Transport::DistributeAvailableOutgoingBitrate
 * do): stamps the transport-wide sequence number into every packet sent to
 * a consumer that negotiated transport-cc, feeds the receiver's feedback
 * (or REMB) to `SendSideBwe`, and on a timer splits the estimate over the
 * consumers by priority (`allocateBitrate`), probes with probation padding
 * when they want more, and emits the `bwe` / `probation` trace events.
 * Active once a consumer negotiated transport-cc (and a forwarded packet
 * carried the element) or REMB, as mediasoup.
 */
import { RtpPacketView } from '@tsfu/rtp';
import { BitrateMeter } from '../rtp/bitrate-meter.js';
import { type AllocationEntry, allocateBitrate } from './bitrate-allocator.js';
import { MAX_PROBATION_PADDING, ProbationPacket } from './probation-packet.js';
import { ProbeController } from './probe-controller.js';
import { SendSideBwe, type TransportCcFeedbackView } from './send-side-bwe.js';

/** What the allocator needs of a consumer (implemented by `Consumer`). */
export interface BweConsumer {
  readonly priority: number;
  readonly active: boolean;
  /** The consumer's transport-cc extension id (0: not negotiated). */
  readonly transportCcExtId: number;
  /** Whether it negotiated a bandwidth feedback (transport-cc or goog-remb). */
  readonly usesBwe: boolean;
  /** What it sends now, bps. */
  readonly bitrate: { rate(nowMs: number): number };
  /** Bitrates of the layers it may take (up to its preferred), 0 for inactive ones; undefined: not layered. */
  bweLayerBitrates(nowMs: number): number[] | undefined;
  /** The highest layer the allocation gives it (-1: no limit). */
  setBweLayer(layer: number, nowMs: number): void;
  /** The layer it forwards now (-1: none yet). */
  readonly bweCurrentLayer: number;
}

export interface BweTraceInfo {
  desiredBitrate: number;
  effectiveDesiredBitrate: number;
  minBitrate: number;
  maxBitrate: number;
  startBitrate: number;
  maxPaddingBitrate: number;
  availableBitrate: number;
  bweType: 'transport-cc' | 'remb';
}

const ALLOCATE_INTERVAL_MS = 1000;
/** An estimate change this large re-runs the allocation at once. */
const REALLOCATE_CHANGE = 0.1;
const TICK_MS = 20;
const RTX_SHARE = 0.25;
/**
 * What the allocation splits moves slower than the estimate, because every layer switch costs a
 * keyframe wait (measured behind a 600 kbit/s link: each switch, up or down, was a freeze in Chromium,
 * even without a lost packet). A rise counts once it held: the lowest estimate of the last 2–4 s (two
 * buckets of this length) — a probe's peak is no capacity yet. A moderate drop (to no less than
 * `SEVERE_DROP` of it; the delay-based cut after a probe, AIMD's sawtooth) counts once it lasted
 * `DROP_HOLD_MS`; a severe one at once, and so does any drop below what the allocated layers send
 * (the link is overrun: holding fills the bottleneck's queue until packets are lost — seen behind
 * 600 kbit/s: 2.8 s on a layer sending 580–690 kbit/s with the estimate at 460–500, 31 packets
 * lost, a 3 s freeze until a keyframe).
 */
const SUSTAIN_BUCKET_MS = 2000;
const SEVERE_DROP = 0.6;
const DROP_HOLD_MS = 2000;
const MIN_BITRATE = 30_000;
const UNLIMITED = 100_000_000;

const stampView = new RtpPacketView();

export class TransportBwe {
  readonly bwe: SendSideBwe;
  private readonly probes = new ProbeController();
  private probation: ProbationPacket | undefined;
  probationBytesSent = 0;
  readonly probationBitrate = new BitrateMeter();
  private maxBitrate = UNLIMITED;
  private minBitrate = MIN_BITRATE;
  private nextAllocateAtMs = 0;
  private allocatedEstimate = 0;
  private desired = 0;
  /** What the last allocation's layers send (measured, no keep discount), with the consumers without layers. */
  private allocated = 0;
  /**
   * A forwarded packet carried the transport-cc element: feedback can come. Until then (a producer
   * that sends no element, e.g. ffmpeg) the transport does not limit its consumers by an estimate
   * that could never move.
   */
  private mediaStamped = false;
  /** Some consumer is below its preferred layer for lack of bitrate: probing may lift it. */
  private limited = false;
  /** Whether a consumer negotiated BWE feedback (the estimate and allocation apply). */
  private enabled = false;
  private readonly entries: AllocationEntry[] = [];
  /** Lowest estimate in the current and the previous `SUSTAIN_BUCKET_MS` bucket. */
  private bucketMin = Number.POSITIVE_INFINITY;
  private prevBucketMin = Number.POSITIVE_INFINITY;
  private bucketStartMs = Number.NEGATIVE_INFINITY;
  /** The estimate the last allocation split (see `SUSTAIN_BUCKET_MS`), and since when it is above the estimate. */
  private allocBase = 0;
  private dropSinceMs = -1;
  /** Probe results seen (`SendSideBwe.probeResults`) and the rate of the last cluster. */
  private probeResultsSeen = 0;
  private probedRate = 0;

  constructor(readonly startBitrate: number) {
    this.bwe = new SendSideBwe(Math.max(MIN_BITRATE, startBitrate));
  }

  /** The transport's outgoing limits (setMax/MinOutgoingBitrate; undefined: none). */
  setLimits(min: number | undefined, max: number | undefined): void {
    this.minBitrate = Math.max(MIN_BITRATE, min ?? 0);
    this.maxBitrate = max ?? UNLIMITED;
    this.bwe.setBounds(this.minBitrate, this.maxBitrate);
    this.nextAllocateAtMs = 0;
    this.allocBase = 0; // the application's limit applies at once
  }

  get active(): boolean {
    return this.enabled;
  }

  /**
   * Whether a retransmission may go out now: with BWE active, retransmissions get at most a share of
   * the estimate (`rtxBitrate`: what was retransmitted over the last second) — on a full link a NACK
   * storm only makes it fuller.
   */
  allowsRetransmission(rtxBitrate: number): boolean {
    return !this.enabled || rtxBitrate <= RTX_SHARE * this.bwe.estimate();
  }

  /** The available outgoing bitrate (getStats), bps. */
  get availableBitrate(): number {
    return this.enabled ? this.bwe.estimate() : this.startBitrate;
  }

  /**
   * Writes the next transport-wide sequence number into `buf[0, n)` (a rewritten consumer packet
   * or probation packet) when it carries the transport-cc element `extId`, and records it as sent.
   */
  stamp(buf: Buffer, n: number, extId: number, nowMs: number): void {
    if (extId === 0) return;
    const v = stampView;
    if (!v.wrap(buf, n)) return;
    const i = v.findExtension(extId);
    if (i < 0 || v.extensionValueLengths[i] !== 2) return;
    const seq = this.bwe.onPacketSent(n, nowMs);
    const o = v.extensionValueOffsets[i];
    buf[o] = seq >> 8;
    buf[o + 1] = seq & 0xff;
    this.probes.onSent(n);
  }

  /**
   * `stamp` when the caller already knows where the element's 2-byte value is (`offset`, -1: none):
   * a forwarded packet, whose consumer found it while rewriting the header.
   */
  stampAt(buf: Buffer, n: number, offset: number, nowMs: number): void {
    if (offset < 0) return;
    this.mediaStamped = true;
    const seq = this.bwe.onPacketSent(n, nowMs);
    buf[offset] = seq >> 8;
    buf[offset + 1] = seq & 0xff;
    this.probes.onSent(n);
  }

  onTransportCc(fb: TransportCcFeedbackView, nowMs: number): void {
    this.bwe.onTransportCc(fb, nowMs);
    if (this.bwe.probeResults !== this.probeResultsSeen) {
      this.probeResultsSeen = this.bwe.probeResults;
      this.probes.onResult(this.bwe.lastProbeResult, this.probedRate);
    }
    this.trackSustained(nowMs);
    this.maybeReallocate();
  }

  onRemb(bitrate: number, nowMs: number): void {
    this.bwe.onRemb(bitrate);
    this.trackSustained(nowMs);
    this.maybeReallocate();
  }

  /** Records the estimate in the sustained-minimum buckets; returns the lowest of the last 1.5–3 s. */
  private trackSustained(nowMs: number): number {
    const e = this.bwe.estimate();
    if (nowMs - this.bucketStartMs >= SUSTAIN_BUCKET_MS) {
      // A bucket that ended long ago says nothing about the last 3 s.
      this.prevBucketMin = nowMs - this.bucketStartMs < 2 * SUSTAIN_BUCKET_MS ? this.bucketMin : e;
      this.bucketMin = e;
      this.bucketStartMs = nowMs;
    } else if (e < this.bucketMin) this.bucketMin = e;
    return Math.min(e, this.bucketMin, this.prevBucketMin);
  }

  private maybeReallocate(): void {
    const e = this.bwe.estimate();
    const overrun = e < this.allocated && this.allocatedEstimate >= this.allocated;
    if (overrun || Math.abs(e - this.allocatedEstimate) > REALLOCATE_CHANGE * this.allocatedEstimate)
      this.nextAllocateAtMs = 0;
  }

  /**
   * Every transport tick (~20 ms): probation padding for a running probe, and (every second or on a
   * large estimate change) the allocation. `send` sends a probation packet; `trace` gets the `bwe`
   * trace info when the allocation ran (the transport emits it when enabled).
   */
  tick(
    nowMs: number,
    consumers: ReadonlyMap<string, BweConsumer>,
    send: (buf: Buffer, n: number) => void,
    trace: ((info: BweTraceInfo) => void) | undefined,
  ): void {
    let twccExtId = 0;
    let enabled = false;
    for (const c of consumers.values()) {
      if (!c.usesBwe) continue;
      if (c.transportCcExtId !== 0) twccExtId = c.transportCcExtId;
      // transport-cc needs stamped packets; REMB needs nothing of ours.
      if (c.transportCcExtId === 0 || this.mediaStamped || this.bwe.bweType === 'remb') enabled = true;
    }
    if (!enabled) {
      if (this.enabled) for (const c of consumers.values()) c.setBweLayer(-1, nowMs);
      this.enabled = false;
      return;
    }
    this.enabled = true;
    if (nowMs >= this.nextAllocateAtMs) {
      this.nextAllocateAtMs = nowMs + ALLOCATE_INTERVAL_MS;
      this.allocate(nowMs, consumers);
      trace?.(this.traceInfo());
    }
    if (twccExtId !== 0 && this.bwe.bweType === 'transport-cc') this.probe(nowMs, twccExtId, send);
  }

  private allocate(nowMs: number, consumers: ReadonlyMap<string, BweConsumer>): void {
    const estimate = this.allocationBase(nowMs);
    let fixed = 0;
    const entries = this.entries;
    entries.length = 0;
    const layered: BweConsumer[] = [];
    for (const c of consumers.values()) {
      if (!c.active) continue;
      const layers = c.bweLayerBitrates(nowMs);
      if (layers === undefined) fixed += c.bitrate.rate(nowMs);
      else {
        entries.push({ priority: c.priority, layerBitrates: layers, layer: -1, current: c.bweCurrentLayer });
        layered.push(c);
      }
    }
    const { desired, limited } = allocateBitrate(estimate - fixed, entries);
    this.desired = desired + fixed;
    this.limited = limited;
    let allocated = fixed;
    for (let i = 0; i < layered.length; i++) {
      const e = entries[i];
      layered[i].setBweLayer(e.layer, nowMs);
      if (e.layer >= 0) allocated += e.layerBitrates[e.layer];
    }
    this.allocated = allocated;
  }

  /** The bitrate to split: the estimate, rising once it held, dropping at once only when far. */
  private allocationBase(nowMs: number): number {
    const e = this.bwe.estimate();
    this.allocatedEstimate = e;
    const sustained = this.trackSustained(nowMs);
    const base = this.allocBase;
    if (e >= base) {
      this.dropSinceMs = -1;
      this.allocBase = Math.max(base, sustained);
    } else if (
      e >= SEVERE_DROP * base &&
      e >= this.allocated &&
      (this.dropSinceMs < 0 || nowMs - this.dropSinceMs < DROP_HOLD_MS)
    ) {
      if (this.dropSinceMs < 0) this.dropSinceMs = nowMs;
    } else {
      this.dropSinceMs = -1;
      this.allocBase = e;
    }
    return this.allocBase;
  }

  private probe(nowMs: number, twccExtId: number, send: (buf: Buffer, n: number) => void): void {
    const p = this.probes;
    const bwe = this.bwe;
    if (p.cluster < 0) {
      // Consumers without layers (audio, simple) take what they send: more bitrate changes nothing for them.
      if (!this.limited) return;
      const estimate = bwe.estimate();
      const desired = Math.min(this.desired, this.maxBitrate);
      if (!p.maybeStart(nowMs, estimate, desired, bwe.lastDecreaseMs, this.maxBitrate)) return;
      bwe.startProbeCluster(p.cluster);
      this.probedRate = p.rate;
    }
    const due = p.paddingDue(nowMs, TICK_MS);
    if (due < 0) {
      bwe.endProbeCluster(nowMs);
      return;
    }
    if (!this.probation) this.probation = new ProbationPacket(nowMs);
    const pkt = this.probation;
    for (let left = due; left > 0; left -= MAX_PROBATION_PADDING) {
      const n = pkt.next(Math.min(left, MAX_PROBATION_PADDING), twccExtId, nowMs);
      this.stamp(pkt.buffer, n, twccExtId, nowMs);
      this.probationBytesSent += n;
      this.probationBitrate.add(n, nowMs);
      send(pkt.buffer, n);
    }
  }

  private traceInfo(): BweTraceInfo {
    return {
      desiredBitrate: Math.round(this.desired),
      effectiveDesiredBitrate: Math.round(Math.min(this.desired, this.maxBitrate)),
      minBitrate: this.minBitrate,
      maxBitrate: this.maxBitrate,
      startBitrate: this.bwe.startBitrate,
      maxPaddingBitrate: Math.round(this.probes.rate),
      availableBitrate: Math.round(this.bwe.estimate()),
      bweType: this.bwe.bweType,
    };
  }
}
