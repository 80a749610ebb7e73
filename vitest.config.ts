import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Unpacks the browser tests' Chromium once (test/e2e/harness/chromium-binary.ts).
    globalSetup: ['test/e2e/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2-core machines: keep parallelism modest so real-network tests keep their timing.
    maxWorkers: 2,
  },
});
