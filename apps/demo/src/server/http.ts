/**
 * The HTTP side: the page (HTML, CSS, the bundled script and its source map),
 * `/stats` (the server panel's figures as JSON) and `/metrics` (Prometheus
 * text). Everything else is 404;
 * the WebSocket (`/ws`) is upgraded by the signalling server on this server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerStats } from '../signalling/protocol.js';

export interface PageAssets {
  html: string;
  css: string;
  js: string;
  map: string;
}

/** The server's figures: `/stats` (JSON) and `/metrics` (a content type and its text). */
export interface StatsRoutes {
  stats: () => Promise<ServerStats>;
  metrics: () => Promise<{ type: string; body: string }>;
  /**
   * Cluster mode: `/cluster?room=R` → the live nodes' page URLs and R's owner (placed by load);
   * undefined: not a cluster (404).
   */
  cluster?: (roomId: string | undefined) => Promise<unknown> | undefined;
}

/** PEM certificate and key: the server speaks HTTPS (and the WebSocket WSS). */
export interface TlsFiles {
  cert: string;
  key: string;
}

export function createHttpServer(assets: PageAssets, routes: StatsRoutes, tls?: TlsFiles): Server {
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: assets.html },
    '/index.html': { type: 'text/html; charset=utf-8', body: assets.html },
    '/app.css': { type: 'text/css; charset=utf-8', body: assets.css },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: assets.js },
    '/app.js.map': { type: 'application/json', body: assets.map },
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/stats') {
      routes.stats().then(
        (s) => send(res, 200, 'application/json', JSON.stringify(s)),
        () => send(res, 503, 'text/plain', 'stats unavailable'),
      );
      return;
    }
    if (path === '/cluster') {
      const room = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('room') ?? undefined;
      const answer = routes.cluster?.(room);
      if (!answer) send(res, 404, 'text/plain', 'not a cluster (no --redis)');
      else
        answer.then(
          (c) => send(res, 200, 'application/json', JSON.stringify(c)),
          (error: Error) => send(res, 503, 'text/plain', `cluster unavailable: ${error.message}`),
        );
      return;
    }
    if (path === '/metrics') {
      routes.metrics().then(
        (m) => send(res, 200, m.type, req.method === 'HEAD' ? '' : m.body),
        () => send(res, 503, 'text/plain', 'metrics unavailable'),
      );
      return;
    }
    const file = files[path];
    if (!file) {
      send(res, 404, 'text/plain', 'not found');
      return;
    }
    send(res, 200, file.type, req.method === 'HEAD' ? '' : file.body);
  };
  // An https.Server is an http.Server for everything used here (listen, upgrade, close).
  return tls ? (createHttpsServer(tls, handle) as unknown as Server) : createServer(handle);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
