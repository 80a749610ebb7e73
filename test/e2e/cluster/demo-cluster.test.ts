/**
 * apps/demo as a cluster (`--redis`): three node processes sharing a real
 * Redis (Debian's redis-server, started here), three headless Chromium pages
 * joined through three different nodes into one room. Each page must decode
 * the two others (framesDecoded ≥ 60 and growing, audio packets growing): the
 * media crossed PipeTransports (UDP, SRTP) set up over Redis pub/sub. The
 * chat crosses nodes too (each page's 'chat' DataProducer piped over the
 * pairs' SCTP), and every page highlights the same speaker, on whichever
 * node the one who talks is (one node's ActiveSpeakerObserver decides for
 * the room). Then a fourth page joins; one node is SIGKILLed: its page reconnects through
 * another node within 10 s and everyone sees everyone again; Redis is killed
 * and restarted empty: the nodes register again and a fifth page that joins
 * afterwards sees (and is seen by) everyone.
 *
 * Each node runs in its own network namespace (`clu<pid>-<i>`) on a bridge
 * (`clubr<pid>`, 10.79.N.0/24, cluster-netns.ts) and serves https (the page
 * needs a secure context off loopback); Redis and Chromium are on the bridge's
 * address. TSFU_CLUSTER_ON_LOOPBACK=1 runs the nodes on 127.0.0.1 instead
 * (different ports, no root needed).
 */
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allInbound,
  E2E_WAIT_MS,
  launchBrowser,
  readRtcStats,
  trackPeerConnections,
} from '../harness/index.js';
import { type ClusterNet, createClusterNet } from './cluster-netns.js';
import { buildDemo, DemoNode, freePort } from './demo-node.js';
import { RedisProcess } from './redis-server.js';

const ROOM = 'cluster-room';
// Namespaces need root (CI runs as root); TSFU_CLUSTER_ON_LOOPBACK=1 runs the same test on 127.0.0.1.
const USE_NETNS = process.env.TSFU_CLUSTER_ON_LOOPBACK !== '1';

interface ClusterPage {
  name: string;
  context: BrowserContext;
  page: Page;
  console: string[];
}

let redis: RedisProcess;
let net: ClusterNet | undefined;
const nodes: DemoNode[] = [];
let browser: Browser;
const pages: ClusterPage[] = [];

function diagnostics(p?: ClusterPage): string {
  return [...(p ? [`${p.name}'s page:`, ...p.console.slice(-20)] : []), ...nodes.map((n) => n.log())].join(
    '\n',
  );
}

async function openPage(name: string, node: DemoNode): Promise<ClusterPage> {
  // Off loopback the page needs https for camera and microphone: each node's self-signed certificate (--https).
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(20_000);
  await trackPeerConnections(context);
  const page = await context.newPage();
  const p: ClusterPage = { name, context, page, console: [] };
  page.on('console', (m) => p.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => p.console.push(`pageerror: ${e}`));
  await page.goto(`${node.url}?room=${ROOM}&name=${encodeURIComponent(name)}`);
  await page.locator('#join-button').click();
  await page
    .waitForFunction(() => document.body.dataset.state === 'joined', undefined, { timeout: E2E_WAIT_MS })
    .catch(async (error: Error) => {
      const shown = await page.locator('#join-error').textContent();
      throw new Error(
        `${name} did not join through ${node.url}: ${error.message} (${shown})\n${diagnostics(p)}`,
      );
    });
  pages.push(p);
  return p;
}

/** The names on a page's remote tiles whose video plays and whose audio track is live. */
function playingNames(p: ClusterPage): Promise<string[]> {
  return p.page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.tile.remote.main')]
      .filter((tile) => {
        const video = tile.querySelector('video');
        const stream = tile.querySelector('audio')?.srcObject as MediaStream | null;
        return (video?.videoWidth ?? 0) > 0 && stream?.getAudioTracks()[0]?.readyState === 'live';
      })
      .map((tile) => tile.dataset.name ?? '')
      .sort(),
  );
}

/** Per inbound stream of the page's connected peer connections: frames decoded and packets, by kind+ssrc. */
async function inbound(
  p: ClusterPage,
): Promise<Map<string, { kind: string; frames: number; packets: number }>> {
  const stats = (await readRtcStats(p.page)).filter((pc) => pc.connectionState === 'connected');
  return new Map(
    allInbound(stats).map((s) => [
      `${s.kind}:${s.ssrc}`,
      { kind: s.kind, frames: s.framesDecoded ?? 0, packets: s.packetsReceived },
    ]),
  );
}

