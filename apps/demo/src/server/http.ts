/**
 * The HTTP side: the page (HTML, CSS, the bundled script and its source map)
 * and `/stats` (the server panel's figures as JSON). Everything else is 404;
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

/** PEM certificate and key: the server speaks HTTPS (and the WebSocket WSS). */
export interface TlsFiles {
  cert: string;
  key: string;
}

export function createHttpServer(
  assets: PageAssets,
  stats: () => Promise<ServerStats>,
  tls?: TlsFiles,
): Server {
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
      stats().then(
        (s) => send(res, 200, 'application/json', JSON.stringify(s)),
        () => send(res, 503, 'text/plain', 'stats unavailable'),
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
