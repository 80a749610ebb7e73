'use strict';
// The package under test is @tsfu/sfu, so its package.json is tsfu's. mediasoup's
// tests read "their" package.json by path, three folders above the test file
// (test-mediasoup: `mediasoup.version matches version field in package.json`),
// which in place is mediasoup's own (3.27.1). This setup file answers that one
// read with @tsfu/sfu's package.json; every other file of node:fs reads as usual.
// (tsfu exports its own package version as `version` and the mediasoup API it
// follows as `mediasoupApiVersion`; see README.md, "Glue decisions".)
const path = require('node:path');
const { mediasoupRoot } = require('../mediasoup-paths.cjs');

const mediasoupPackageJson = path.join(mediasoupRoot, 'package.json');
// The package root is the folder above its entry (dist/index.js).
const tsfuPackageJson = path.join(path.dirname(require.resolve('@tsfu/sfu')), '..', 'package.json');

jest.mock('node:fs', () => {
  const fs = jest.requireActual('node:fs');
  const readFileSync = (file, ...rest) =>
    fs.readFileSync(
      typeof file === 'string' && path.resolve(file) === mediasoupPackageJson ? tsfuPackageJson : file,
      ...rest,
    );
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});
