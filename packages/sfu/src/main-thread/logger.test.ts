/**
 * Logging end to end: main-thread lines under mediasoup-style namespaces
 * reach the `setLogEventListeners()` listeners; worker-thread lines follow the
 * worker's logLevel/logTags (also after `updateSettings()`) and arrive under
 * `tsfu:Channel [tid:N]`; real failures reach `onerror`/`onwarn`; and with
 * `DEBUG=tsfu*` a plain Node process prints them through `debug`.
 * Worker threads are real (the built `dist/` entries). A worker's log line is
 * posted before the response of the request that caused it, on the same port,
 * so once that request resolves the line has been delivered (or never will be).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWorker, setLogEventListeners, type Worker } from '../index.js';
import type { WorkerSettings } from '../types/worker.js';
import { Logger } from './logger.js';

type Line = { level: 'debug' | 'warn' | 'error'; namespace: string; log: string; error?: Error };

let lines: Line[] = [];
function listen(): void {
  lines = [];
  setLogEventListeners({
    ondebug: (namespace, log) => lines.push({ level: 'debug', namespace, log }),
    onwarn: (namespace, log) => lines.push({ level: 'warn', namespace, log }),
    onerror: (namespace, log, error) => lines.push({ level: 'error', namespace, log, error }),
  });
}

const workers: Worker[] = [];
async function newWorker(settings: WorkerSettings = {}): Promise<Worker> {
  const w = await createWorker(settings);
  workers.push(w);
  return w;
}
afterEach(() => setLogEventListeners(undefined));
afterAll(() => {
  for (const w of workers) w.close();
});

/** The worker thread's forwarded lines: `tsfu:Channel` lines with its `[tid:N]`. */
function threadLines(worker: Worker): string[] {
  const prefix = `[tid:${worker.threadId}] `;
  return lines
    .filter((l) => l.namespace.endsWith('Channel') && l.log.startsWith(prefix))
    .map((l) => l.log.slice(prefix.length));
}

describe('Logger', () => {
  it('uses tsfu:<Class>, tsfu:WARN:<Class> and tsfu:ERROR:<Class>, and passes the error on', () => {
    listen();
    const logger = new Logger('Thing');
    const error = new Error('boom');
    logger.debug('a 100% literal line');
    logger.warn('w');
    logger.error('e', error);
    new Logger().debug('top');
    expect(lines).toEqual([
      { level: 'debug', namespace: 'tsfu:Thing', log: 'a 100% literal line' },
      { level: 'warn', namespace: 'tsfu:WARN:Thing', log: 'w' },
      { level: 'error', namespace: 'tsfu:ERROR:Thing', log: 'e', error },
      { level: 'debug', namespace: 'tsfu', log: 'top' },
    ]);
  });

  it('a throwing listener does not break the caller; removed listeners hear nothing more', () => {
    const heard: string[] = [];
    setLogEventListeners({
      ondebug: (_ns, log) => {
        heard.push(log);
        throw new Error('listener bug');
      },
    });
    const logger = new Logger('Thing');
    expect(() => logger.debug('one')).not.toThrow();
    setLogEventListeners(undefined);
    logger.debug('two');
    // The removal itself is announced to the listeners being removed, as in mediasoup.
    expect(heard).toEqual(['one', 'setLogEventListeners()']);
  });
});

describe('main-thread lines', () => {
  it('createWorker() logs under tsfu and tsfu:Worker before it resolves', async () => {
    listen();
    let linesAtResolve = -1;
    const worker = await newWorker().then((w) => {
      linesAtResolve = lines.length;
      return w;
    });
    const seen = lines.slice(0, linesAtResolve).map((l) => `${l.namespace} ${l.log}`);
    expect(seen).toContain('tsfu createWorker()');
    expect(seen).toContain('tsfu:Worker constructor()');
    expect(seen).toContain(`tsfu:Worker worker thread running [threadId:${worker.threadId}]`);
    const router = await worker.createRouter();
    router.close();
    expect(lines.map((l) => `${l.namespace} ${l.log}`)).toEqual(
      expect.arrayContaining([
        'tsfu:Worker createRouter()',
        'tsfu:Channel request() [method:worker.createRouter, id:1]',
        'tsfu:Router constructor()',
        'tsfu:Router close()',
      ]),
    );
  });
});

