/**
 * The harness's own tests: the signalling channel (pure, table-driven), the
 * test server and a page talking both ways over it, the Chromium flags that
 * matter (IP host candidates), where the browser binary comes from, and teardown. Reading
 * RTP stats is proven where media flows: capabilities.test.ts (outbound)
 * and loopback-media.test.ts (inbound).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserCommandLine,
  browserProcessIds,
  bundlePage,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  E2eSession,
  launchBrowser,
  type MethodTable,
  readRtcStats,
  resolveChromiumPath,
  SignalChannel,
} from './harness/index.js';
import type { SelftestPageApi, SelftestSchema } from './pages/harness-selftest-schema.js';

/** Two channels wired back to back, as the page and the server are over a socket. */
function channelPair(timeoutMs = 1_000) {
  const frames: string[] = [];
  let a!: SignalChannel<MethodTable, MethodTable>;
  let b!: SignalChannel<MethodTable, MethodTable>;
  a = new SignalChannel(
    (t) => {
      frames.push(t);
      queueMicrotask(() => b.receive(t));
    },
    { requestTimeoutMs: timeoutMs },
  );
  b = new SignalChannel((t) => queueMicrotask(() => a.receive(t)), { requestTimeoutMs: timeoutMs });
  return { a, b, frames };
}

describe('SignalChannel', () => {
  it('answers a request with the handler result, with the same id', async () => {
    const { a, b, frames } = channelPair();
    b.handle('add', (d) => (d as { x: number; y: number }).x + (d as { x: number; y: number }).y);
    expect(await a.request('add', { x: 2, y: 3 })).toBe(5);
    expect(JSON.parse(frames[0])).toEqual({ type: 'request', id: 1, method: 'add', data: { x: 2, y: 3 } });
  });

  it('turns a handler error and an unknown method into rejections with the message', async () => {
    const { a, b } = channelPair();
    b.handle('boom', () => {
      throw new RangeError('too big');
    });
    await expect(a.request('boom', null)).rejects.toThrow('RangeError: too big');
    await expect(a.request('nothing', null)).rejects.toThrow('no handler for nothing');
  });

  it('delivers notifications to every listener and expects no answer', async () => {
    const { a, b, frames } = channelPair();
    const got: unknown[] = [];
    b.onNotification('n', (d) => got.push(d));
    b.onNotification('n', (d) => got.push(['second', d]));
    a.notify('n', 7);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([7, ['second', 7]]);
    expect(frames).toHaveLength(1);
  });

  it('times out a request nobody answers, and fails pending and later requests on close', async () => {
    const silent = new SignalChannel(() => {}, { requestTimeoutMs: 20 });
    await expect(silent.request('x', null)).rejects.toThrow('timed out after 20 ms');
    const pending = silent.request('y', null);
    silent.close('gone');
    await expect(pending).rejects.toThrow('gone');
    await expect(silent.request('z', null)).rejects.toThrow('closed');
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '42'],
    ['null', 'null'],
    ['unknown type', '{"type":"hello","id":1}'],
    ['request without id', '{"type":"request","method":"m","data":1}'],
    ['request with string id', '{"type":"request","id":"1","method":"m","data":1}'],
    ['response without ok', '{"type":"response","id":1,"data":1}'],
    ['response to nothing pending', '{"type":"response","id":99,"ok":true,"data":1}'],
    ['notification without method', '{"type":"notification","data":1}'],
  ])('drops and counts a malformed frame: %s', (_name, frame) => {
    const sent: string[] = [];
    const ch = new SignalChannel((t) => sent.push(t));
    expect(() => ch.receive(frame)).not.toThrow();
    expect(ch.droppedFrames).toBe(1);
    expect(sent).toEqual([]);
  });
});

