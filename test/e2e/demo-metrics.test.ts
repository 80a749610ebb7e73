/**
 * apps/demo's `/metrics` during a real room: the demo server (2 workers, one
 * loopback-only port) and two headless Chromium pages joined through the
 * page's form. Scraped over HTTP, the gauges match the room (transports,
 * producers and consumers by kind), the byte/packet counters, the worker's
 * CPU and its event-loop figures move between scrapes, the consumers' RTT
 * and scores are observed; when a page leaves the gauges drop and the
 * counters keep what they had.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../apps/demo/src/server/config.js';
import {
  type Exposition,
  parseExposition,
  total,
} from '../../apps/demo/src/server/metrics/exposition.test-util.js';
import { type DemoServer, startDemoServer } from '../../apps/demo/src/server/server.js';
import { E2E_WAIT_MS, launchBrowser } from './harness/index.js';

const ROOM = 'metrics-room';
/** The first room goes on the least-loaded worker: the first one. */
const W0 = { worker: '0' };

let server: DemoServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const serverLog: string[] = [];

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${server.url}metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function join(name: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  context.setDefaultTimeout(E2E_WAIT_MS);
  const page = await context.newPage();
  await page.goto(`${server.url}?room=${ROOM}&name=${name}`);
  await page.locator('#join-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'joined');
  return page;
}

/** Polls the scrape until `read` of it is above `floor` (bounded by E2E_WAIT_MS). */
async function expectGrows(what: string, read: (e: Exposition) => number, floor: number): Promise<void> {
  await expect
    .poll(async () => read(await scrape()), { timeout: E2E_WAIT_MS, interval: 250, message: what })
    .toBeGreaterThan(floor);
}

beforeAll(async () => {
  const config = parseConfig({
    argv: [
      '--port=0',
      '--http-ip=127.0.0.1',
      '--rtc-port=0',
      '--listen-ip=127.0.0.1',
      '--workers=2',
      '--loopback-only',
      '--no-tcp',
    ],
    env: {},
  });
  [server, browser] = await Promise.all([
    startDemoServer(config, (line) => serverLog.push(line)),
    launchBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] }),
  ]);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close('test over');
});

