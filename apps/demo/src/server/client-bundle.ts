/**
 * Bundles the page (src/client/main.ts with mediasoup-client) with esbuild
 * when the server starts, into memory: the page always matches the server
 * that serves it, and there is no separate build step to forget.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** apps/demo/ (this file is src/server/ or dist/server/). */
export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ClientBundle {
  js: string;
  map: string;
}

/** Builds the page script; throws if the sources are missing or do not compile. */
export async function bundleClient(): Promise<ClientBundle> {
  const entry = join(APP_DIR, 'src', 'client', 'main.ts');
  if (!existsSync(entry)) throw new Error(`page source not found: ${entry}`);
  const outfile = join(APP_DIR, 'dist', 'public', 'app.js');
  const result = await build({
    write: false,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    sourcemap: 'external',
    logLevel: 'silent',
    // mediasoup-client's `debug` logger reads these.
    define: { 'process.env.NODE_ENV': '"production"', 'process.env.DEBUG': 'undefined' },
  });
  const js = result.outputFiles.find((f) => f.path === outfile)?.text;
  const map = result.outputFiles.find((f) => f.path === `${outfile}.map`)?.text;
  if (js === undefined || map === undefined) throw new Error('esbuild produced no page bundle');
  return { js, map };
}
