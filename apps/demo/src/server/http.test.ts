/**
 * The HTTP side of a running demo server: the page's files with their types,
 * `/stats`, `/metrics`, 404/405 for anything else; and `--https` with a certificate
 * generated at start, the WebSocket then being WSS on the same port.
 */

import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from './config.js';
import { type DemoServer, startDemoServer } from './server.js';

const BASE = [
  '--port=0',
  '--http-ip=127.0.0.1',
  '--rtc-port=0',
  '--listen-ip=127.0.0.1',
  '--workers=1',
  '--loopback-only',
];
let plain: DemoServer;
let secure: DemoServer;

beforeAll(async () => {
  [plain, secure] = await Promise.all([
    startDemoServer(parseConfig({ argv: BASE, env: {} })),
    startDemoServer(parseConfig({ argv: [...BASE, '--https'], env: {} })),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

describe('http', () => {
  const rows: Array<[path: string, method: string, status: number, type: RegExp | null, body: RegExp]> = [
    ['/', 'GET', 200, /^text\/html/, /<form id="join-form"/],
    ['/index.html', 'GET', 200, /^text\/html/, /<script src="\/app\.js">/],
    ['/app.css', 'GET', 200, /^text\/css/, /\.tile/],
    ['/app.js', 'GET', 200, /^text\/javascript/, /RTCPeerConnection/],
    ['/app.js.map', 'GET', 200, /^application\/json/, /"sources"/],
    ['/stats', 'GET', 200, /^application\/json/, /"rooms":0/],
    ['/metrics', 'GET', 200, /^text\/plain; version=0\.0\.4/, /^# TYPE tsfu_workers gauge\ntsfu_workers 1$/m],
    ['/metrics', 'HEAD', 200, /^text\/plain; version=0\.0\.4/, /^$/],
    ['/?room=abc', 'GET', 200, /^text\/html/, /<form/],
    ['/../package.json', 'GET', 404, /^text\/plain/, /not found/],
    ['/src/server/main.ts', 'GET', 404, /^text\/plain/, /not found/],
    ['/', 'POST', 405, null, /^$/],
    ['/', 'HEAD', 200, /^text\/html/, /^$/],
  ];
  it.each(rows)('%s %s → %i', async (path, method, status, type, body) => {
    const res = await fetch(`http://127.0.0.1:${plain.httpPort}${path}`, { method });
    expect(res.status).toBe(status);
    if (type) expect(res.headers.get('content-type')).toMatch(type);
    expect(await res.text()).toMatch(body);
  });

  it('--https: a generated self-signed certificate serves the page and WSS', async () => {
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const cert = new X509Certificate(secure.tls!.cert);
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: secure.httpPort,
          path: '/',
          ca: secure.tls!.cert,
          checkServerIdentity: () => undefined,
        },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form id="join-form"');
    const ws = new WebSocket(`wss://127.0.0.1:${secure.httpPort}/ws`, {
      ca: secure.tls!.cert,
      checkServerIdentity: () => undefined,
    });
    const answer = await new Promise<{ ok: boolean }>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send(JSON.stringify({ type: 'request', id: 1, method: 'getServerStats', data: {} })),
      );
      ws.once('message', (d) => resolve(JSON.parse(String(d))));
    });
    expect(answer.ok).toBe(true);
    ws.close();
  });
});
