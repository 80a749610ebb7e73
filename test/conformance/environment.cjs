'use strict';
// Jest's Node environment, plus the name of the test file it runs, so that
// setup-exclusions.cjs knows which exclusions apply.
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

class ConformanceEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__conformanceTestFile = path.basename(context.testPath, '.js');
  }
}

module.exports = ConformanceEnvironment;