describe('apps/demo /metrics during a two-page room', () => {
  let grace: Page;

  it('gauges match the room; bytes, packets, CPU and event-loop figures move between scrapes', async () => {
    await join('Ada');
    grace = await join('Grace');

    // Each page: a send and a receive transport, mic + camera, and the other's two as consumers.
    const roomShape = (e: Exposition) => ({
      workers: total(e, 'tsfu_workers'),
      routers: total(e, 'tsfu_routers', W0),
      transports: total(e, 'tsfu_transports', W0),
      audioProducers: total(e, 'tsfu_producers', { ...W0, kind: 'audio' }),
      videoProducers: total(e, 'tsfu_producers', { ...W0, kind: 'video' }),
      audioConsumers: total(e, 'tsfu_consumers', { ...W0, kind: 'audio' }),
      videoConsumers: total(e, 'tsfu_consumers', { ...W0, kind: 'video' }),
    });
    await expect
      .poll(async () => roomShape(await scrape()), {
        timeout: E2E_WAIT_MS,
        interval: 250,
        message: serverLog.slice(-10).join('\n'),
      })
      .toEqual({
        workers: 2,
        routers: 1,
        transports: 4,
        audioProducers: 2,
        videoProducers: 2,
        audioConsumers: 2,
        videoConsumers: 2,
      });
    // The same counts as the room itself holds.
    const room = server.registry.rooms.get(ROOM)!;
    const peers = [...room.peers.values()];
    const e = await scrape();
    expect(total(e, 'tsfu_transports')).toBe(peers.reduce((n, p) => n + p.transports.size, 0));
    expect(total(e, 'tsfu_producers')).toBe(room.producerCount);
    expect(total(e, 'tsfu_consumers')).toBe(room.consumerCount);
    expect(total(e, 'tsfu_routers', { worker: '1' })).toBe(0);

    const first = await scrape();
    const moving: Array<[what: string, read: (e: Exposition) => number]> = [
      ['bytes received', (x) => total(x, 'tsfu_transport_received_bytes_total', W0)],
      ['bytes sent', (x) => total(x, 'tsfu_transport_sent_bytes_total', W0)],
      ['audio RTP in', (x) => total(x, 'tsfu_rtp_received_packets_total', { ...W0, kind: 'audio' })],
      ['video RTP in', (x) => total(x, 'tsfu_rtp_received_packets_total', { ...W0, kind: 'video' })],
      ['audio RTP out', (x) => total(x, 'tsfu_rtp_sent_packets_total', { ...W0, kind: 'audio' })],
      ['video RTP out', (x) => total(x, 'tsfu_rtp_sent_packets_total', { ...W0, kind: 'video' })],
      ['I/O thread UDP in', (x) => total(x, 'tsfu_io_received_packets_total', { protocol: 'udp' })],
      ['I/O thread out', (x) => total(x, 'tsfu_io_sent_packets_total')],
      ['worker CPU', (x) => total(x, 'tsfu_worker_cpu_seconds_total', W0)],
      ['event loop busy time', (x) => total(x, 'tsfu_worker_event_loop_active_seconds_total', W0)],
      ['ICE checks answered', (x) => total(x, 'tsfu_ice_checks_total', { ...W0, result: 'answered' })],
    ];
    for (const [what, read] of moving) await expectGrows(what, read, read(first));
    // The thread's own CPU (Linux), beside the process's in prom-client's default metrics.
    expect(total(first, 'tsfu_worker_cpu_seconds_total', { ...W0, scope: 'thread' })).toBeGreaterThan(0);
    expect(total(first, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // I/O-thread drops are listed by reason (whether any happen depends on the host's interfaces).
    expect(
      first.samples.filter((x) => x.name === 'tsfu_io_dropped_packets_total').map((x) => x.labels.reason),
    ).toEqual(['unknown_tuple', 'not_loopback', 'ring_full', 'send_failed']);

    // Each scrape observes every consumer's score once (4 consumers); RTT once receivers' reports arrived.
    const [s1, last] = [await scrape(), await scrape()];
    const scored = (x: Exposition) => total(x, 'tsfu_consumer_score_count', W0);
    expect(scored(last) - scored(s1)).toBe(4);
    await expectGrows('consumer RTT observations', (x) => total(x, 'tsfu_consumer_rtt_seconds_count', W0), 0);
    const utilization = total(last, 'tsfu_worker_event_loop_utilization', W0);
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    // The delay gauges cover the time since the previous scrape: two back-to-back scrapes can
    // leave the 10 ms-resolution histogram empty, so poll until a window has samples.
    await expect
      .poll(async () => total(await scrape(), 'tsfu_worker_event_loop_delay_max_seconds', W0), {
        timeout: E2E_WAIT_MS,
        interval: 250,
      })
      .toBeGreaterThan(0);
    expect(total(last, 'tsfu_metrics_stats_timeouts_total')).toBe(0);
  });

  it('a page leaves: the gauges drop, the counters keep what they counted', async () => {
    const before = await scrape();
    await grace.locator('#leave-button').click();
    await grace.waitForFunction(() => document.body.dataset.state === 'lobby');
    await expect
      .poll(async () => total(await scrape(), 'tsfu_transports', W0), { timeout: E2E_WAIT_MS })
      .toBe(2);
    const after = await scrape();
    expect(total(after, 'tsfu_producers', W0)).toBe(2);
    expect(total(after, 'tsfu_consumers', W0)).toBe(0);
    expect(total(after, 'tsfu_routers', W0)).toBe(1);
    for (const name of [
      'tsfu_transport_received_bytes_total',
      'tsfu_transport_sent_bytes_total',
      'tsfu_rtp_received_packets_total',
      'tsfu_rtp_sent_packets_total',
    ]) {
      expect(total(after, name, W0), name).toBeGreaterThanOrEqual(total(before, name, W0));
    }
  });
});