/**
 * Waits until `p` shows exactly `expected` playing, and decodes them: at least
 * expected.length video streams with framesDecoded ≥ 60 and still growing, and
 * as many audio streams whose packets grow.
 */
async function expectSees(p: ClusterPage, expected: string[]): Promise<void> {
  await expect
    .poll(() => playingNames(p), { timeout: E2E_WAIT_MS, interval: 500, message: diagnostics(p) })
    .toEqual([...expected].sort());
  let before = await inbound(p);
  const videoStats = async () =>
    allInbound(await readRtcStats(p.page), 'video').map((s) =>
      [
        `ssrc ${s.ssrc}: ${s.frameWidth ?? 0} px wide`,
        `packets ${s.packetsReceived} (lost ${s.packetsLost}, nack ${s.nackCount ?? 0}, pli ${s.pliCount ?? 0})`,
        `frames received ${s.framesReceived ?? 0}, decoded ${s.framesDecoded ?? 0}`,
        `(key ${s.keyFramesDecoded ?? 0}), freezes ${s.freezeCount ?? 0}`,
      ].join(', '),
    );
  const decoding = expect
    .poll(
      async () => {
        const now = await inbound(p);
        let video = 0;
        let audio = 0;
        for (const [key, s] of now) {
          const was = before.get(key);
          if (!was) continue;
          if (s.kind === 'video' && s.frames >= 60 && s.frames > was.frames) video++;
          if (s.kind === 'audio' && s.packets > was.packets) audio++;
        }
        before = now;
        return { video: Math.min(video, expected.length), audio: Math.min(audio, expected.length) };
      },
      { timeout: E2E_WAIT_MS, interval: 1000, message: diagnostics(p) },
    )
    .toEqual({ video: expected.length, audio: expected.length });
  await decoding.catch(async (error: Error) => {
    error.message += `\n${p.name}'s inbound video:\n${(await videoStats()).join('\n')}`;
    throw error;
  });
}

/** Mute or unmute a page's microphone with its button (muted: the producer is paused at the SFU). */
async function setMic(p: ClusterPage, muted: boolean): Promise<void> {
  const button = p.page.locator('#mic-button');
  if ((await button.textContent()) === (muted ? 'Unmute' : 'Mute')) return;
  await button.click();
  await expect.poll(() => button.textContent(), { timeout: E2E_WAIT_MS }).toBe(muted ? 'Unmute' : 'Mute');
}

/** `name` when every page highlights exactly one tile, that of `name`; else what each page highlights. */
async function highlighted(ps: ClusterPage[]): Promise<string> {
  const views = await Promise.all(
    ps.map((p) =>
      p.page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.tile.speaking')].map((t) => t.dataset.name ?? ''),
      ),
    ),
  );
  const first = views[0].join();
  if (views.every((v) => v.length === 1 && v.join() === first)) return `all on ${first}`;
  return ps.map((p, i) => `${p.name}: [${views[i]}]`).join(', ');
}

async function say(p: ClusterPage, text: string): Promise<void> {
  await p.page.fill('#chat-input', text);
  await p.page.click('#chat-send');
}

function chatLog(p: ClusterPage): Promise<string | null> {
  return p.page.locator('#chat-log').textContent();
}

async function expectAllSeeAll(): Promise<void> {
  const names = pages.map((p) => p.name);
  await Promise.all(
    pages.map((p) =>
      expectSees(
        p,
        names.filter((n) => n !== p.name),
      ),
    ),
  );
}

beforeAll(async () => {
  buildDemo();
  net = USE_NETNS ? createClusterNet(3) : undefined;
  const redisIp = net?.hostIp ?? '127.0.0.1';
  redis = new RedisProcess(redisIp, await freePort());
  await redis.start();
  for (let i = 0; i < 3; i++) {
    nodes.push(
      new DemoNode({
        id: `n${i + 1}`,
        ip: net?.nodeIps[i] ?? '127.0.0.1',
        port: net ? 3000 : await freePort(),
        redisUrl: redis.url,
        netns: net?.namespaces[i],
        loopbackOnly: !net,
        https: net !== undefined,
      }),
    );
  }
  [browser] = await Promise.all([
    launchBrowser({
      extraArgs: [
        '--autoplay-policy=no-user-gesture-required',
        // The harness maps every host but 127.0.0.1 to NOTFOUND (no stray network): let the nodes' addresses through.
        ...(net
          ? [
              `--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , ${net.nodeIps.map((ip) => `EXCLUDE ${ip}`).join(' , ')}`,
            ]
          : []),
      ],
    }),
    ...nodes.map((n) => n.start()),
  ]);
}, 240_000);

