'use strict';
// test-Worker.js creates a worker with dtlsCertificateFile/dtlsPrivateKeyFile
// from the test folder's data/, which mediasoup's npm package does not ship:
// generate a self-signed ECDSA P-256 pair there (once; openssl, as Debian ships it).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { certificateFile, privateKeyFile } = require('./mediasoup-paths.cjs');

module.exports = () => {
  if (fs.existsSync(certificateFile) && fs.existsSync(privateKeyFile)) return;
  fs.mkdirSync(path.dirname(certificateFile), { recursive: true });
  // -nodes: the worker reads the key without a passphrase.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=tsfu-conformance',
      '-keyout',
      privateKeyFile,
      '-out',
      certificateFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
};
