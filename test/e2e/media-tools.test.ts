/**
 * The media tools' presence check (harness/media-tools.ts): tests that need
 * ffmpeg/GStreamer fail with a message naming what is missing, never skip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  findOnPath,
  MEDIA_TOOL_PACKAGES,
  MISSING_ENV,
  missingMediaTools,
  requireMediaTools,
} from './harness/media-tools.js';

const saved = process.env[MISSING_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[MISSING_ENV];
  else process.env[MISSING_ENV] = saved;
});

describe('media tools', () => {
  it('are on this machine after the global setup (ffmpeg, ffprobe, GStreamer and its elements)', async () => {
    expect(await missingMediaTools()).toEqual([]);
    await expect(requireMediaTools()).resolves.toBeUndefined();
  });

  it('a PATH without them: every command is reported missing', async () => {
    expect(findOnPath('ffmpeg', '/nonexistent')).toBeUndefined();
    expect(await missingMediaTools('/nonexistent')).toEqual([
      'ffmpeg',
      'ffprobe',
      'gst-launch-1.0',
      'gst-inspect-1.0',
    ]);
  });

  it('what the global setup could not install fails requireMediaTools() with its reason and the packages', async () => {
    process.env[MISSING_ENV] =
      `missing ffmpeg (not running as root); install the Debian packages ${MEDIA_TOOL_PACKAGES.join(' ')}`;
    await expect(requireMediaTools()).rejects.toThrow(
      /need ffmpeg and GStreamer: missing ffmpeg \(not running as root\).*gstreamer1\.0-plugins-good/,
    );
  });
});
