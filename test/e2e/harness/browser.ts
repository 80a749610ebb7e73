/**
 * Launching Chromium through playwright-core, with the flags this machine
 * needs for WebRTC on loopback. The binary comes from `chromium-binary.ts`
 * (the npm package's, or `TSFU_CHROMIUM`); without it the e2e tests fail
 * (they never skip).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/**
 * The browser binary: `TSFU_CHROMIUM`, which vitest's global setup sets to the
 * resolved binary (see chromium-binary.ts) when the user did not.
 */
export function chromiumPath(): string {
  const path = process.env.TSFU_CHROMIUM;
  if (!path)
    throw new Error('TSFU_CHROMIUM is not set: run through vitest (its global setup resolves Chromium)');
  return path;
}

/**
 * Playwright's own `--disable-features` list (playwright-core 1.65.1). Chromium
 * keeps only the last `--disable-features` switch, so ours must repeat it —
 * several entries stop startup requests to outside hosts. harness.test.ts
 * checks that this still covers what the installed playwright-core passes.
 */
export const PLAYWRIGHT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Why each flag (README.md has the long version):
 * - headless, no sandbox (we run as root in a container), no GPU.
 * - fake camera/microphone, and no permission prompt for them.
 * - no QUIC, background networking, component updates or sync: there is no
 *   outside network, so nothing may try to reach it; the resolver maps every
 *   name but 127.0.0.1 to NOTFOUND for the same reason.
 * - WebRtcHideLocalIpsWithMdns off: host candidates carry IP addresses, not
 *   `.local` names an SFU cannot resolve (merged with Playwright's list).
 * - allow-loopback-in-peer-connection: WebRTC gathers a 127.0.0.1 host
 *   candidate, so browser ↔ SFU traffic stays on loopback.
 * - WebRTC-LegacySimulcastLayerLimit disabled: the 640x480 fake camera still
 *   sends 3 simulcast layers (the limit would cut it to 2).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, 'WebRtcHideLocalIpsWithMdns'].join(',')}`,
  '--allow-loopback-in-peer-connection',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/',
];

export interface LaunchBrowserOptions {
  /** The binary (default {@link chromiumPath}). */
  executablePath?: string;
  /** Flags added after {@link CHROMIUM_ARGS}. */
  extraArgs?: readonly string[];
  /** Launch timeout (default 15 s). */
  timeoutMs?: number;
}

/**
 * Launches a fresh Chromium (playwright gives it a new temporary profile and
 * deletes it on close). Throws if the binary is missing. Close it in
 * `afterAll`; playwright also kills it if the test process exits.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const marker = `--tsfu-e2e-instance=${randomUUID()}`;
  const executablePath = options.executablePath ?? chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: run \`pnpm install\` (it brings @sparticuz/chromium) or set TSFU_CHROMIUM`,
    );
  }
  const launchOptions: LaunchOptions = {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? []), marker],
    timeout: options.timeoutMs ?? 15_000,
  };
  const browser = await chromium.launch(launchOptions);
  markers.set(browser, marker);
  return browser;
}

// Each launch gets a unique unknown switch (Chromium ignores it) so its processes can be found.
const markers = new WeakMap<Browser, string>();

/**
 * Live (non-zombie) processes of a browser from {@link launchBrowser}: the
 * browser process (its command line carries the launch marker) and its
 * children (theirs carry its `--user-data-dir`). Linux only (reads /proc).
 * Used to prove that closing leaves no orphan behind; it never kills anything.
 */
export function browserProcessIds(browser: Browser): number[] {
  const marker = markers.get(browser);
  if (!marker) return [];
  const procs = listProcesses();
  const main = procs.filter((p) => p.args.includes(marker));
  const profiles = new Set<string>();
  for (const p of main) for (const a of p.args) if (a.startsWith('--user-data-dir=')) profiles.add(a);
  return procs
    .filter((p) => p.args.includes(marker) || p.args.some((a) => profiles.has(a)))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** The command line of the browser process of a browser from {@link launchBrowser} (Linux only). */
export function browserCommandLine(browser: Browser): string[] {
  const marker = markers.get(browser);
  return (marker && listProcesses().find((p) => p.args.includes(marker))?.args) || [];
}

function listProcesses(): Array<{ pid: number; args: string[] }> {
  const out: Array<{ pid: number; args: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 3 of stat is the state; skip zombies (already dead, waiting to be reaped).
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      out.push({ pid: Number(name), args });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}
