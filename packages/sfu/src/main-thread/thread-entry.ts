import { fileURLToPath } from 'node:url';

/**
 * URL of a thread entry script in `dist/`. Under vitest the package runs from
 * `src/*.ts`, but `worker_threads` needs JavaScript, so the built file is used
 * (build the package first, as `pnpm test` does).
 */
export function threadEntry(relativeJs: string): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return new URL(`../../dist/${relativeJs}`, import.meta.url);
  return new URL(`../${relativeJs}`, import.meta.url);
}
