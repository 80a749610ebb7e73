/**
 * apps/demo with `--turn-relay-only`: the demo starts @tsfu/turn in its own
 * process and hands each transport ephemeral TURN REST API credentials with
 * `iceTransportPolicy: 'relay'`. Two Chromium pages join through the form:
 * each sees the other's video playing, every selected ICE pair is a relay
 * candidate, and the embedded TURN server did the relaying.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../apps/demo/src/server/config.js';
import { type DemoServer, startDemoServer } from '../../apps/demo/src/server/server.js';
import { E2E_WAIT_MS, launchBrowser, readRtcStats, trackPeerConnections } from './harness/index.js';

let server: DemoServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const serverLog: string[] = [];

async function join(name: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  await trackPeerConnections(context);
  const page = await context.newPage();
  await page.goto(`${server.url}?room=turn-room&name=${name}`);
  await page.locator('#join-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'joined');
  return page;
}

/** Remote videos with frames and a clock that moves. */
function playingVideos(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('.tile.remote.main video')]
      .filter((v) => v.videoWidth > 0)
      .map((v) => v.currentTime),
  );
}

beforeAll(async () => {
  const config = parseConfig({
    argv: [
      '--port=0',
      '--http-ip=127.0.0.1',
      '--rtc-port=0',
      '--listen-ip=127.0.0.1',
      '--workers=1',
      '--loopback-only',
      '--no-tcp',
      '--turn-relay-only',
      '--turn-port=0',
    ],
    env: {},
  });
  const [s, b] = await Promise.all([
    startDemoServer(config, (line) => serverLog.push(line)),
    launchBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] }),
  ]);
  server = s;
  browser = b;
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close('test over');
});

describe('apps/demo --turn-relay-only', () => {
  it('two relay-only pages see each other playing through the embedded TURN server', async () => {
    expect(server.turn).toBeDefined();
    const pages = [await join('Ada'), await join('Grace')];
    for (const page of pages) {
      await expect
        .poll(async () => (await playingVideos(page)).length, {
          timeout: E2E_WAIT_MS,
          message: serverLog.join('\n'),
        })
        .toBe(1);
      const [t0] = await playingVideos(page);
      await expect
        .poll(async () => (await playingVideos(page))[0], { timeout: E2E_WAIT_MS })
        .toBeGreaterThan(t0 + 0.5);
      const pcs = await readRtcStats(page);
      const pairs = pcs.filter((pc) => pc.selectedPair !== undefined).map((pc) => pc.selectedPair!);
      expect(pairs.length).toBeGreaterThanOrEqual(2); // send and receive transports
      for (const pair of pairs) expect(pair.localCandidateType).toBe('relay');
    }
    const stats = server.turn!.stats;
    expect(stats.allocations).toBeGreaterThanOrEqual(4);
    expect(stats.channelDataFromClients + stats.sendIndications).toBeGreaterThan(100);
    expect(stats.channelDataToClients + stats.dataIndications).toBeGreaterThan(100);
  });
});
