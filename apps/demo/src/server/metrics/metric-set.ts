/**
 * The `tsfu_` metrics: names, help and labels in one place (README's list
 * follows this file). Values are filled by SfuMetrics on each scrape.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const W = ['worker', 'thread_id'] as const;
type WorkerLabel = (typeof W)[number];

/** Each metric's `collect` runs the scrape (shared by all metrics of one exposition). */
export function createMetricSet(registry: Registry, collect: () => Promise<void>) {
  const registers = [registry];
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers, collect });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers, collect });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) => new Histogram<L>({ name, help, labelNames, buckets, registers, collect });
  const scores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  return {
    workers: gauge('tsfu_workers', 'Workers (threads) alive.'),
    routers: gauge('tsfu_routers', 'Routers (the demo: rooms) per worker.', W),
    transports: gauge('tsfu_transports', 'WebRtcTransports per worker.', W),
    producers: gauge('tsfu_producers', 'Producers per worker, by kind.', [...W, 'kind']),
    consumers: gauge('tsfu_consumers', 'Consumers per worker, by kind.', [...W, 'kind']),

    bytesReceived: counter<WorkerLabel>(
      'tsfu_transport_received_bytes_total',
      "Bytes received by the worker's WebRtcTransports (getStats bytesReceived: ICE, DTLS, RTP, RTCP).",
      W,
    ),
    bytesSent: counter<WorkerLabel>(
      'tsfu_transport_sent_bytes_total',
      "Bytes sent by the worker's WebRtcTransports (getStats bytesSent).",
      W,
    ),
    rtpPacketsReceived: counter<WorkerLabel | 'kind'>(
      'tsfu_rtp_received_packets_total',
      "RTP packets received by the worker's producers (inbound-rtp packetCount).",
      [...W, 'kind'],
    ),
    rtpPacketsSent: counter<WorkerLabel | 'kind'>(
      'tsfu_rtp_sent_packets_total',
      "RTP packets sent by the worker's consumers (outbound-rtp packetCount).",
      [...W, 'kind'],
    ),
    packetsDropped: counter<WorkerLabel | 'reason'>(
      'tsfu_dropped_packets_total',
      "Packets the worker dropped, by reason (its transports' and its own tsfuCounters).",
      [...W, 'reason'],
    ),
    iceChecks: counter<WorkerLabel | 'result'>(
      'tsfu_ice_checks_total',
      "STUN Binding Requests the worker's ICE agents handled, by result (answered or why not).",
      [...W, 'result'],
    ),
    ioPacketsReceived: counter<'protocol'>(
      'tsfu_io_received_packets_total',
      'Packets received by the I/O thread (UDP datagrams, TCP frames); shared by every worker.',
      ['protocol'],
    ),
    ioPacketsSent: counter<never>('tsfu_io_sent_packets_total', 'Packets sent by the I/O thread.', []),
    ioPacketsDropped: counter<'reason'>(
      'tsfu_io_dropped_packets_total',
      'Packets the I/O thread dropped, by reason.',
      ['reason'],
    ),

    cpu: counter<WorkerLabel | 'mode' | 'scope'>(
      'tsfu_worker_cpu_seconds_total',
      'CPU time of the worker, by mode (user, system); scope "thread" is the thread\'s own (Linux), "process" getResourceUsage().',
      [...W, 'mode', 'scope'],
    ),
    eventLoopActive: counter<WorkerLabel>(
      'tsfu_worker_event_loop_active_seconds_total',
      "Time the worker thread's event loop was busy.",
      W,
    ),
    eventLoopUtilization: gauge(
      'tsfu_worker_event_loop_utilization',
      "Busy share (0-1) of the worker thread's event loop since the previous scrape.",
      W,
    ),
    eventLoopDelayMean: gauge(
      'tsfu_worker_event_loop_delay_mean_seconds',
      'Mean event-loop delay of the worker thread since the previous scrape.',
      W,
    ),
    eventLoopDelayP50: gauge(
      'tsfu_worker_event_loop_delay_p50_seconds',
      'Median event-loop delay of the worker thread since the previous scrape.',
      W,
    ),
    eventLoopDelayP99: gauge(
      'tsfu_worker_event_loop_delay_p99_seconds',
      '99th percentile event-loop delay of the worker thread since the previous scrape.',
      W,
    ),
    eventLoopDelayMax: gauge(
      'tsfu_worker_event_loop_delay_max_seconds',
      'Largest event-loop delay of the worker thread since the previous scrape.',
      W,
    ),

    rtt: histogram<WorkerLabel | 'kind'>(
      'tsfu_consumer_rtt_seconds',
      "Consumers' round-trip time (from the receivers' RTCP reports); one observation per consumer per scrape.",
      [...W, 'kind'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    producerScore: histogram<WorkerLabel | 'kind'>(
      'tsfu_producer_score',
      "Producers' stream scores (0-10); one observation per stream per scrape.",
      [...W, 'kind'],
      scores,
    ),
    consumerScore: histogram<WorkerLabel | 'kind'>(
      'tsfu_consumer_score',
      "Consumers' scores (0-10); one observation per consumer per scrape.",
      [...W, 'kind'],
      scores,
    ),
    statsTimeouts: counter<never>(
      'tsfu_metrics_stats_timeouts_total',
      'Stats calls to workers that did not answer within the scrape deadline (their figures were left as last seen).',
      [],
    ),
  };
}

export type MetricSet = ReturnType<typeof createMetricSet>;
