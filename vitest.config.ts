import { defineConfig } from 'vitest/config';

// Browser tests wait for conditions (frames decoded, layers switched), not for
// a quiet machine: their deadlines only matter when a condition never comes,
// so they are generous enough for a loaded 2-core machine.
const browserTests = 'test/e2e/**/*.test.ts';
// Browser tests whose deadlines measure the bandwidth estimator (a layer reached within N s of a
// limit set or lifted): on a 2-core machine also running other Chromium pages and load tests, CPU
// starvation delays Chromium's packet reads, which a delay-based estimator rightly reads as
// queueing (seen: an unlimited link's estimate cut to 113 kbit/s at load average 12). The test
// command runs them in a second vitest run, one file at a time, after the rest.
const estimatorTests = [
  'test/e2e/sfu-bwe.test.ts',
  'test/e2e/sfu-svc.test.ts',
  'test/e2e/pipe-to-router.test.ts',
];

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
          exclude: ['**/node_modules/**', '**/dist/**', ...estimatorTests],
          // Only when browser tests run: brings ffmpeg/GStreamer with apt-get if missing (harness/media-tools.ts).
          globalSetup: ['test/e2e/harness/media-tools-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'estimator',
          include: estimatorTests,
          globalSetup: ['test/e2e/harness/media-tools-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
