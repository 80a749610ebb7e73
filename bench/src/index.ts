/**
 * Runs every benchmark suite in turn: `pnpm bench`. A single suite runs alone
 * with `node bench/dist/<suite>.js`.
 */
import { existsSync } from 'node:fs';

const suites = ['rtp', 'srtp', 'stun', 'dtls', 'sctp', 'ring', 'sfu-io', 'forward'];

for (const s of suites) {
  const url = new URL(`./${s}.js`, import.meta.url);
  if (!existsSync(url)) continue;
  await import(url.href);
}
