/**
 * Runs every benchmark suite in turn: `pnpm bench` (about 8–9 minutes on 2 cores)
 * or `pnpm bench --quick` (about 1–2 minutes: shorter rounds, fan-out N=10 only,
 * shorter rooms ramps). The micro suites run in this process one after
 * another; the load suites (`load.ts`: fan-out, latency, rooms, scaling) fork
 * the SFU, the relays and the clients as processes of their own and print the
 * summary table last. A single suite runs alone with `node bench/dist/<suite>.js`.
 */
import { existsSync } from 'node:fs';

if (process.argv.includes('--quick')) process.env.TSFU_BENCH_QUICK = '1';
const quick = process.env.TSFU_BENCH_QUICK === '1';
const started = Date.now();
// Results differ between Node majors (the README reports the goal case on 20 and 26): say which ran.
const runtime = `Node ${process.version}, V8 ${process.versions.v8}, ${process.platform}-${process.arch}`;
console.log(`tsfu bench on ${runtime}${quick ? ' (--quick)' : ''}`);

const micro = [
  'rtp',
  'srtp',
  'stun',
  'dtls',
  'sctp',
  'data-fanout',
  'ring',
  'sfu-io',
  'forward',
  'pipe',
  'turn',
];
// In quick mode the micro suites with the longest setup stay out; they run alone as above.
const skipQuick = new Set(['sctp', 'data-fanout', 'forward']);

for (const s of micro) {
  if (quick && skipQuick.has(s)) continue;
  const url = new URL(`./${s}.js`, import.meta.url);
  if (!existsSync(url)) continue;
  const t0 = Date.now();
  await import(url.href);
  console.log(`(${s}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const { runLoad } = await import('./load.js');
await runLoad();
console.log(
  `\npnpm bench${quick ? ' --quick' : ''}: ${((Date.now() - started) / 1000).toFixed(0)} s in all, on ${runtime}`,
);
// Some micro suites leave SFU workers / threads behind; end here rather than linger (and load the machine).
process.exit(0);
