/**
 * A small benchmark harness made for noisy shared machines: the cases of one
 * suite run interleaved, round after round, so drift hits them alike, and each
 * case is reported by its median round. Ratios are against the suite's
 * baseline measured in the same run — absolute times drift, ratios much less.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchCase {
  name: string;
  /** Runs the operation `iterations` times. Keep per-call setup out of it. */
  run: (iterations: number) => void;
  /** Marks the case the others are compared with. */
  baseline?: boolean;
}

export interface BenchOptions {
  /** Interleaved rounds per case (default 15). */
  rounds?: number;
  /** Target duration of one round of one case, in ms (default 40). */
  roundMs?: number;
  /** Hard cap on the suite's measuring time, in ms (default 20000). */
  maxMs?: number;
}

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  /** Baseline ns/op divided by this case's ns/op: > 1 means faster than the baseline. */
  speedupVsBaseline: number | null;
  rounds: number;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function calibrate(c: BenchCase, roundMs: number): number {
  let n = 1;
  for (;;) {
    const t0 = now();
    c.run(n);
    const dt = now() - t0;
    if (dt >= roundMs / 4 || n >= 1 << 30) {
      return Math.max(1, Math.round((n * roundMs) / Math.max(dt, 1e-3)));
    }
    n *= 4;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function runSuite(title: string, cases: BenchCase[], opts: BenchOptions = {}): BenchResult[] {
  // `pnpm bench --quick` (TSFU_BENCH_QUICK=1): fewer, shorter rounds for a ~1–2 minute whole run.
  const q = process.env.TSFU_BENCH_QUICK === '1';
  const rounds = q ? Math.min(5, opts.rounds ?? 15) : (opts.rounds ?? 15);
  const roundMs = q ? Math.min(20, opts.roundMs ?? 40) : (opts.roundMs ?? 40);
  const maxMs = q ? Math.min(2_500, opts.maxMs ?? 20_000) : (opts.maxMs ?? 20_000);
  const iterations = cases.map((c) => calibrate(c, roundMs));
  const samples: number[][] = cases.map(() => []);
  const start = now();
  for (let r = 0; r < rounds && now() - start < maxMs; r++) {
    for (let i = 0; i < cases.length; i++) {
      const t0 = now();
      cases[i].run(iterations[i]);
      samples[i].push(((now() - t0) * 1e6) / iterations[i]);
    }
  }
  const ns = samples.map(median);
  const baseIndex = cases.findIndex((c) => c.baseline);
  const results = cases.map((c, i) => ({
    name: c.name,
    nsPerOp: ns[i],
    opsPerSec: 1e9 / ns[i],
    speedupVsBaseline: baseIndex >= 0 ? ns[baseIndex] / ns[i] : null,
    rounds: samples[i].length,
  }));
  printTable(title, results);
  return results;
}

export function printTable(title: string, results: BenchResult[]): void {
  console.log(`\n## ${title}`);
  console.table(
    results.map((r) => ({
      case: r.name,
      'ns/op': r.nsPerOp.toFixed(1),
      'ops/s': Math.round(r.opsPerSec).toLocaleString('en-US'),
      'vs baseline': r.speedupVsBaseline === null ? '' : `${r.speedupVsBaseline.toFixed(2)}x`,
    })),
  );
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Writes a text file (a chart) under bench/results/; returns its path. */
export function saveText(file: string, text: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, file);
  writeFileSync(path, text);
  return path;
}

/** Writes a suite's results as JSON under bench/results/. */
export function saveResults(name: string, data: unknown): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  writeFileSync(file, `${JSON.stringify({ ...meta, data }, null, 2)}\n`);
  return file;
}

/** Defeats dead-code elimination: benchmarks feed their results here. */
export let sink = 0;
export function consume(x: number): void {
  sink = (sink + x) | 0;
}
