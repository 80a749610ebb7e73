/**
 * Bundles a page's TypeScript entry (with the real mediasoup-client and
 * everything else it imports) into one browser script with esbuild, into
 * memory, with a copy in `test/e2e/dist/` (gitignored) for reading when a
 * test fails. Each entry is built once per test process.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `test/e2e/`. */
export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where bundles are written. */
export const BUNDLE_DIR = join(E2E_DIR, 'dist');

export interface BundledPage {
  /** The entry's base name without extension: the page is served as `/<name>.html`. */
  name: string;
  /** The bundled script. */
  js: string;
  /** Its source map (served beside it so page errors point at the TypeScript). */
  map: string;
}

const cache = new Map<string, Promise<BundledPage>>();

/** Bundles `entry` (a path, absolute or relative to `test/e2e/`); later calls for the same entry reuse the build. */
export function bundlePage(entry: string): Promise<BundledPage> {
  const abs = resolve(E2E_DIR, entry);
  let p = cache.get(abs);
  if (!p) {
    p = buildPage(abs);
    cache.set(abs, p);
    // A failed build is not cached, so a fix is picked up by the next call.
    p.catch(() => cache.delete(abs));
  }
  return p;
}

async function buildPage(abs: string): Promise<BundledPage> {
  const name = basename(abs).replace(/\.[cm]?[jt]s$/, '');
  const outfile = join(BUNDLE_DIR, `${name}.js`);
  const result = await build({
    write: false,
    entryPoints: [abs],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'external',
    logLevel: 'silent',
    // mediasoup-client's `debug` logger reads these; keep it quiet and browser-shaped.
    define: { 'process.env.NODE_ENV': '"test"', 'process.env.DEBUG': 'undefined' },
  });
  const js = result.outputFiles.find((f) => f.path === outfile)?.text;
  const map = result.outputFiles.find((f) => f.path === `${outfile}.map`)?.text;
  if (js === undefined || map === undefined) throw new Error(`esbuild produced no output for ${abs}`);
  // Served from memory; the copy on disk is only for reading when a test fails.
  await mkdir(BUNDLE_DIR, { recursive: true });
  await Promise.all([writeFile(outfile, js), writeFile(`${outfile}.map`, map)]);
  return { name, js, map };
}
