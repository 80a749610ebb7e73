/**
 * The I/O thread dying (`crashIoThreadForTesting`, an uncaught error in it):
 * every worker on it emits `died` and closes with mediasoup's cascade, calls
 * reject with WorkerClosedError, and the next `createWorker()` starts a fresh
 * I/O thread whose WebRtcServer carries media. A child process checks that
 * nothing keeps the process alive afterwards and nothing rejects unhandled.
 * Imports the built package (`pnpm build` first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sfu from '@tsfu/sfu';
import { ALLOW_CRASH_FOR_TESTING_ENV, crashIoThreadForTesting } from '@tsfu/sfu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from './media-rig.js';
import { connectServerPeer, forwardsAudio, type ServerPeer } from './server-peer.js';

// Read when the I/O thread starts (the first createWorker below).
process.env[ALLOW_CRASH_FOR_TESTING_ENV] = '1';

const LISTEN: sfu.TransportListenInfo[] = [
  { protocol: 'udp', ip: '127.0.0.1', port: 0 },
  { protocol: 'tcp', ip: '127.0.0.1', port: 0 },
];

const workers: sfu.Worker[] = [];
const peers: ServerPeer[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  for (const p of peers) p.client.close();
  for (const w of workers) w.close();
});

async function newWorker(): Promise<sfu.Worker> {
  const w = await sfu.createWorker({ logLevel: 'warn' });
  workers.push(w);
  return w;
}

function record(
  events: string[],
  name: string,
  emitter: { on(event: string, fn: () => void): unknown },
  event: string,
) {
  emitter.on(event, () => events.push(`${name} ${event}`));
}

describe('I/O thread death', () => {
  let udpPort = 0;

  it('two workers and a live WebRtcTransport: every worker dies with the cascade of mediasoup worker death', async () => {
    const a = await newWorker();
    const b = await newWorker();
    const sa = await a.createWebRtcServer({ listenInfos: LISTEN });
    const dump = await sa.dump();
    udpPort = dump.udpSockets[0].port;
    const tcpPort = dump.tcpServers[0].port;
    const sb = await b.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: '127.0.0.1', port: udpPort },
        { protocol: 'tcp', ip: '127.0.0.1', port: tcpPort },
      ],
    });
    const ra = await a.createRouter({ mediaCodecs: MEDIA_CODECS });
    const rb = await b.createRouter({ mediaCodecs: MEDIA_CODECS });
    const pa = await connectServerPeer(ra, sa);
    const pa2 = await connectServerPeer(ra, sa);
    const pb = await connectServerPeer(rb, sb);
    peers.push(pa, pa2, pb);
    expect(await forwardsAudio(ra, pa, pa2)).toBeGreaterThan(0);
    const producer = [...(await pa.transport.dump()).producerIds];
    expect(producer).toHaveLength(1);
    expect(pa.transport.iceState).toBe('completed');

    const events: string[] = [];
    const consumers: sfu.Consumer[] = [];
    const producers: sfu.Producer[] = [];
    pa.transport.observer.on('newproducer', (p) => producers.push(p));
    pa2.transport.observer.on('newconsumer', (c) => consumers.push(c));
    const producer2 = await pa.transport.produce({
      kind: 'audio',
      rtpParameters: {
        mid: '1',
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 0x7777 }],
      },
    });
    const consumer2 = await pa2.transport.consume({
      producerId: producer2.id,
      rtpCapabilities: ra.rtpCapabilities,
    });
    expect([producers, consumers]).toEqual([[producer2], [consumer2]]);
    record(events, 'producer', producer2, 'transportclose');
    record(events, 'producer observer', producer2.observer, 'close');
    record(events, 'consumer', consumer2, 'transportclose');
    record(events, 'consumer observer', consumer2.observer, 'close');
    record(events, 'transport', pa.transport, 'routerclose');
    record(events, 'transport observer', pa.transport.observer, 'close');
    record(events, 'router', ra, 'workerclose');
    record(events, 'router observer', ra.observer, 'close');
    record(events, 'server', sa, 'workerclose');
    record(events, 'server observer', sa.observer, 'close');
    record(events, 'worker', a, 'died');
    record(events, 'worker', a, 'subprocessclose');
    record(events, 'worker observer', a.observer, 'close');
    const diedA = new Promise<Error>((r) => a.once('died', r));
    const diedB = new Promise<Error>((r) => b.once('died', r));
    const closedB = new Promise<void>((r) => b.once('subprocessclose', r));

    await crashIoThreadForTesting();
    const [errorA, errorB] = await Promise.all([diedA, diedB]);
    await closedB;

    for (const error of [errorA, errorB]) {
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/^I\/O thread died \[threadId:\d+, code:1\]: .*crashIoThreadForTesting/);
    }
    expect(events).toEqual([
      'producer transportclose',
      'producer observer close',
      'transport routerclose',
      'transport observer close',
      // pa2's consumer: transport pa2 closes after pa (router order), its consumer first.
      'consumer transportclose',
      'consumer observer close',
      'router workerclose',
      'router observer close',
      'server workerclose',
      'server observer close',
      'worker died',
      'worker subprocessclose',
      'worker observer close',
    ]);
    for (const w of [a, b]) {
      expect([w.died, w.closed, w.subprocessClosed]).toEqual([true, true, true]);
      await expect(w.dump()).rejects.toBeInstanceOf(sfu.WorkerClosedError);
      await expect(w.createRouter()).rejects.toBeInstanceOf(sfu.WorkerClosedError);
      await expect(w.createWebRtcServer({ listenInfos: LISTEN })).rejects.toBeInstanceOf(
        sfu.WorkerClosedError,
      );
    }
    for (const o of [ra, rb, sa, sb, pa.transport, pb.transport, producer2, consumer2])
      expect(o.closed).toBe(true);
    expect(pb.transport.iceState).toBe('closed');
    await expect(pa.transport.getStats()).rejects.toThrow();
    expect(a.routersForTesting.size + a.webRtcServersForTesting.size).toBe(0);
    // Nothing counted by a thread that is gone; no new I/O thread was started to answer.
    expect((await sa.getIoCounters()).sockets).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it('the next createWorker starts a fresh I/O thread: a WebRtcServer on the old port carries media', async () => {
    expect(udpPort).toBeGreaterThan(0);
    const w = await newWorker();
    expect(w.died).toBe(false);
    // The dead thread's sockets were released: the same port can be bound again.
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: udpPort }],
    });
    const router = await w.createRouter({ mediaCodecs: MEDIA_CODECS });
    const from = await connectServerPeer(router, server);
    const to = await connectServerPeer(router, server);
    peers.push(from, to);
    expect(await forwardsAudio(router, from, to)).toBeGreaterThan(0);
    const io = await server.getIoCounters();
    expect(io.routedByTuple).toBeGreaterThan(0);
    expect(io.sockets).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it('without the testing flag the I/O thread refuses to crash', async () => {
    const dist = fileURLToPath(new URL('../../packages/sfu/dist/', import.meta.url));
    const script = `
      const sfu = await import(${JSON.stringify(`${dist}index.js`)});
      const { crashIoThreadForTesting } = await import(${JSON.stringify(`${dist}testing/index.js`)});
      const w = await sfu.createWorker();
      const refused = await crashIoThreadForTesting().then(() => 'obeyed', (e) => e.message);
      console.log(JSON.stringify({ refused, died: w.died }));
      w.close();
    `;
    const env = { ...process.env };
    delete env[ALLOW_CRASH_FOR_TESTING_ENV];
    const result = await runNode(script, env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      refused: 'crashForTesting is disabled in this process',
      died: false,
    });
  }, 90_000);

  it('after the death nothing keeps the process alive and nothing rejects unhandled', async () => {
    const dist = fileURLToPath(new URL('../../packages/sfu/dist/', import.meta.url));
    // Nothing is closed by hand except the new worker: the process must end on its own.
    const script = `
      process.on('unhandledRejection', (e) => { console.error('unhandled', e); process.exitCode = 3; });
      const sfu = await import(${JSON.stringify(`${dist}index.js`)});
      const { crashIoThreadForTesting } = await import(${JSON.stringify(`${dist}testing/index.js`)});
      const listenInfos = [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }, { protocol: 'tcp', ip: '127.0.0.1', port: 0 }];
      const a = await sfu.createWorker();
      const b = await sfu.createWorker();
      const server = await a.createWebRtcServer({ listenInfos });
      const router = await a.createRouter();
      await router.createWebRtcTransport({ webRtcServer: server, enableTcp: true });
      const rb = await b.createRouter();
      await rb.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
      const died = Promise.all([a, b].map((w) => new Promise((r) => w.once('died', r))));
      await crashIoThreadForTesting();
      await died;
      // Calls on the dead worker reject (handled here); the next worker works and is closed.
      await a.dump().catch(() => {});
      const c = await sfu.createWorker();
      await c.createWebRtcServer({ listenInfos });
      c.close();
      console.log('done');
    `;
    const result = await runNode(script, { ...process.env, [ALLOW_CRASH_FOR_TESTING_ENV]: '1' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('done');
    expect(result.code).toBe(0);
  }, 90_000);
});

/**
 * Runs an ES module script in a new node process; rejects if it has not exited within `timeoutMs`.
 * (A file, not `-e`: worker threads inherit the parent's execArgv, and `-e` would run in them too.)
 */
async function runNode(
  script: string,
  env: NodeJS.ProcessEnv,
  // A bound for a child that never exits, not a speed target: three worker starts took 11 s
  // on a loaded 2-core machine.
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsfu-io-death-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, script);
  try {
    return await runFile(file, env, timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runFile(
  file: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the child process did not exit within ${timeoutMs} ms (stdout: ${stdout}, stderr: ${stderr})`,
        ),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
