'use strict';
// Runs before each mediasoup test file: a test named in exclusions.json for
// this file is registered with test.skip (so it never runs and Jest reports it
// as skipped, which the reporter counts as excluded). Nothing else changes.
const exclusions = require('./exclusions.json');

const file = globalThis.__conformanceTestFile;
const excluded = new Set(exclusions.filter((e) => e.file === file).map((e) => e.test));

if (excluded.size > 0) {
  for (const name of ['test', 'it']) {
    const original = globalThis[name];
    const wrapped = (testName, fn, timeout) =>
      excluded.has(testName) ? original.skip(testName, fn, timeout) : original(testName, fn, timeout);
    globalThis[name] = Object.assign(wrapped, original);
  }
}
