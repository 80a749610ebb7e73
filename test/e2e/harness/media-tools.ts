/**
 * The real RTP peers of the PlainTransport tests: Debian's `ffmpeg` and
 * GStreamer (`gst-launch-1.0` with the good plugins). A fresh machine has
 * neither, and the README's test command must bring them, as it brings
 * Chromium: when they are missing and we run as root on a Debian-like system,
 * `ensureMediaTools()` (vitest's global setup, browser project) installs them
 * with `apt-get` once, bounded in time. When it cannot, it records why in
 * `TSFU_MEDIA_TOOLS_MISSING`, and `requireMediaTools()` makes every test that
 * needs them fail with that message: they never skip.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian packages that bring the commands and GStreamer elements below. */
export const MEDIA_TOOL_PACKAGES = [
  'ffmpeg',
  'gstreamer1.0-tools',
  'gstreamer1.0-plugins-good',
  'gstreamer1.0-plugins-bad',
] as const;

/** Commands the tests run. */
export const MEDIA_TOOL_COMMANDS = ['ffmpeg', 'ffprobe', 'gst-launch-1.0', 'gst-inspect-1.0'] as const;

/** GStreamer elements the pipelines use (good plugins; `identity`/`fakesink` are core). */
export const GST_ELEMENTS = ['rtpbin', 'udpsrc', 'udpsink', 'rtpvp8depay', 'vp8dec', 'identity'] as const;

/** Set by the global setup when the tools are missing and could not be installed. */
export const MISSING_ENV = 'TSFU_MEDIA_TOOLS_MISSING';

const APT_UPDATE_TIMEOUT_MS = 5 * 60_000;
const APT_INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The absolute path of `command` on `PATH`, or undefined. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface RunResult {
  ok: boolean;
  output: string;
}

function run(file: string, args: string[], timeoutMs: number, env = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}${error ? `\n${error.message}` : ''}` });
    });
  });
}

/** What is missing: commands not on `path`, then GStreamer elements `gst-inspect-1.0` does not know. */
export async function missingMediaTools(path = process.env.PATH ?? ''): Promise<string[]> {
  const missing: string[] = MEDIA_TOOL_COMMANDS.filter((c) => !findOnPath(c, path));
  const inspect = findOnPath('gst-inspect-1.0', path);
  if (inspect) {
    for (const element of GST_ELEMENTS) {
      const r = await run(inspect, ['--exists', element], 30_000);
      if (!r.ok) missing.push(`GStreamer element ${element}`);
    }
  }
  return missing;
}

export interface EnsureMediaToolsResult {
  /** Packages installed by this call (empty when nothing was missing). */
  installed: string[];
  /** Still missing afterwards (empty when the tools are there). */
  missing: string[];
  /** Why they are missing, as the tests report it. */
  reason?: string;
}

/**
 * Installs the media tools with apt-get when they are missing and we are root
 * (`apt-get update` once, then `apt-get install -y --no-install-recommends`),
 * logging what it does. Never throws: what is still missing, and why, lands
 * in `process.env[MISSING_ENV]` for the test workers (which inherit it).
 */
export async function ensureMediaTools(
  log: (line: string) => void = console.log,
): Promise<EnsureMediaToolsResult> {
  delete process.env[MISSING_ENV];
  let missing = await missingMediaTools();
  if (missing.length === 0) return { installed: [], missing };
  const aptGet = findOnPath('apt-get');
  let reason: string | undefined;
  let installed: string[] = [];
  if (process.getuid?.() !== 0) reason = 'not running as root, so apt-get cannot install them';
  else if (!aptGet) reason = 'no apt-get on PATH (not a Debian-like system)';
  else {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
    log(`media tools: missing ${missing.join(', ')}; apt-get install ${MEDIA_TOOL_PACKAGES.join(' ')}`);
    const update = await run(aptGet, ['-o', 'DPkg::Lock::Timeout=120', 'update'], APT_UPDATE_TIMEOUT_MS, env);
    const install = update.ok
      ? await run(
          aptGet,
          [
            '-o',
            'DPkg::Lock::Timeout=120',
            'install',
            '-y',
            '--no-install-recommends',
            ...MEDIA_TOOL_PACKAGES,
          ],
          APT_INSTALL_TIMEOUT_MS,
          env,
        )
      : update;
    if (install.ok) {
      installed = [...MEDIA_TOOL_PACKAGES];
      log(`media tools: installed in ${seconds()} s`);
    } else {
      reason = `apt-get failed after ${seconds()} s: ${install.output.trim().split('\n').slice(-5).join(' | ')}`;
    }
    missing = await missingMediaTools();
    if (missing.length > 0) reason ??= 'apt-get succeeded but they are still missing';
  }
  if (missing.length > 0) {
    const message = `missing ${missing.join(', ')} (${reason}); install the Debian packages ${MEDIA_TOOL_PACKAGES.join(' ')}`;
    process.env[MISSING_ENV] = message;
    log(`media tools: ${message}`);
    return { installed, missing, reason };
  }
  return { installed, missing };
}

/**
 * For a test that runs ffmpeg or GStreamer: throws a clear error when they are
 * missing (as the global setup found, or as found now when it did not run).
 */
export async function requireMediaTools(): Promise<void> {
  const fromSetup = process.env[MISSING_ENV];
  if (fromSetup) throw new Error(`PlainTransport peer tests need ffmpeg and GStreamer: ${fromSetup}`);
  const missing = await missingMediaTools();
  if (missing.length > 0) {
    throw new Error(
      `PlainTransport peer tests need ffmpeg and GStreamer: missing ${missing.join(', ')}; install the Debian packages ${MEDIA_TOOL_PACKAGES.join(' ')}`,
    );
  }
}
