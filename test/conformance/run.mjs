// Runs mediasoup 3.27.1's compiled Jest tests against @tsfu/sfu (see README.md).
// Arguments go to Jest (e.g. `node run.mjs test-Router` runs one file).
// Exit code: 1 when a test fails in a file of a class tsfu implements (the
// gate list in jest.config.cjs), when an exclusion matches no test, or when
// the run does not finish; 0 otherwise, whatever the other files do.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSurface } from './surface.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
// The whole run takes a few minutes on 2 cores; past this, something hangs.
const RUN_DEADLINE_MS = 20 * 60_000;

const surface = await checkSurface();
console.log(
  `module surface: ${surface.total - surface.missing.length} of ${surface.total} of mediasoup's runtime exports` +
    (surface.missing.length > 0 ? `; missing: ${surface.missing.join(', ')}` : ''),
);

// TSFU_CONFORMANCE_RESULTS=<file> keeps the per-test results (with full failure messages).
const kept = process.env.TSFU_CONFORMANCE_RESULTS;
const scratch = kept ? undefined : mkdtempSync(join(tmpdir(), 'tsfu-conformance-'));
const resultsFile = kept ?? join(scratch, 'results.json');

// --forceExit: a test that expects createWorker()/createWebRtcServer() to
// reject but gets a resolved object from tsfu never closes that object, and
// its worker threads would keep Jest's process alive after the last file.
const child = spawn(
  process.execPath,
  [jestBin, '--config', join(here, 'jest.config.cjs'), '--forceExit', ...process.argv.slice(2)],
  { cwd: here, stdio: 'inherit', env: { ...process.env, TSFU_CONFORMANCE_RESULTS: resultsFile } },
);
const deadline = setTimeout(() => {
  console.error(`conformance: no result after ${RUN_DEADLINE_MS / 60_000} min, stopping Jest`);
  child.kill('SIGKILL');
}, RUN_DEADLINE_MS);

child.on('exit', () => {
  clearTimeout(deadline);
  let gateFailures;
  try {
    ({ gateFailures } = JSON.parse(readFileSync(resultsFile, 'utf8')));
  } catch {
    console.error('conformance: Jest ended without results (see its output above)');
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  process.exitCode = gateFailures === 0 ? 0 : 1;
});
