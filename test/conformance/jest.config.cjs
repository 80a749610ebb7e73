'use strict';
// Jest runs mediasoup 3.27.1's compiled tests in place (node_modules/mediasoup/node/lib/test),
// with tsfu answering their require('../…'). See README.md.
const os = require('node:os');
const path = require('node:path');
const { mediasoupTests } = require('./mediasoup-paths.cjs');

module.exports = {
  rootDir: __dirname,
  roots: [mediasoupTests],
  testRegex: '/test-[^/]+\\.js$',
  // The tests live under node_modules: nothing there may be ignored.
  testPathIgnorePatterns: [],
  // Jest's file map drops files under node_modules unless told to keep them.
  haste: { retainAllFiles: true },
  watchman: false,
  resolver: path.join(__dirname, 'resolver.cjs'),
  transform: { '\\.m?js$': path.join(__dirname, 'esm-transform.cjs') },
  transformIgnorePatterns: [],
  testEnvironment: path.join(__dirname, 'environment.cjs'),
  setupFilesAfterEnv: [
    path.join(__dirname, 'setup-exclusions.cjs'),
    // test-mediasoup reads the package.json of the package under test: @tsfu/sfu's.
    path.join(__dirname, 'glue', 'package-json.cjs'),
    // Diagnostic: list every failing assertion of a test (README.md).
    ...(process.env.TSFU_CONFORMANCE_ALL_ASSERTIONS === '1' ? [path.join(__dirname, 'soft-expect.cjs')] : []),
  ],
  globalSetup: path.join(__dirname, 'global-setup.cjs'),
  // Tests carry their own timeouts (mostly 2-3 s); this bounds the hooks and the rest.
  testTimeout: 10_000,
  // One file at a time: each test starts worker threads, and the machine has 2 cores.
  maxWorkers: 1,
  cacheDirectory: path.join(os.tmpdir(), 'tsfu-conformance-jest-cache'),
  reporters: [
    [
      path.join(__dirname, 'reporter.cjs'),
      {
        // Files of the classes tsfu implements: any failure here fails the run.
        gateFiles: [
          'test-mediasoup',
          'test-Worker',
          'test-WebRtcServer',
          'test-Router',
          'test-WebRtcTransport',
          'test-PlainTransport',
          'test-PipeTransport',
          'test-Producer',
          'test-Consumer',
          'test-DataProducer',
          'test-DataConsumer',
          'test-DirectTransport',
          'test-werift-sctp',
          'test-ortc',
          'test-multiopus',
          'test-AudioLevelObserver',
          'test-ActiveSpeakerObserver',
        ],
        resultsFile: process.env.TSFU_CONFORMANCE_RESULTS,
      },
    ],
  ],
};
