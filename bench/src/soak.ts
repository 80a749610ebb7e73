/**
 * The soak (`pnpm soak -- --minutes 60 --sample-seconds 60`; not in CI): one 4-participant room
 * (audio + video each, everyone consuming everyone: 24 consumers) on an SFU in this process, the
 * synthetic clients in a process of their own (so this process's RSS and heap are the SFU's), for
 * a bounded time. Every sample interval: process.memoryUsage() before and after a forced GC, the
 * worker thread's load, what the clients sent and received, and the room's open objects. Every
 * `--rejoin-minutes` (default 5) one participant leaves and rejoins, so the close paths run too.
 * Writes bench/results/soak-<date>.json and .svg (rewritten after every sample) and prints the
 * verdict: least-squares slopes of heapUsed and RSS (after GC) after warm-up, in MiB/hour.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Proc } from './load-common.js';
import type { RunResult } from './load-procs.js';
import { type SoakSample, soakSvg, verdict } from './soak-report.js';
import { PARTICIPANTS, SoakRoom } from './soak-room.js';

const MAX_MINUTES = 240;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new TypeError(`--${name} must be a positive number`);
  return v;
}

const minutes = Math.min(flag('minutes', 60), MAX_MINUTES);
const sampleSeconds = flag('sample-seconds', 60);
const rejoinMinutes = flag('rejoin-minutes', 5);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('soak: run with --expose-gc (pnpm soak does) for the after-GC figures');

const MiB = 2 ** 20;
const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
const dir = new URL('../results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const jsonUrl = new URL(`soak-${stamp}.json`, dir);
const svgUrl = new URL(`soak-${stamp}.svg`, dir);
const runtime = `Node ${process.version}, ${process.platform}-${process.arch}`;

function log(msg: string): void {
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

// Ctrl-C or a kill: the samples so far are on disk already; exit so the clients process is ended too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    log(`${signal}: stopped; the samples so far are in ${jsonUrl.pathname}`);
    process.exit(130);
  });

const clients = new Proc('clients');
const room = await SoakRoom.create(clients);
log(`room up: ${PARTICIPANTS} participants; ${minutes} min, a sample every ${sampleSeconds} s`);
await room.worker.tsfuGetThreadStats(); // starts the event-loop measurement

const samples: SoakSample[] = [];
const t0 = Date.now();
const end = t0 + minutes * 60_000;
let rejoins = 0;
let nextRejoin = t0 + rejoinMinutes * 60_000;

function write(): void {
  const v = verdict(samples, minutes);
  const doc = {
    date: new Date(t0).toISOString(),
    runtime,
    config: { minutes, sampleSeconds, rejoinMinutes, participants: PARTICIPANTS },
    verdict: v,
    samples,
  };
  writeFileSync(jsonUrl, `${JSON.stringify(doc, null, 1)}\n`);
  writeFileSync(
    svgUrl,
    soakSvg(samples, `tsfu soak: 4-participant room, ${minutes} min (SFU process memory)`),
  );
}

let cpuMsBefore = 0;
while (Date.now() < end) {
  const durationMs = Math.min(sampleSeconds * 1000, end - Date.now());
  if (durationMs < 200) break;
  const { streams, receivers } = room.load();
  const r = await clients.call<RunResult>('run', {
    streams,
    receivers,
    durationMs,
    drainMs: 100,
    sampleEvery: 1_000_000,
  });
  const m = process.memoryUsage();
  // Both threads' full GCs before the "after GC" figures (the worker's first: RSS covers both).
  const th = await room.worker.tsfuGetThreadStats({ collectGarbage: true });
  gc?.();
  const g = process.memoryUsage();
  const cpuMs = (th.cpu?.userMs ?? 0) + (th.cpu?.systemMs ?? 0);
  const c = await room.counts();
  const s: SoakSample = {
    minute: (Date.now() - t0) / 60_000,
    rssMiB: m.rss / MiB,
    heapUsedMiB: m.heapUsed / MiB,
    heapTotalMiB: m.heapTotal / MiB,
    externalMiB: m.external / MiB,
    arrayBuffersMiB: m.arrayBuffers / MiB,
    gcRssMiB: g.rss / MiB,
    gcHeapUsedMiB: g.heapUsed / MiB,
    workerHeapUsedMiB: th.heap.usedBytes / MiB,
    workerHeapTotalMiB: th.heap.totalBytes / MiB,
    workerExternalMiB: th.heap.externalBytes / MiB,
    workerHeapCollected: th.heap.collected,
    workerElu: th.eventLoopUtilization,
    workerCpuMs: cpuMs - cpuMsBefore,
    sent: r.sent,
    expected: r.expected,
    received: r.received,
    loss: r.expected ? Math.max(0, 1 - r.received / r.expected) : 1,
    ...c,
    rejoins,
  };
  cpuMsBefore = cpuMs;
  samples.push(s);
  write();
  log(
    `${s.minute.toFixed(1)} min: RSS ${s.gcRssMiB.toFixed(1)} MiB, heapUsed ${s.gcHeapUsedMiB.toFixed(1)} MiB ` +
      `(after GC), worker heapUsed ${s.workerHeapUsedMiB.toFixed(1)} MiB, worker external ${s.workerExternalMiB.toFixed(1)} MiB, retransmission buffers ${s.retxMiB.toFixed(1)} MiB; forwarded ${s.received} (loss ${(s.loss * 100).toFixed(2)} %), ` +
      `${s.consumers} consumers, ${s.transports} transports`,
  );
  if (Date.now() >= nextRejoin && Date.now() < end) {
    await room.rejoin(rejoins % PARTICIPANTS);
    rejoins++;
    nextRejoin += rejoinMinutes * 60_000;
  }
}

const v = verdict(samples, minutes);
const forwarded = samples.reduce((a, s) => a + s.received, 0);
const expected = samples.reduce((a, s) => a + s.expected, 0);
const f = (x: number) => x.toFixed(2);
console.log(
  `\nsoak ${minutes} min on ${runtime}: ${samples.length} samples, ${rejoins} rejoins, ` +
    `${forwarded} packets forwarded to the clients (${f((1 - forwarded / Math.max(1, expected)) * 100)} % lost)\n` +
    `after ${f(v.warmupMinutes)} min warm-up: heapUsed slope ${f(v.heapUsed.slopeMiBPerHour)} MiB/h, ` +
    `range ${f(v.heapUsed.rangeMiB)} MiB; worker thread heapUsed slope ${f(v.workerHeapUsed.slopeMiBPerHour)} MiB/h, ` +
    `range ${f(v.workerHeapUsed.rangeMiB)} MiB; RSS slope ${f(v.rss.slopeMiBPerHour)} MiB/h, range ${f(v.rss.rangeMiB)} MiB\n` +
    `verdict: ${v.flat ? 'FLAT' : 'NOT FLAT'} (bounds: |heap slope| < ${v.bounds.heapSlopeMiBPerHour} MiB/h, ` +
    `|RSS slope| < ${v.bounds.rssSlopeMiBPerHour} MiB/h, ranges < ${v.bounds.rangeMiB} MiB)\n` +
    `wrote ${jsonUrl.pathname} and ${svgUrl.pathname}`,
);
room.close();
await clients.exit();
process.exit(0);
