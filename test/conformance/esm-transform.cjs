'use strict';
// Jest transform: tsfu's packages are ES modules (dist/*.js under
// "type": "module") and mediasoup's tests are CommonJS that require() them.
// On Node < 24.9 Jest's module registry cannot require() an ES module, so each
// ES module file is compiled to CommonJS on its own, in place: it keeps its
// path, and `import.meta.url` becomes that file's own URL, so tsfu finds the
// worker-thread scripts next to it in dist/ exactly as it does under Node.
// CommonJS files (mediasoup's tests, CJS dependencies) pass through untouched.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const packageTypeByDir = new Map();

/** Node's rule: .mjs, or .js under a package.json with "type": "module". */
function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (!file.endsWith('.js')) return false;
  let dir = path.dirname(file);
  const visited = [];
  let type;
  for (;;) {
    if (packageTypeByDir.has(dir)) {
      type = packageTypeByDir.get(dir);
      break;
    }
    visited.push(dir);
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      type = JSON.parse(fs.readFileSync(manifest, 'utf8')).type ?? 'commonjs';
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      type = 'commonjs';
      break;
    }
    dir = parent;
  }
  for (const d of visited) packageTypeByDir.set(d, type);
  return type === 'module';
}

const IMPORT_META_URL = '__conformanceImportMetaUrl';
const ownSource = fs.readFileSync(__filename, 'utf8');

module.exports = {
  process(sourceText, sourcePath) {
    if (!isEsm(sourcePath)) return { code: sourceText };
    const { code, map } = esbuild.transformSync(sourceText, {
      loader: 'js',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      sourcefile: sourcePath,
      sourcemap: 'external',
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`,
    });
    return { code, map };
  },
  getCacheKey(sourceText, sourcePath) {
    return crypto
      .createHash('sha256')
      .update(ownSource)
      .update(esbuild.version)
      .update(sourcePath)
      .update(sourceText)
      .digest('hex');
  },
};
