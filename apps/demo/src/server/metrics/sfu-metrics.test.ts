/**
 * SfuMetrics against a real worker: two synthetic WebRTC peers (tsfu's own
 * ICE/DTLS/SRTP client) on loopback, one producing opus that the other
 * consumes. The exposition must parse strictly, carry every `tsfu_` family,
 * count the room and the media, stay monotonic when a transport closes, and a
 * stats call that never answers must not hold the scrape past its deadline.
 */
import {
  createWorker,
  type Producer,
  type Router,
  type WebRtcServer,
  type WebRtcTransport,
  type Worker,
} from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exposition, parseExposition, samplesOf, total } from './exposition.test-util.js';
import { SfuMetrics } from './sfu-metrics.js';

const TSFU_FAMILIES: Array<[name: string, type: string]> = [
  ['tsfu_workers', 'gauge'],
  ['tsfu_routers', 'gauge'],
  ['tsfu_transports', 'gauge'],
  ['tsfu_producers', 'gauge'],
  ['tsfu_consumers', 'gauge'],
  ['tsfu_transport_received_bytes_total', 'counter'],
  ['tsfu_transport_sent_bytes_total', 'counter'],
  ['tsfu_rtp_received_packets_total', 'counter'],
  ['tsfu_rtp_sent_packets_total', 'counter'],
  ['tsfu_dropped_packets_total', 'counter'],
  ['tsfu_ice_checks_total', 'counter'],
  ['tsfu_io_received_packets_total', 'counter'],
  ['tsfu_io_sent_packets_total', 'counter'],
  ['tsfu_io_dropped_packets_total', 'counter'],
  ['tsfu_worker_cpu_seconds_total', 'counter'],
  ['tsfu_worker_event_loop_active_seconds_total', 'counter'],
  ['tsfu_worker_event_loop_utilization', 'gauge'],
  ['tsfu_worker_event_loop_delay_mean_seconds', 'gauge'],
  ['tsfu_worker_event_loop_delay_p50_seconds', 'gauge'],
  ['tsfu_worker_event_loop_delay_p99_seconds', 'gauge'],
  ['tsfu_worker_event_loop_delay_max_seconds', 'gauge'],
  ['tsfu_consumer_rtt_seconds', 'histogram'],
  ['tsfu_producer_score', 'histogram'],
  ['tsfu_consumer_score', 'histogram'],
  ['tsfu_metrics_stats_timeouts_total', 'counter'],
];

const SSRC = 0x1234_5678;
const W0 = { worker: '0' };

let worker: Worker;
let server: WebRtcServer;
let router: Router;
let metrics: SfuMetrics;
const clients: SyntheticWebRtcClient[] = [];

async function connectPeer(): Promise<{ transport: WebRtcTransport; client: SyntheticWebRtcClient }> {
  const transport = await router.createWebRtcTransport({ webRtcServer: server });
  const client = await SyntheticWebRtcClient.create();
  clients.push(client);
  await transport.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect(transport);
  await expect.poll(() => transport.dtlsState, { timeout: 5_000 }).toBe('connected');
  return { transport, client };
}

/** Sends `n` opus packets (a 20-byte payload each) from `client`, continuing `seq`. */
function sendOpus(client: SyntheticWebRtcClient, first: number, n: number): void {
  const packet = Buffer.alloc(32);
  for (let seq = first; seq < first + n; seq++) {
    packet[0] = 0x80;
    packet[1] = 111;
    packet.writeUInt16BE(seq & 0xffff, 2);
    packet.writeUInt32BE((seq * 960) >>> 0, 4);
    packet.writeUInt32BE(SSRC, 8);
    client.sendRtp(packet);
  }
}

async function scrape(): Promise<Exposition> {
  return parseExposition(await metrics.metrics());
}

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  metrics = new SfuMetrics({ ioCounters: () => server.getIoCounters() });
  metrics.track(worker, '0');
  server = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0, tsfuLoopbackOnly: true }],
  });
  router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
});

afterAll(() => {
  for (const c of clients) c.close();
  worker?.close();
});

