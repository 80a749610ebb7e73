/**
 * The test's web server on 127.0.0.1 (ephemeral port): `node:http` serves the
 * bundled pages, and `ws` on the same port carries the signalling. Each
 * connected page becomes a `SignalPeer`; handlers registered on the server
 * apply to every peer, present and future.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { BundledPage } from './bundle-page.js';
import { SIGNAL_PATH } from './page/connect-signal.js';
import type { SignalSchema } from './protocol.js';
import { SignalChannel } from './signal-channel.js';

/** The server's end of the link to one page. */
export type ServerSignal<S extends SignalSchema> = SignalChannel<
  S['serverRequests'],
  S['pageRequests'],
  S['serverNotifications'],
  S['pageNotifications']
>;

/** One connected page. */
export interface SignalPeer<S extends SignalSchema> {
  /** Connection number, from 1. */
  readonly id: number;
  /** The page's `?peer=` query value, or `peer<id>`. */
  readonly name: string;
  readonly channel: ServerSignal<S>;
}

type PageRequest<S extends SignalSchema> = S['pageRequests'];

export class TestServer<S extends SignalSchema> {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  private readonly pages = new Map<string, BundledPage>();
  private readonly peers = new Map<number, SignalPeer<S>>();
  private readonly sockets = new Set<WebSocket>();
  private readonly setups: Array<(peer: SignalPeer<S>) => void> = [];
  private nextPeerId = 1;
  private closing: Promise<void> | undefined;
  /** Handler errors, kept so a test can assert there were none. */
  readonly handlerErrors: Array<{ peer: string; method: string; error: string }> = [];

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    this.origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    http.on('request', (req, res) => this.serve(req, res));
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', this.origin);
      if (url.pathname !== SIGNAL_PATH || this.closing) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url.searchParams.get('peer')));
    });
  }

  /** Listens on 127.0.0.1, port 0. */
  static async start<S extends SignalSchema>(pages: readonly BundledPage[] = []): Promise<TestServer<S>> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    const server = new TestServer<S>(http, new WebSocketServer({ noServer: true, maxPayload: 1 << 20 }));
    for (const p of pages) server.addPage(p);
    return server;
  }

  addPage(page: BundledPage): void {
    this.pages.set(page.name, page);
  }

  /** The URL of a page added with {@link addPage}; `peer` names the page on the signalling link. */
  pageUrl(name: string, peer?: string): string {
    if (!this.pages.has(name)) throw new Error(`no page ${name}`);
    return `${this.origin}/${name}.html${peer ? `?peer=${encodeURIComponent(peer)}` : ''}`;
  }

  /** Answers `method` from every page; errors are sent back to the page and kept in {@link handlerErrors}. */
  handle<M extends keyof PageRequest<S> & string>(
    method: M,
    handler: (
      data: PageRequest<S>[M]['request'],
      peer: SignalPeer<S>,
    ) => PageRequest<S>[M]['response'] | Promise<PageRequest<S>[M]['response']>,
  ): void {
    this.onPeer((peer) =>
      peer.channel.handle(method, async (data) => {
        try {
          return await handler(data, peer);
        } catch (err) {
          this.handlerErrors.push({ peer: peer.name, method, error: String(err) });
          throw err;
        }
      }),
    );
  }

  /** Runs `setup` for every peer already connected and every later one. */
  onPeer(setup: (peer: SignalPeer<S>) => void): void {
    this.setups.push(setup);
    for (const peer of this.peers.values()) setup(peer);
  }

  /** Resolves with the peer named `name` once it is connected. */
  waitForPeer(name: string, timeoutMs = 10_000): Promise<SignalPeer<S>> {
    for (const p of this.peers.values()) if (p.name === name) return Promise.resolve(p);
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new Error(`peer ${name} did not connect within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onPeer((p) => {
        if (done || p.name !== name) return;
        done = true;
        clearTimeout(timer);
        resolve(p);
      });
    });
  }

  /** Connected peers. */
  connectedPeers(): SignalPeer<S>[] {
    return [...this.peers.values()];
  }

  /** Closes every socket and the server. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const ws of this.sockets) ws.terminate();
      for (const p of this.peers.values()) p.channel.close('test server closed');
      this.peers.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http.close(() => resolve()));
    })();
    return this.closing;
  }

  private accept(ws: WebSocket, name: string | null): void {
    const id = this.nextPeerId++;
    const channel: ServerSignal<S> = new SignalChannel((text) => ws.send(text));
    const peer: SignalPeer<S> = { id, name: name ?? `peer${id}`, channel };
    this.sockets.add(ws);
    this.peers.set(id, peer);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) channel.receive(data.toString());
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.peers.delete(id);
      channel.close(`peer ${peer.name} disconnected`);
    });
    ws.on('error', () => ws.terminate());
    for (const setup of this.setups) setup(peer);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    const m = /^\/([\w-]+)\.(html|js|js\.map)$/.exec(path);
    const page = m ? this.pages.get(m[1]) : undefined;
    if (!m || !page || req.method !== 'GET') {
      res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    const [type, body] =
      m[2] === 'html'
        ? ['text/html; charset=utf-8', pageHtml(page.name)]
        : m[2] === 'js'
          ? ['text/javascript; charset=utf-8', page.js]
          : ['application/json; charset=utf-8', page.map];
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  }
}

function pageHtml(name: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${name}</title></head>\n<body><script src="/${name}.js"></script></body></html>\n`;
}
