/**
 * One browser, one test server and the bundled pages of a test file, started
 * together and torn down together: `E2eSession.start()` in `beforeAll`,
 * `session.close()` in `afterAll`. If start fails half way it closes what it
 * had started; close never throws and is safe to call twice, so a failing
 * test never leaves Chromium running.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type LaunchBrowserOptions, launchBrowser } from './browser.js';
import { bundlePage } from './bundle-page.js';
import { PAGE_API_GLOBAL, type PageApi } from './page/expose-api.js';
import type { SignalSchema } from './protocol.js';
import { trackPeerConnections } from './rtc-stats.js';
import { TestServer } from './test-server.js';

export interface E2eSessionOptions {
  /** Page entries (paths relative to `test/e2e/`), each served as `/<basename>.html`. */
  pages: readonly string[];
  browser?: LaunchBrowserOptions;
  /** Default timeout of every playwright action in a page (default 15 s). */
  actionTimeoutMs?: number;
}

/** An open page with what it printed, for failure messages. */
export interface E2ePage {
  readonly name: string;
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console messages, as `type: text`. */
  readonly console: string[];
  /** Uncaught page errors. */
  readonly errors: string[];
}

export class E2eSession<S extends SignalSchema> {
  private readonly contexts = new Set<BrowserContext>();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly browser: Browser,
    readonly server: TestServer<S>,
    private readonly actionTimeoutMs: number,
  ) {}

  static async start<S extends SignalSchema>(options: E2eSessionOptions): Promise<E2eSession<S>> {
    // Bundle, launch and listen in parallel; whatever succeeded is closed if anything failed.
    const [pages, browser, server] = await Promise.allSettled([
      Promise.all(options.pages.map((p) => bundlePage(p))),
      launchBrowser(options.browser),
      TestServer.start<S>(),
    ]);
    if (pages.status === 'rejected' || browser.status === 'rejected' || server.status === 'rejected') {
      if (browser.status === 'fulfilled') await browser.value.close().catch(() => {});
      if (server.status === 'fulfilled') await server.value.close().catch(() => {});
      const failed = [pages, browser, server].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      throw failed.reason;
    }
    for (const p of pages.value) server.value.addPage(p);
    return new E2eSession<S>(browser.value, server.value, options.actionTimeoutMs ?? 15_000);
  }

  /**
   * Opens page `name` in a fresh browser context (its own permissions and
   * connections), with RTCPeerConnection tracking, and waits until it has
   * exposed its API. `peer` names it on the signalling link.
   */
  async openPage(name: string, peer = name): Promise<E2ePage> {
    const context = await this.browser.newContext();
    this.contexts.add(context);
    context.setDefaultTimeout(this.actionTimeoutMs);
    await trackPeerConnections(context);
    const page = await context.newPage();
    const opened: E2ePage = { name: peer, page, context, console: [], errors: [] };
    page.on('console', (m) => opened.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => opened.errors.push(String(e)));
    await page.goto(this.server.pageUrl(name, peer));
    await page.waitForFunction((g) => g in window, PAGE_API_GLOBAL);
    return opened;
  }

  /** Closes the browser (all pages), then the server. Never throws. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const c of this.contexts) await withTimeout(c.close(), 5_000).catch(() => {});
      this.contexts.clear();
      await withTimeout(this.browser.close(), 10_000).catch(() => {});
      await withTimeout(this.server.close(), 5_000).catch(() => {});
    })();
    return this.closing;
  }
}

/**
 * Calls step `method` of the page's `window.e2e` API with `arg` and returns
 * its result. A rejection in the page rejects here with the page's message.
 */
export function callPage<A extends PageApi, M extends keyof A & string>(
  target: E2ePage,
  method: M,
  arg: Parameters<A[M]>[0],
): Promise<Awaited<ReturnType<A[M]>>> {
  return target.page.evaluate(
    ([g, m, a]) => {
      const api = (window as unknown as Record<string, Record<string, (x: unknown) => unknown>>)[g];
      return api[m](a);
    },
    [PAGE_API_GLOBAL, method, arg] as const,
  ) as Promise<Awaited<ReturnType<A[M]>>>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
