/**
 * coturn's test programs (`turnutils_uclient`, `turnutils_peer`), the real TURN
 * client and peer of @tsfu/turn's interop tests. Debian ships them in the
 * `coturn` package. As with ffmpeg (media-tools.ts): when they are missing and
 * we run as root on a Debian-like system, `ensureCoturnTools()` installs them
 * with apt-get (bounded in time); otherwise it throws with the reason, so the
 * tests fail, never skip.
 */
import { execFile } from 'node:child_process';
import { findOnPath } from './media-tools.js';

export const COTURN_PACKAGE = 'coturn';
export const COTURN_COMMANDS = ['turnutils_uclient', 'turnutils_peer'] as const;

const APT_UPDATE_TIMEOUT_MS = 5 * 60_000;
const APT_INSTALL_TIMEOUT_MS = 10 * 60_000;

function run(file: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}${error ? `\n${error.message}` : ''}` });
    });
  });
}

export function missingCoturnTools(path = process.env.PATH ?? ''): string[] {
  return COTURN_COMMANDS.filter((c) => !findOnPath(c, path));
}

let installing: Promise<void> | undefined;

/** Resolves when the coturn tools are on PATH (installing them if needed); rejects with why not. */
export function ensureCoturnTools(log: (line: string) => void = console.log): Promise<void> {
  installing ??= (async () => {
    let missing = missingCoturnTools();
    if (missing.length === 0) return;
    const aptGet = findOnPath('apt-get');
    let reason: string;
    if (process.getuid?.() !== 0) reason = 'not running as root, so apt-get cannot install them';
    else if (!aptGet) reason = 'no apt-get on PATH (not a Debian-like system)';
    else {
      log(`coturn tools: missing ${missing.join(', ')}; apt-get install ${COTURN_PACKAGE}`);
      const lock = ['-o', 'DPkg::Lock::Timeout=120'];
      const update = await run(aptGet, [...lock, 'update'], APT_UPDATE_TIMEOUT_MS);
      const install = update.ok
        ? await run(
            aptGet,
            [...lock, 'install', '-y', '--no-install-recommends', COTURN_PACKAGE],
            APT_INSTALL_TIMEOUT_MS,
          )
        : update;
      missing = missingCoturnTools();
      if (missing.length === 0) return;
      reason = install.ok
        ? 'apt-get succeeded but they are still missing'
        : `apt-get failed: ${install.output.trim().split('\n').slice(-5).join(' | ')}`;
    }
    throw new Error(
      `TURN interop tests need coturn's ${missing.join(', ')} (${reason}); install the Debian package ${COTURN_PACKAGE}`,
    );
  })();
  return installing;
}
