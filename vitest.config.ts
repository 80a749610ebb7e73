import { defineConfig } from 'vitest/config';

// Browser tests wait for conditions (frames decoded, layers switched), not for
// a quiet machine: their deadlines only matter when a condition never comes,
// so they are generous enough for a loaded 2-core machine.
const browserTests = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Unpacks the browser tests' Chromium once (test/e2e/harness/chromium-binary.ts).
    globalSetup: ['test/e2e/harness/global-setup.ts'],
    // 2-core machines: keep parallelism modest so real-network tests keep their timing.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'test/**/*.test.ts',
            'bench/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', browserTests],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: [browserTests],
          // Only when browser tests run: brings ffmpeg/GStreamer with apt-get if missing (harness/media-tools.ts).
          globalSetup: ['test/e2e/harness/media-tools-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