describe('SfuMetrics', () => {
  let sender: { transport: WebRtcTransport; client: SyntheticWebRtcClient };
  let receiver: { transport: WebRtcTransport; client: SyntheticWebRtcClient };
  let producer: Producer;

  it('renders valid exposition with every tsfu_ family; counts a producing and a consuming peer', async () => {
    sender = await connectPeer();
    receiver = await connectPeer();
    producer = await sender.transport.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: SSRC }],
      },
    });
    await receiver.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    sendOpus(sender.client, 1, 50);
    await expect.poll(() => receiver.client.counters.rtpReceived, { timeout: 5_000 }).toBeGreaterThan(0);

    const e = await scrape();
    for (const [name, type] of TSFU_FAMILIES) expect(e.types.get(name), name).toBe(type);
    // prom-client's default metrics: the main process.
    expect(e.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');

    expect(total(e, 'tsfu_workers')).toBe(1);
    expect(samplesOf(e, 'tsfu_routers')).toEqual([
      { name: 'tsfu_routers', labels: { worker: '0', thread_id: String(worker.threadId) }, value: 1 },
    ]);
    expect(total(e, 'tsfu_transports', W0)).toBe(2);
    expect(total(e, 'tsfu_producers', { ...W0, kind: 'audio' })).toBe(1);
    expect(total(e, 'tsfu_producers', { ...W0, kind: 'video' })).toBe(0);
    expect(total(e, 'tsfu_consumers', { ...W0, kind: 'audio' })).toBe(1);
    expect(total(e, 'tsfu_rtp_received_packets_total', { ...W0, kind: 'audio' })).toBeGreaterThan(0);
    expect(total(e, 'tsfu_rtp_sent_packets_total', { ...W0, kind: 'audio' })).toBe(
      receiver.client.counters.rtpReceived,
    );
    expect(total(e, 'tsfu_transport_received_bytes_total', W0)).toBeGreaterThan(50 * 32);
    expect(total(e, 'tsfu_transport_sent_bytes_total', W0)).toBeGreaterThan(0);
    expect(total(e, 'tsfu_ice_checks_total', { ...W0, result: 'answered' })).toBeGreaterThanOrEqual(2);
    expect(total(e, 'tsfu_io_received_packets_total', { protocol: 'udp' })).toBeGreaterThan(50);
    expect(total(e, 'tsfu_io_sent_packets_total')).toBeGreaterThan(0);
    expect(total(e, 'tsfu_worker_cpu_seconds_total', { ...W0, scope: 'thread' })).toBeGreaterThan(0);
    expect(total(e, 'tsfu_worker_event_loop_active_seconds_total', W0)).toBeGreaterThan(0);
    const utilization = total(e, 'tsfu_worker_event_loop_utilization', W0);
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    // Histograms accumulate: each scrape observes every consumer and (once the worker scored it) producer stream.
    const next = await scrape();
    const added = (name: string) => total(next, name, W0) - total(e, name, W0);
    expect(added('tsfu_consumer_score_count')).toBe(1);
    expect(added('tsfu_consumer_score_bucket')).toBeGreaterThan(0);
    await expect.poll(() => producer.score.length, { timeout: 5_000 }).toBe(1);
    const [s1, s2] = [await scrape(), await scrape()];
    expect(total(s2, 'tsfu_producer_score_count', W0) - total(s1, 'tsfu_producer_score_count', W0)).toBe(1);
    // Drop reasons are listed even at zero, so rates exist from the start.
    expect(samplesOf(e, 'tsfu_dropped_packets_total').map((s) => s.labels.reason)).toEqual(
      expect.arrayContaining(['srtp_auth_failure', 'rtp_unknown_ssrc', 'unknown_tuple', 'send_ring_full']),
    );
    expect(total(e, 'tsfu_metrics_stats_timeouts_total')).toBe(0);
  });

  it('counts drops by reason; counters stay monotonic when a transport closes', async () => {
    // A packet for an SSRC nobody produces: dropped as rtp_unknown_ssrc.
    const stray = Buffer.alloc(32);
    stray[0] = 0x80;
    stray[1] = 111;
    stray.writeUInt32BE(0x0bad_0bad, 8);
    sender.client.sendRtp(stray);
    const unknownSsrc = async () =>
      total(await scrape(), 'tsfu_dropped_packets_total', { ...W0, reason: 'rtp_unknown_ssrc' });
    await expect.poll(unknownSsrc, { timeout: 5_000 }).toBe(1);

    const sentBefore = total(await scrape(), 'tsfu_rtp_sent_packets_total', W0);
    expect(sentBefore).toBe(50);
    sendOpus(sender.client, 51, 20);
    await expect.poll(() => receiver.client.counters.rtpReceived, { timeout: 5_000 }).toBe(70);
    await expect
      .poll(async () => total(await scrape(), 'tsfu_rtp_sent_packets_total', W0), { timeout: 5_000 })
      .toBe(70);
    const last = await scrape();
    const bytesSent = total(last, 'tsfu_transport_sent_bytes_total', W0);

    receiver.transport.close();
    const after = await scrape();
    expect(total(after, 'tsfu_transports', W0)).toBe(1);
    expect(total(after, 'tsfu_consumers', { ...W0, kind: 'audio' })).toBe(0);
    // The closed transport's and consumer's last-seen counts are kept.
    expect(total(after, 'tsfu_rtp_sent_packets_total', W0)).toBe(
      total(last, 'tsfu_rtp_sent_packets_total', W0),
    );
    expect(total(after, 'tsfu_transport_sent_bytes_total', W0)).toBeGreaterThanOrEqual(bytesSent);
    expect(total(after, 'tsfu_dropped_packets_total', { ...W0, reason: 'rtp_unknown_ssrc' })).toBe(1);
  });

  it('a stats call that never answers costs the scrape its deadline, not a hang', async () => {
    const stuck = new SfuMetrics({ scrapeTimeoutMs: 100, ioCounters: () => new Promise(() => {}) });
    stuck.track(worker, 'w');
    const started = performance.now();
    const e = parseExposition(await stuck.metrics());
    expect(performance.now() - started).toBeLessThan(5_000); // not a hang: the deadline is 100 ms
    expect(total(e, 'tsfu_metrics_stats_timeouts_total')).toBe(1);
    // The worker answered: its figures are there.
    expect(total(e, 'tsfu_transports', { worker: 'w' })).toBe(0);
    expect(total(e, 'tsfu_worker_cpu_seconds_total', { worker: 'w' })).toBeGreaterThan(0);
    expect(samplesOf(e, 'tsfu_io_received_packets_total')).toEqual([]);
  });
});