describe('worker-thread lines', () => {
  it("arrive with logLevel 'debug' and not with 'error' (the default)", async () => {
    listen();
    const quiet = await newWorker();
    const chatty = await newWorker({ logLevel: 'debug' });
    await quiet.createRouter();
    const router = await chatty.createRouter();
    expect(threadLines(quiet)).toEqual([]);
    expect(threadLines(chatty)).toContain(`Worker::onRequest() | Router created [routerId:${router.id}]`);
  });

  it('a tagged debug line appears only when its tag is on', async () => {
    listen();
    const untagged = await newWorker({ logLevel: 'debug', logTags: ['ice'] });
    const tagged = await newWorker({ logLevel: 'debug', logTags: ['info'] });
    const config = (w: Worker) =>
      threadLines(w).filter((l) => l.startsWith('Settings::PrintConfiguration()'));
    expect(config(untagged)).toEqual([]);
    expect(config(tagged)).toEqual([
      'Settings::PrintConfiguration() | <configuration>',
      'Settings::PrintConfiguration() |   logLevel: debug',
      'Settings::PrintConfiguration() |   logTags: info',
      'Settings::PrintConfiguration() |   rtcMinPort: 10000',
      'Settings::PrintConfiguration() |   rtcMaxPort: 59999',
      'Settings::PrintConfiguration() | </configuration>',
    ]);
  });

  it('updateSettings() switches logLevel and logTags live', async () => {
    listen();
    const worker = await newWorker({ logLevel: 'error' });
    await worker.createRouter();
    expect(threadLines(worker)).toEqual([]);

    await worker.updateSettings({ logLevel: 'debug', logTags: ['info'] });
    expect(threadLines(worker)).toContain('Settings::PrintConfiguration() |   logLevel: debug');
    const router = await worker.createRouter();
    expect(threadLines(worker)).toContain(`Worker::onRequest() | Router created [routerId:${router.id}]`);

    // A request the worker thread fails (an address not of this host) is logged there at error level.
    await worker.updateSettings({ logLevel: 'error' });
    const unbindable = { listenInfos: [{ protocol: 'udp' as const, ip: '192.0.2.1' }] };
    await expect(worker.createWebRtcServer(unbindable)).rejects.toThrow(/EADDRNOTAVAIL/);
    const failed =
      /^Worker::onRequest\(\) \| throwing Error \[method:worker.createWebRtcServer\]: bind EADDRNOTAVAIL/;
    expect(threadLines(worker).filter((l) => failed.test(l))).toHaveLength(1);

    await worker.updateSettings({ logLevel: 'none' });
    const before = threadLines(worker).length;
    await worker.createRouter();
    await expect(worker.createWebRtcServer(unbindable)).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(threadLines(worker)).toHaveLength(before);
  });
});

describe('failures', () => {
  it('a worker that cannot start reports errors from both threads to onerror', async () => {
    listen();
    await expect(
      createWorker({ dtlsCertificateFile: '/nonexistent/c.pem', dtlsPrivateKeyFile: '/nonexistent/k.pem' }),
    ).rejects.toThrow(/wrong settings/);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.namespace)).toEqual(['tsfu:ERROR:Channel', 'tsfu:ERROR:Worker']);
    expect(errors[0].log).toMatch(/^\[tid:\d+\] Worker::main\(\) \| failed to start: .*nonexistent/);
    expect(errors[1].log).toMatch(/^worker thread failed \[threadId:\d+\]: wrong settings/);
  });

  it('a request the worker thread fails is an error there and a warning on the main thread', async () => {
    listen();
    const worker = await newWorker();
    const router = await worker.createRouter();
    const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const port = t.iceCandidates[0].port;
    await expect(
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] }),
    ).rejects.toThrow(/EADDRINUSE|in use/);
    const failures = lines.filter((l) => l.level !== 'debug');
    expect(failures.map((l) => l.namespace)).toEqual(['tsfu:ERROR:Channel', 'tsfu:WARN:Channel']);
    expect(failures[0].log).toMatch(
      /^\[tid:\d+\] Worker::onRequest\(\) \| throwing Error \[method:router\.createWebRtcTransport\]: .*EADDRINUSE/,
    );
    expect(failures[1].log).toMatch(
      /^request failed \[method:router\.createWebRtcTransport, id:\d+\]: .*EADDRINUSE/,
    );
  });
});

describe('DEBUG=tsfu*', () => {
  it('a plain Node process prints tsfu:Worker lines (stdout) and errors (stderr) through debug', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsfu-log-'));
    const script = join(dir, 'print-logs.mjs');
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { createWorker, setLogEventListeners } from ${JSON.stringify(dist)};
const heard = [];
setLogEventListeners({ ondebug: (namespace, log) => heard.push(log) });
setLogEventListeners(undefined);
const worker = await createWorker({ logLevel: 'debug', logTags: ['info'] });
await createWorker({ dtlsCertificateFile: '/nonexistent/c.pem', dtlsPrivateKeyFile: '/nonexistent/k.pem' }).catch(() => {});
worker.close();
console.log('heard ' + JSON.stringify(heard));
`,
    );
    try {
      const { code, stdout, stderr } = await runNode(script, { DEBUG: 'tsfu*' });
      expect(code).toBe(0);
      expect(stdout).toMatch(/tsfu:Worker constructor\(\)/);
      expect(stdout).toMatch(/tsfu:Channel \[tid:\d+\] Settings::PrintConfiguration\(\) \| <configuration>/);
      expect(stderr).toMatch(/tsfu:ERROR:Worker worker thread failed \[threadId:\d+\]: wrong settings/);
      // Removed listeners heard only their own removal; debug got everything after.
      expect(stdout).toContain('heard ["setLogEventListeners()"]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without DEBUG nothing is printed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsfu-log-'));
    const script = join(dir, 'quiet.mjs');
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { createWorker } from ${JSON.stringify(dist)};
const worker = await createWorker({ logLevel: 'debug', logTags: ['info'] });
worker.close();
`,
    );
    try {
      const { code, stdout, stderr } = await runNode(script, {});
      expect(code).toBe(0);
      expect(stdout + stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Runs `node script` with `env` added (DEBUG removed unless given); killed after 25 s. */
function runNode(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { DEBUG: _inherited, ...base } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...base, ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
