/**
 * Which Chromium the browser tests run. `TSFU_CHROMIUM` wins (e.g. Debian's
 * `/usr/bin/chromium`); otherwise the headless Chromium shipped inside the
 * `@sparticuz/chromium` npm package, so `pnpm install` alone gives a fresh
 * machine its browser. That package keeps the binary brotli-compressed and
 * unpacks it into the OS temp dir on first use (~2 s, then reused), so vitest
 * resolves it once in its global setup, before test workers run in parallel.
 */
import { existsSync } from 'node:fs';

/** Resolves the binary path, unpacking the npm package's Chromium if needed. */
export async function resolveChromiumPath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.TSFU_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TSFU_CHROMIUM=${fromEnv}: no such file`);
    return fromEnv;
  }
  const { default: sparticuz } = await import('@sparticuz/chromium');
  return sparticuz.executablePath();
}