afterAll(async () => {
  for (const p of pages) await p.context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await redis?.stop();
  net?.remove();
});

describe(`apps/demo cluster: three nodes on Redis${USE_NETNS ? ', each in its own network namespace' : ''}`, () => {
  it('three pages joined through three different nodes each decode the two others', async () => {
    await openPage('Ada', nodes[0]);
    await openPage('Grace', nodes[1]);
    await openPage('Linus', nodes[2]);
    await expectAllSeeAll();
    // The media crossed the cluster: every node pulled producers over pipes.
    for (const n of nodes)
      expect(n.output.join('\n')).toMatch(/pipe {2}room=cluster-room from node=n\d open/);
  });

  it('the chat and the speaker highlight cross nodes', async () => {
    const [ada, grace, linus] = pages;
    // A message typed on n1's page reaches the pages on n2 and n3 (a data channel piped over SCTP), and back.
    await say(ada, 'Hello from n1 over a piped data channel');
    for (const p of [grace, linus])
      await expect
        .poll(() => chatLog(p), { timeout: E2E_WAIT_MS, message: diagnostics(p) })
        .toContain('Ada Hello from n1 over a piped data channel');
    await say(linus, 'Linus here, on n3: ça passe');
    for (const p of [ada, grace])
      await expect
        .poll(() => chatLog(p), { timeout: E2E_WAIT_MS, message: diagnostics(p) })
        .toContain('Linus Linus here, on n3: ça passe');

    // Only Grace (n2) talks: every page, on every node, highlights her. Then only Ada (n1): it moves to her.
    await setMic(ada, true);
    await setMic(linus, true);
    await expect
      .poll(() => highlighted(pages), { timeout: E2E_WAIT_MS, interval: 500, message: diagnostics() })
      .toBe('all on Grace');
    await setMic(ada, false);
    await setMic(grace, true);
    await expect
      .poll(() => highlighted(pages), { timeout: E2E_WAIT_MS, interval: 500, message: diagnostics() })
      .toBe('all on Ada');
    // Everyone unmuted again (the next steps count audio packets).
    await setMic(grace, false);
    await setMic(linus, false);
  });

  it('a fourth page joins and everyone sees everyone', async () => {
    await openPage('Hedy', nodes[0]);
    await expectAllSeeAll();
  });

  it('a node SIGKILLed: its page reconnects through another node within 10 s; everyone sees everyone again', async () => {
    const linus = pages.find((p) => p.name === 'Linus')!;
    const killedAt = performance.now();
    await nodes[2].kill('SIGKILL');
    await linus.page.waitForFunction(
      () => document.body.dataset.reconnects === '1' && document.body.dataset.state === 'joined',
      undefined,
      { timeout: 10_000 },
    );
    const seconds = (performance.now() - killedAt) / 1000;
    const via = await linus.page.evaluate(() => document.body.dataset.node);
    console.log(`Linus reconnected through ${via} ${seconds.toFixed(1)} s after the SIGKILL`);
    expect([nodes[0].url, nodes[1].url].map((u) => new URL(u).host)).toContain(via);
    await expectAllSeeAll();
    // The survivors declared n3 dead (bounded by the heartbeat TTL) and closed its pipes.
    for (const n of nodes.slice(0, 2)) {
      await expect.poll(() => n.output.join('\n'), { timeout: E2E_WAIT_MS }).toMatch(/node {2}n3 dead/);
      expect(n.output.join('\n')).toMatch(/pipe {2}room=cluster-room from node=n3 closed/);
    }
  });

  it('Redis restarted empty: the nodes register again and the room keeps working', async () => {
    await redis.restart();
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 2 });
    try {
      await expect
        .poll(async () => (await probe.keys('tsfu:node:*')).sort(), { timeout: E2E_WAIT_MS, interval: 500 })
        .toEqual(['tsfu:node:n1', 'tsfu:node:n2']);
      // Each node wrote its participants back into the room.
      await expect
        .poll(async () => Object.keys(await probe.hgetall(`tsfu:room:${ROOM}`)).length, {
          timeout: E2E_WAIT_MS,
          interval: 500,
        })
        .toBe(4);
    } finally {
      probe.disconnect();
    }
    await openPage('Barbara', nodes[1]);
    await expectAllSeeAll();
  });
});
