/**
 * A deterministic network for the estimator tests: the sender sends video
 * frames (30/s) at min(estimate, demand) plus probe padding, through a
 * bottleneck (capacity in bps that a test may change over time, a FIFO
 * queue that drops what would wait longer than `maxQueueMs`, an optional
 * loss pattern) and a fixed propagation delay to a receiver that records
 * arrivals with the real `TransportCcRecorder` and returns its feedback
 * every 100 ms. Time advances in 1 ms steps; no timers, no randomness.
 */
import { TransportCcRecorder } from '../rtp/transport-cc-recorder.js';
import { ProbeController } from './probe-controller.js';
import { SendSideBwe, type TransportCcFeedbackView } from './send-side-bwe.js';

export interface SimulationOptions {
  startBitrate: number;
  /** Link capacity at time t (ms), bps. */
  capacity: (tMs: number) => number;
  /** What the sender would send with no limit, bps. */
  demand: (tMs: number) => number;
  /** Whether the packet with this transport sequence number is lost on the link. */
  lost?: (seq: number) => boolean;
  /** Probe when the demand is above the estimate. */
  probing?: boolean;
  propagationMs?: number;
  maxQueueMs?: number;
  /**
   * A starved receiver (or sender) thread: the next stall after `t` — its start and length, ms. Packets
   * arriving during a stall are stamped at its end, all at once, as a descheduled network thread reads
   * them (CPU load on the same machine, no bottleneck).
   */
  stalls?: (tMs: number) => { startMs: number; lengthMs: number };
  /** The same on the sender's side after the send time is recorded (an I/O thread that sends later). */
  sendStalls?: (tMs: number) => { startMs: number; lengthMs: number };
}

const PACKET_BYTES = 1200;
const PADDING_PACKET_BYTES = 300;

export class BweSimulation {
  readonly bwe: SendSideBwe;
  readonly probes = new ProbeController();
  nowMs = 0;
  /** Bytes the sender put on the wire (media + padding). */
  sentBytes = 0;
  paddingBytes = 0;
  private readonly recorder = new TransportCcRecorder();
  private readonly inFlight: Array<{ seq: number; arriveMs: number }> = [];
  private readonly feedbacks: Array<{ fb: TransportCcFeedbackView; atMs: number }> = [];
  private linkFreeAtMs = 0;
  private nextFrameMs = 0;
  private nextTickMs = 0;
  private nextFeedbackMs = 100;
  private readonly prop: number;
  private readonly maxQueueMs: number;

  constructor(private readonly o: SimulationOptions) {
    this.bwe = new SendSideBwe(o.startBitrate);
    this.prop = o.propagationMs ?? 25;
    this.maxQueueMs = o.maxQueueMs ?? 300;
  }

  /** Runs until `untilMs`, calling `sample` every 100 ms. */
  run(untilMs: number, sample?: (tMs: number, estimate: number) => void): void {
    for (; this.nowMs < untilMs; this.nowMs++) {
      const t = this.nowMs;
      if (t >= this.nextFrameMs) {
        this.nextFrameMs += 1000 / 30;
        const rate = Math.min(this.bwe.estimate(), this.o.demand(t));
        let bytes = rate / 8 / 30;
        while (bytes > 0) {
          const size = Math.min(PACKET_BYTES, Math.max(100, Math.round(bytes)));
          this.send(size, t);
          bytes -= size;
        }
      }
      if (t >= this.nextTickMs) {
        this.nextTickMs += 20;
        this.probeTick(t);
      }
      const stalled = this.stallEndAt(t);
      while (stalled < 0 && this.inFlight.length > 0 && this.inFlight[0].arriveMs <= t) {
        const p = this.inFlight.shift();
        if (p) this.recorder.record(p.seq, Math.max(p.arriveMs, t));
      }
      if (t >= this.nextFeedbackMs) {
        this.nextFeedbackMs += 100;
        const fb = this.recorder.takeFeedback();
        if (fb) this.feedbacks.push({ fb, atMs: t + this.prop });
      }
      while (this.feedbacks.length > 0 && this.feedbacks[0].atMs <= t) {
        const f = this.feedbacks.shift();
        if (f) this.bwe.onTransportCc(f.fb, t);
      }
      if (sample && t % 100 === 0) sample(t, this.bwe.estimate());
    }
  }

  private stall = { startMs: -1, lengthMs: 0 };

  /** While the receiver is stalled at `t`: when the stall ends; else -1. */
  private stallEndAt(t: number): number {
    if (!this.o.stalls) return -1;
    if (t >= this.stall.startMs + this.stall.lengthMs) this.stall = this.o.stalls(t);
    return t >= this.stall.startMs ? this.stall.startMs + this.stall.lengthMs : -1;
  }

  private sendStall = { startMs: -1, lengthMs: 0 };

  /** When a packet handed over at `t` leaves the sender. */
  private sendStallEndAt(t: number): number {
    if (!this.o.sendStalls) return t;
    if (t >= this.sendStall.startMs + this.sendStall.lengthMs) this.sendStall = this.o.sendStalls(t);
    return t >= this.sendStall.startMs ? this.sendStall.startMs + this.sendStall.lengthMs : t;
  }

  private probeTick(t: number): void {
    if (!this.o.probing) return;
    const p = this.probes;
    if (p.cluster < 0) {
      const started = p.maybeStart(t, this.bwe.estimate(), this.o.demand(t), this.bwe.lastDecreaseMs, 1e9);
      if (started) this.bwe.startProbeCluster(p.cluster);
      else return;
    }
    const due = p.paddingDue(t, 20);
    if (due < 0) {
      this.bwe.endProbeCluster(t);
      return;
    }
    for (let left = due; left > 0; left -= PADDING_PACKET_BYTES) {
      this.send(PADDING_PACKET_BYTES, t);
      this.paddingBytes += PADDING_PACKET_BYTES;
    }
  }

  private send(size: number, t: number): void {
    const seq = this.bwe.onPacketSent(size, t);
    this.probes.onSent(size);
    this.sentBytes += size;
    if (this.o.lost?.(seq)) return;
    const start = Math.max(this.sendStallEndAt(t), this.linkFreeAtMs);
    if (start - t > this.maxQueueMs) return; // tail drop
    this.linkFreeAtMs = start + (size * 8 * 1000) / this.o.capacity(t);
    this.inFlight.push({ seq, arriveMs: this.linkFreeAtMs + this.prop });
  }
}
