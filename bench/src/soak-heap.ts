/**
 * Leak hunt for the soak's close paths (`node --expose-gc bench/dist/soak-heap.js --rejoins 40`):
 * the soak's room with media flowing, heap snapshots of the SFU worker thread and of this (main)
 * thread after a few rejoins and again after `--rejoins` more, then the difference in object counts
 * per constructor. A leak per rejoin shows as counts growing by a multiple of the rejoins.
 * Snapshots go to the OS temp directory (printed); they are large and not results.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { Proc } from './load-common.js';
import { SoakRoom } from './soak-room.js';

// tsfu keeps its node:worker_threads Worker private; remember every thread that is posted to, so
// the SFU worker's can be found by its threadId (a debugging tool's liberty, not an API).
const threads = new Map<number, ThreadWorker>();
const post = ThreadWorker.prototype.postMessage;
ThreadWorker.prototype.postMessage = function (this: ThreadWorker, ...args: Parameters<typeof post>) {
  threads.set(this.threadId, this);
  return post.apply(this, args);
};

const i = process.argv.indexOf('--rejoins');
const rejoins = Math.min(i >= 0 ? Number(process.argv[i + 1]) : 40, 500);
const WARM_REJOINS = 8;
const dir = mkdtempSync(join(tmpdir(), 'tsfu-soak-heap-'));
const gc = (globalThis as { gc?: () => void }).gc;

const clients = new Proc('clients');
const room = await SoakRoom.create(clients);

async function media(ms: number): Promise<void> {
  await clients.call('run', { ...room.load(), durationMs: ms, drainMs: 50, sampleEvery: 1_000_000 });
}

async function snapshot(label: string): Promise<{ worker: string; main: string }> {
  const thread = threads.get(room.worker.threadId);
  if (!thread) throw new Error('soak-heap: the worker thread was not found');
  const chunks: Buffer[] = [];
  for await (const c of await thread.getHeapSnapshot()) chunks.push(Buffer.from(c)); // forces a GC there
  const worker = join(dir, `worker-${label}.heapsnapshot`);
  writeFileSync(worker, Buffer.concat(chunks));
  gc?.();
  const main = writeHeapSnapshot(join(dir, `main-${label}.heapsnapshot`));
  return { worker, main };
}

/** Object count and self size per "type:constructor" (strings and code pooled by type). */
function objectCounts(file: string): Map<string, { count: number; bytes: number }> {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const fields: string[] = j.snapshot.meta.node_fields;
  const types: string[] = j.snapshot.meta.node_types[0];
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { count: number; bytes: number }>();
  for (let n = 0; n < j.nodes.length; n += fields.length) {
    const type = types[j.nodes[n + ti]];
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type}:${j.strings[j.nodes[n + ni]].slice(0, 60)}` : type;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += j.nodes[n + si];
    out.set(key, e);
  }
  return out;
}

function printDiff(label: string, a: string, b: string): void {
  const before = objectCounts(a);
  const after = objectCounts(b);
  const rows = [...after].map(([k, v]) => {
    const u = before.get(k) ?? { count: 0, bytes: 0 };
    return { k, count: v.count - u.count, bytes: v.bytes - u.bytes };
  });
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  console.log(`\n${label}: ${total} bytes more after ${rejoins} rejoins; largest count changes:`);
  rows.sort((x, y) => Math.abs(y.count) - Math.abs(x.count));
  for (const r of rows.slice(0, 15))
    console.log(`  ${r.k}\t${r.count > 0 ? '+' : ''}${r.count}\t${r.bytes} B`);
}

let k = 0;
for (; k < WARM_REJOINS; k++) {
  await media(500);
  await room.rejoin(k % 4);
}
await media(1000);
const a = await snapshot('a');
for (; k < WARM_REJOINS + rejoins; k++) {
  await media(500);
  await room.rejoin(k % 4);
}
await media(1000);
const b = await snapshot('b');
printDiff('worker thread', a.worker, b.worker);
printDiff('main thread', a.main, b.main);
console.log(`\nsnapshots in ${dir}`);
room.close();
await clients.exit();
process.exit(0);
