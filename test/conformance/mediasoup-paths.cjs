'use strict';
// Where the mediasoup package (a devDependency, never built) keeps its compiled tests.
const fs = require('node:fs');
const path = require('node:path');

// Resolving only finds the file (node/lib/index.js); nothing of mediasoup's is loaded.
const mediasoupLib = fs.realpathSync(path.dirname(require.resolve('mediasoup')));
const mediasoupRoot = path.resolve(mediasoupLib, '..', '..');
const mediasoupTests = path.join(mediasoupLib, 'test');
// test-Worker.js passes these to createWorker(); the npm package does not ship them.
const certificateFile = path.join(mediasoupTests, 'data', 'dtls-cert.pem');
const privateKeyFile = path.join(mediasoupTests, 'data', 'dtls-key.pem');

module.exports = { mediasoupRoot, mediasoupLib, mediasoupTests, certificateFile, privateKeyFile };
