/**
 * apps/demo's "Record room" switch end to end: the demo server and two
 * headless Chromium pages joined through the form; A clicks "Record room",
 * both pages show the room as recorded, the server writes one file per
 * producer (each peer's camera and microphone) with ffmpeg; A clicks "Stop
 * recording" and ffprobe decodes every file: VP8 frames from each camera
 * (simulcast: the layer the SFU forwards), opus from each microphone.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../apps/demo/src/server/config.js';
import { type DemoServer, startDemoServer } from '../../apps/demo/src/server/server.js';
import { E2E_WAIT_MS, launchBrowser } from './harness/index.js';
import { MediaProcess } from './harness/media-process.js';
import { requireMediaTools } from './harness/media-tools.js';

const ROOM = 'e2e-record';
/** Bytes each camera file must reach before recording stops (a few seconds of video). */
const VIDEO_BYTES = 150_000;
/** And each microphone file (opus at ~32 kbps: a few seconds). */
const AUDIO_BYTES = 10_000;

let server: DemoServer;
let browser: Browser;
let recordDir: string;
const contexts: BrowserContext[] = [];
const serverLog: string[] = [];

async function joinedPage(name: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${server.url}?room=${ROOM}&name=${name}`);
  await page.locator('#join-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'joined');
  return page;
}

/** The recording folder's media files with their sizes. */
function recordedFiles(): Array<{ name: string; path: string; bytes: number }> {
  return readdirSync(recordDir).flatMap((folder) =>
    readdirSync(join(recordDir, folder))
      .filter((f) => /\.(webm|mkv)$/.test(f))
      .map((f) => {
        const path = join(recordDir, folder, f);
        return { name: f, path, bytes: statSync(path).size };
      }),
  );
}

beforeAll(async () => {
  await requireMediaTools();
  recordDir = mkdtempSync(join(tmpdir(), 'tsfu-demo-record-'));
  const config = parseConfig({
    argv: [
      ...['--port=0', '--http-ip=127.0.0.1', '--rtc-port=0', '--listen-ip=127.0.0.1', '--workers=1'],
      ...['--loopback-only', '--no-tcp', `--record-dir=${recordDir}`],
    ],
    env: {},
  });
  server = await startDemoServer(config, (line) => serverLog.push(line));
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.close('test over');
  if (recordDir) rmSync(recordDir, { recursive: true, force: true });
});

describe('demo: record this room', () => {
  it('records each camera and microphone into files ffprobe decodes', async () => {
    const a = await joinedPage('Ada');
    const b = await joinedPage('Grace');
    const button = a.locator('#record-button');
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(await button.textContent()).toBe('Record room');
    await button.click();
    for (const p of [a, b]) await p.waitForFunction(() => document.body.dataset.recording === 'on');
    expect(await button.textContent()).toBe('Stop recording');

    // Each peer's camera and microphone: four files, the cameras' growing past a few seconds of video.
    // The poll's last value (each file's size) shows in a failure, and the server's log after it.
    const progress = () => {
      const files = recordedFiles();
      const cams = files.filter((f) => f.name.includes('-webcam.'));
      const mics = files.filter((f) => f.name.includes('-mic.'));
      const done =
        files.length === 4 &&
        cams.every((f) => f.bytes >= VIDEO_BYTES) &&
        mics.every((f) => f.bytes >= AUDIO_BYTES);
      return { done, files: files.map((f) => `${f.name} ${f.bytes} B`) };
    };
    try {
      await expect.poll(progress, { timeout: E2E_WAIT_MS, interval: 250 }).toMatchObject({ done: true });
    } catch (error) {
      throw new Error(
        `${error instanceof Error ? error.message : error}\nserver log:\n${serverLog.join('\n')}`,
      );
    }

    await button.click();
    for (const p of [a, b]) await p.waitForFunction(() => document.body.dataset.recording === 'off');
    expect(serverLog.some((l) => /^record room=e2e-record off by peer=\S+: 4 file\(s\)/.test(l))).toBe(true);

    const figures: string[] = [];
    for (const file of recordedFiles()) {
      const probe = new MediaProcess(
        'ffprobe',
        [
          '-v',
          'error',
          '-count_frames',
          '-show_entries',
          'stream=codec_name,nb_read_frames',
          '-of',
          'csv=p=0',
          file.path,
        ],
        60_000,
      );
      const exit = await probe.waitForExit(60_000);
      expect(exit, probe.tail()).toEqual({ code: 0, signal: null });
      const [codec, frames] = probe.output.trim().split(',');
      figures.push(`${file.name}: ${codec} ${frames} frames, ${file.bytes} bytes`);
      if (file.name.includes('-webcam.')) {
        expect(codec).toBe('vp8');
        expect(Number(frames)).toBeGreaterThanOrEqual(30);
      } else {
        expect(file.name).toMatch(/-mic\.webm$/);
        expect(codec).toBe('opus');
        expect(Number(frames)).toBeGreaterThanOrEqual(50);
      }
    }
    console.log(`demo record:\n  ${figures.join('\n  ')}`);
  });
});
