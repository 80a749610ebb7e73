/**
 * `/metrics`: a prom-client registry with the `tsfu_` metrics and prom-client's
 * default metrics (the main process). Nothing runs between scrapes: a scrape
 * asks every live worker, transport, producer and consumer for its stats, all
 * at once, each call bounded by one deadline, and turns the answers into the
 * metrics' values.
 */
import type { IoCounters, WebRtcTransportCounters, Worker } from '@tsfu/sfu';
import { type Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { Deadline } from './deadline.js';
import { createMetricSet, type MetricSet } from './metric-set.js';
import { type Labels, MonotonicSum } from './monotonic-sum.js';
import { SfuGraph, type TrackedWorker } from './sfu-graph.js';

export interface SfuMetricsOptions {
  /** Longest a scrape waits for any stats call (default 2000 ms). */
  scrapeTimeoutMs?: number;
  /** The I/O thread's counters (`webRtcServer.getIoCounters()`), if the app has a WebRtcServer. */
  ioCounters?: () => Promise<IoCounters>;
}

/** Per-transport drop counters, by the `reason` label they get. */
const TRANSPORT_DROPS: Record<string, (c: WebRtcTransportCounters) => number> = {
  srtp_auth_failure: (c) => c.srtpAuthFailures,
  srtp_replay: (c) => c.srtpReplayed,
  srtp_malformed: (c) => c.srtpMalformed,
  before_dtls_keys: (c) => c.rtpBeforeKeys,
  invalid_tuple: (c) => c.packetsFromInvalidTuple,
  unknown_protocol: (c) => c.packetsUnknownKind,
  rtp_malformed: (c) => c.media.rtpMalformed,
  rtp_unknown_ssrc: (c) => c.media.rtpUnknownSsrc,
  rtp_unknown_payload_type: (c) => c.media.rtpUnknownPayloadType,
  rtx_padding_only: (c) => c.media.rtxPaddingOnly,
  rtcp_malformed: (c) => c.media.rtcpMalformed,
  rtcp_unknown_ssrc: (c) => c.media.rtcpUnknownSsrc,
  rtp_dropped_for_testing: (c) => c.media.rtpDroppedForTesting,
};

/** Counters every transport reports for its whole worker (the worker's I/O link): counted once per worker. */
const WORKER_LINK_DROPS: Record<string, (c: WebRtcTransportCounters) => number> = {
  send_ring_full: (c) => c.sendsDroppedRingFull,
  connected_udp_stray: (c) => c.connectedUdpStrays,
};

/** The worker thread's own drop counters (`worker.dump().tsfuCounters`). */
const WORKER_DROPS: Record<string, string> = {
  unknown_tuple: 'packetsForUnknownTuple',
  malformed_record: 'malformedRecords',
  parked_overflow: 'parkedPacketsDropped',
};

const IO_DROPS: Record<string, keyof IoCounters> = {
  unknown_tuple: 'droppedUnknownTuple',
  not_loopback: 'droppedNotLoopback',
  ring_full: 'droppedRingFull',
  send_failed: 'sendsDropped',
};

export class SfuMetrics {
  readonly registry = new Registry();
  private readonly graph: SfuGraph;
  private readonly m: MetricSet;
  private readonly timeoutMs: number;
  private readonly sums = {
    bytesReceived: new MonotonicSum(),
    bytesSent: new MonotonicSum(),
    rtpPacketsReceived: new MonotonicSum(),
    rtpPacketsSent: new MonotonicSum(),
    packetsDropped: new MonotonicSum(),
    iceChecks: new MonotonicSum(),
    cpu: new MonotonicSum(),
    eventLoopActive: new MonotonicSum(),
  };
  private io: IoCounters | undefined;
  private statsTimeouts = 0;
  private pending: Promise<void> | undefined;

  constructor(private readonly options: SfuMetricsOptions = {}) {
    this.timeoutMs = options.scrapeTimeoutMs ?? 2000;
    this.graph = new SfuGraph((owner) => {
      for (const sum of Object.values(this.sums)) sum.retire(owner);
    });
    this.m = createMetricSet(this.registry, () => this.refresh());
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts `worker` from now on, labelled `worker="<name>"` (before it gets routers). */
  track(worker: Worker, name: string): void {
    this.graph.track(worker, name);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text (runs one scrape). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** One scrape for every metric of one exposition (their collect() calls start together). */
  private refresh(): Promise<void> {
    this.pending ??= this.scrape().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async scrape(): Promise<void> {
    const m = this.m;
    // Gauges describe this scrape (a closed worker's series go); histograms keep accumulating.
    for (const g of [
      m.routers,
      m.transports,
      m.producers,
      m.consumers,
      m.eventLoopUtilization,
      m.eventLoopDelayMean,
      m.eventLoopDelayP50,
      m.eventLoopDelayP99,
      m.eventLoopDelayMax,
    ]) {
      g.reset();
    }
    const alive = this.graph.workers.filter((w) => !w.worker.closed);
    m.workers.set(alive.length);
    const deadline = new Deadline(this.timeoutMs);
    try {
      await Promise.all([this.scrapeIo(deadline), ...alive.map((w) => this.scrapeWorker(w, deadline))]);
    } finally {
      deadline.clear();
    }
    this.statsTimeouts += deadline.timedOut;
    this.renderCounters();
  }

  private async scrapeIo(deadline: Deadline): Promise<void> {
    if (!this.options.ioCounters) return;
    this.io = (await deadline.race(this.options.ioCounters())) ?? this.io;
  }

  private async scrapeWorker(w: TrackedWorker, deadline: Deadline): Promise<void> {
    const { m, sums } = this;
    const labels = w.labels;
    m.routers.set(labels, w.routers.size);
    m.transports.set(labels, w.transports.size);
    for (const kind of ['audio', 'video'] as const) {
      m.producers.set(
        { ...labels, kind },
        count(w.producers, (p) => p.kind === kind),
      );
      m.consumers.set(
        { ...labels, kind },
        count(w.consumers, (c) => c.kind === kind),
      );
    }
    // Scores are kept on this thread from the workers' score events: no call needed.
    for (const p of w.producers) {
      for (const s of p.score) m.producerScore.observe({ ...labels, kind: p.kind }, s.score);
    }
    for (const c of w.consumers) m.consumerScore.observe({ ...labels, kind: c.kind }, c.score.score);

    await Promise.all([
      this.scrapeThread(w, deadline),
      ...[...w.transports].map(async (t) => {
        const stat = (await deadline.race(t.getStats()))?.[0];
        if (!stat) return;
        sums.bytesReceived.set(t, labels, stat.bytesReceived);
        sums.bytesSent.set(t, labels, stat.bytesSent);
        const c = stat.tsfuCounters;
        for (const [reason, read] of Object.entries(TRANSPORT_DROPS)) {
          sums.packetsDropped.set(t, { ...labels, reason }, read(c));
        }
        // Worker-wide figures: the largest seen is the latest (they only grow).
        for (const [reason, read] of Object.entries(WORKER_LINK_DROPS)) {
          setMax(sums.packetsDropped, w.worker, { ...labels, reason }, read(c));
        }
        for (const [result, n] of Object.entries(c.ice)) sums.iceChecks.set(t, { ...labels, result }, n);
      }),
      ...[...w.producers].map(async (p) => {
        const stats = await deadline.race(p.getStats());
        if (!stats) return;
        const packets = stats.reduce((n, s) => n + s.packetCount, 0);
        sums.rtpPacketsReceived.set(p, { ...labels, kind: p.kind }, packets);
      }),
      ...[...w.consumers].map(async (c) => {
        const stats = await deadline.race(c.getStats());
        const sent = stats?.find((s) => s.type === 'outbound-rtp');
        if (!sent) return;
        sums.rtpPacketsSent.set(c, { ...labels, kind: c.kind }, sent.packetCount);
        // 0 until the receiver's first RTCP report.
        if (sent.roundTripTime) m.rtt.observe({ ...labels, kind: c.kind }, sent.roundTripTime / 1000);
      }),
    ]);
  }

  private async scrapeThread(w: TrackedWorker, deadline: Deadline): Promise<void> {
    const { m, sums } = this;
    const { worker, labels } = w;
    const [thread, dump] = await Promise.all([
      deadline.race(worker.tsfuGetThreadStats()),
      deadline.race(worker.dump()),
    ]);
    if (thread) {
      sums.eventLoopActive.set(worker, labels, thread.eventLoopActiveMs / 1000);
      m.eventLoopUtilization.set(labels, thread.eventLoopUtilization);
      const d = thread.eventLoopDelay;
      if (d) {
        m.eventLoopDelayMean.set(labels, d.meanMs / 1000);
        m.eventLoopDelayP50.set(labels, d.p50Ms / 1000);
        m.eventLoopDelayP99.set(labels, d.p99Ms / 1000);
        m.eventLoopDelayMax.set(labels, d.maxMs / 1000);
      }
    }
    const cpu = thread?.cpu
      ? { scope: 'thread', user: thread.cpu.userMs, system: thread.cpu.systemMs }
      : await deadline.race(
          worker
            .getResourceUsage()
            .then((ru) => ({ scope: 'process', user: ru.ru_utime, system: ru.ru_stime })),
        );
    if (cpu) {
      sums.cpu.set(worker, { ...labels, mode: 'user', scope: cpu.scope }, cpu.user / 1000);
      sums.cpu.set(worker, { ...labels, mode: 'system', scope: cpu.scope }, cpu.system / 1000);
    }
    // Read as untrusted: which counters a worker reports depends on its version.
    const counters: unknown = dump && 'tsfuCounters' in dump ? dump.tsfuCounters : undefined;
    if (isNumberRecord(counters)) {
      for (const [reason, key] of Object.entries(WORKER_DROPS)) {
        if (key in counters) sums.packetsDropped.set(worker, { ...labels, reason }, counters[key]);
      }
    }
  }

  /** Counters are set from their totals (a prom-client Counter only adds: reset, then add the total). */
  private renderCounters(): void {
    const { m, sums } = this;
    const summed: Array<[Counter<string>, MonotonicSum]> = [
      [m.bytesReceived, sums.bytesReceived],
      [m.bytesSent, sums.bytesSent],
      [m.rtpPacketsReceived, sums.rtpPacketsReceived],
      [m.rtpPacketsSent, sums.rtpPacketsSent],
      [m.packetsDropped, sums.packetsDropped],
      [m.iceChecks, sums.iceChecks],
      [m.cpu, sums.cpu],
      [m.eventLoopActive, sums.eventLoopActive],
    ];
    for (const [counter, sum] of summed) {
      counter.reset();
      for (const { labels, value } of sum.totals()) counter.inc(labels, value);
    }
    m.statsTimeouts.reset();
    m.statsTimeouts.inc(this.statsTimeouts);
    const io = this.io;
    if (!io) return;
    m.ioPacketsReceived.reset();
    m.ioPacketsReceived.inc({ protocol: 'udp' }, io.udpDatagramsReceived);
    m.ioPacketsReceived.inc({ protocol: 'tcp' }, io.tcpFramesReceived);
    m.ioPacketsSent.reset();
    m.ioPacketsSent.inc(io.packetsSent);
    m.ioPacketsDropped.reset();
    for (const [reason, key] of Object.entries(IO_DROPS)) m.ioPacketsDropped.inc({ reason }, io[key]);
  }
}

function count<T>(items: Iterable<T>, match: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (match(item)) n++;
  return n;
}

function setMax(sum: MonotonicSum, owner: object, labels: Labels, value: number): void {
  const seen = sum.get(owner, labels);
  if (seen === undefined || value > seen) sum.set(owner, labels, value);
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'number')
  );
}