describe('browser harness', () => {
  let session: E2eSession<SelftestSchema>;
  let page: E2ePage;
  const hellos: Array<{ from: string; peer: string }> = [];

  beforeAll(async () => {
    session = await E2eSession.start<SelftestSchema>({ pages: ['pages/harness-selftest.ts'] });
    session.server.handle('echo', ({ text }, peer) => ({ text: text.toUpperCase(), peer: peer.name }));
    session.server.handle('fail', () => {
      throw new Error('refused on purpose');
    });
    session.server.onPeer((peer) =>
      peer.channel.onNotification('hello', (d) => hellos.push({ ...d, peer: peer.name })),
    );
    page = await session.openPage('harness-selftest', 'A');
  });

  afterAll(async () => {
    await session?.close();
  });

  const pageApi = <M extends keyof SelftestPageApi & string>(
    method: M,
    arg: Parameters<SelftestPageApi[M]>[0],
  ) => callPage<SelftestPageApi, M>(page, method, arg);

  it('bundles each page once per run', async () => {
    const [x, y] = await Promise.all([
      bundlePage('pages/harness-selftest.ts'),
      bundlePage('pages/harness-selftest.ts'),
    ]);
    expect(x).toBe(y);
    expect(x.js).toContain('exposePageApi');
    expect(JSON.parse(x.map).sources.some((s: string) => s.endsWith('harness-selftest.ts'))).toBe(true);
  });

  it('serves the page and its script, and nothing else', async () => {
    const origin = session.server.origin;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const html = await fetch(`${origin}/harness-selftest.html`);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<script src="/harness-selftest.js">');
    expect((await fetch(`${origin}/harness-selftest.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${origin}/nope.js`)).status).toBe(404);
    expect((await fetch(`${origin}/../package.json`)).status).toBe(404);
  });

  it('carries requests and notifications both ways between page and server', async () => {
    expect(await pageApi('echo', 'hi')).toEqual({ text: 'HI', peer: 'A' });
    expect(await pageApi('fail', null)).toBe('Error: refused on purpose');
    expect(session.server.handlerErrors).toEqual([
      { peer: 'A', method: 'fail', error: 'Error: refused on purpose' },
    ]);
    const peer = await session.server.waitForPeer('A');
    expect(await peer.channel.request('add', { a: 40, b: 2 })).toBe(42);
    peer.channel.notify('ping', { n: 1 });
    peer.channel.notify('ping', { n: 2 });
    await pageApi('hello', null);
    await expect.poll(() => pageApi('pings', null)).toEqual([1, 2]);
    await expect.poll(() => hellos).toEqual([{ from: 'page', peer: 'A' }]);
  });

  it('gathers IP host candidates, not mDNS names (an SFU cannot resolve .local)', async () => {
    const candidates = await pageApi('gatherHostCandidates', null);
    const udpHosts = candidates.filter((c) => / udp .* typ host/.test(c)).map((c) => c.split(' ')[4]);
    // Which interfaces Chromium gathers on without a remote depends on its version
    // (156 adds 127.0.0.1, 153 does not); the SFU tests prove loopback media.
    expect(udpHosts.length).toBeGreaterThan(0);
    for (const ip of udpHosts) expect(isIP(ip)).not.toBe(0);
    expect(candidates.some((c) => c.includes('.local'))).toBe(false);
  });

  it('resolves Chromium from TSFU_CHROMIUM, else from the @sparticuz/chromium npm package', async () => {
    await expect(resolveChromiumPath({ TSFU_CHROMIUM: '/nonexistent/chromium' })).rejects.toThrow(
      'TSFU_CHROMIUM=/nonexistent/chromium: no such file',
    );
    const fromPackage = await resolveChromiumPath({});
    expect(existsSync(fromPackage)).toBe(true);
    expect(execFileSync(fromPackage, ['--version'], { encoding: 'utf8' })).toMatch(/^Chromium \d+\./);
  });

  it("passes one --disable-features that keeps Playwright's entries and adds ours", () => {
    const values = browserCommandLine(session.browser)
      .filter((a) => a.startsWith('--disable-features='))
      .map((a) => a.slice('--disable-features='.length).split(','));
    expect(values.length).toBeGreaterThanOrEqual(1);
    // Chromium uses the last one; it must hold every earlier entry (Playwright's) plus ours.
    const effective = values[values.length - 1];
    for (const earlier of values.slice(0, -1)) expect(effective).toEqual(expect.arrayContaining(earlier));
    expect(effective).toContain('WebRtcHideLocalIpsWithMdns');
  });

  it('reads no RTP stats from a page whose connections are all closed', async () => {
    const stats = await readRtcStats(page);
    expect(stats.length).toBeGreaterThan(0);
    expect(stats.every((pc) => pc.connectionState === 'closed' && pc.inbound.length === 0)).toBe(true);
  });

  it('fails (does not skip) when Chromium is missing', async () => {
    await expect(launchBrowser({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      'Chromium not found at /nonexistent/chromium',
    );
  });

  it('leaves no page errors and no Chromium process behind after close', async () => {
    expect(page.errors).toEqual([]);
    expect(browserProcessIds(session.browser).length).toBeGreaterThan(0);
    await session.close();
    await session.close();
    await expect.poll(() => browserProcessIds(session.browser), { timeout: E2E_WAIT_MS }).toEqual([]);
  });
});
