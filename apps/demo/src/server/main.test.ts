/**
 * `node dist/server/main.js` as a user runs it (built first): it prints
 * where to open the page, one status line per join/leave, and on SIGTERM
 * tells connected pages, closes its workers and exits 0. Bad flags exit 2.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { APP_DIR } from './client-bundle.js';

const MAIN = join(APP_DIR, 'dist', 'server', 'main.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The test runs the built entry, so build it (a no-op when up to date).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', APP_DIR], { stdio: 'pipe' });
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => out, stderr: () => err };
}

it('starts, logs join/leave, and shuts down gracefully on SIGTERM', async () => {
  const app = run([
    '--port=0',
    '--http-ip=127.0.0.1',
    '--rtc-port=0',
    '--listen-ip=127.0.0.1',
    '--workers=2',
    '--loopback-only',
  ]);
  await expect.poll(app.stdout, { timeout: 20_000 }).toMatch(/open http:\/\/127\.0\.0\.1:\d+\//);
  expect(app.stdout()).toMatch(/2 worker\(s\) sharing 127\.0\.0\.1 udp\/\d+ tcp\/\d+/);
  const port = /open http:\/\/127\.0\.0\.1:(\d+)\//.exec(app.stdout())![1];

  // The page is served.
  const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  expect(html).toContain('<script src="/app.js"></script>');
  const js = await fetch(`http://127.0.0.1:${port}/app.js`);
  expect(js.status).toBe(200);
  expect((await js.text()).length).toBeGreaterThan(50_000); // mediasoup-client is in the bundle

  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: Array<{ type: string; method?: string; data?: unknown }> = [];
  socket.on('message', (raw) => frames.push(JSON.parse(String(raw))));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(
    JSON.stringify({ type: 'request', id: 1, method: 'join', data: { roomId: 'cli', displayName: 'Ada' } }),
  );
  await expect.poll(app.stdout, { timeout: 5_000 }).toMatch(/join +room=cli peer=\S+ name="Ada" peers=1/);

  app.child.kill('SIGTERM');
  expect(await closed).toBe(1001);
  expect(frames.find((f) => f.method === 'serverShutdown')?.data).toEqual({
    reason: 'server stopped (SIGTERM)',
  });
  expect(await app.exited).toBe(0);
  expect(app.stdout()).toMatch(/leave room=cli .*\n.*close room=cli/);
  expect(app.stdout()).toMatch(/SIGTERM: telling clients and closing workers\n[\s\S]*\d bye\n/);
});

it('bad flags: a message and exit code 2', async () => {
  const app = run(['--port', 'seventy']);
  expect(await app.exited).toBe(2);
  expect(app.stderr()).toMatch(/--port: expected a port 0..65535, got "seventy"/);
});
