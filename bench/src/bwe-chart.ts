/**
 * Draws the throttled run of test/e2e/sfu-bwe.test.ts (its samples in
 * test/e2e/dist/bwe-throttle.json) as bench/results/bwe-throttle-<date>.svg:
 * the link limit, the SFU's estimate (`availableOutgoingBitrate`), what it
 * sent to the consumer (`sendBitrate`) and the forwarded layer as the
 * producer's encoding limit for it (150 k / 500 k / 1.2 M), over time.
 *   node bench/dist/bwe-chart.js [samples.json]
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { lineChartSvg } from './svg-chart.js';

interface Sample {
  t: number;
  phase: 'open' | 'limited' | 'lifted';
  spatialLayer: number;
  availableOutgoingBitrate: number;
  sendBitrate: number;
}

const LAYER_KBPS = [150, 500, 1200];
const input = process.argv[2] ?? new URL('../../test/e2e/dist/bwe-throttle.json', import.meta.url).pathname;
const run = JSON.parse(readFileSync(input, 'utf8')) as { limitKbit: number; samples: Sample[] };
const pts = (f: (s: Sample) => number) => run.samples.map((s) => [+s.t.toFixed(2), f(s)] as [number, number]);
const svg = lineChartSvg({
  title: `VP8 simulcast consumer behind a ${run.limitKbit} kbit/s limit (Chromium, tc htb)`,
  xLabel: 'seconds',
  yLabel: 'kbit/s',
  xTicks: [0, 10, 20, 30, 40, 50, 60].filter((x) => x <= Math.max(...run.samples.map((s) => s.t))),
  series: [
    { name: 'link limit (0: none)', points: pts((s) => (s.phase === 'limited' ? run.limitKbit : 0)) },
    { name: 'estimate', points: pts((s) => s.availableOutgoingBitrate / 1000) },
    { name: 'sent to consumer', points: pts((s) => s.sendBitrate / 1000) },
    { name: 'layer (its max kbit/s)', points: pts((s) => LAYER_KBPS[s.spatialLayer] ?? 0) },
  ],
});
const stamp = new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-');
const out = new URL(`../results/bwe-throttle-${stamp}`, import.meta.url).pathname;
writeFileSync(`${out}.svg`, svg);
copyFileSync(input, `${out}.json`);
console.log(`wrote ${out}.svg and .json`);
