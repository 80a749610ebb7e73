/**
 * vitest global setup of the browser project (main process, once per run):
 * installs ffmpeg and GStreamer when they are missing (`media-tools.ts`).
 * Never throws: the tests that need them fail with the reason instead.
 */
import { ensureMediaTools } from './media-tools.js';

export default async function setup(): Promise<void> {
  await ensureMediaTools();
}
