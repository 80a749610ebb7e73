// Module surface: the runtime exports mediasoup 3.27.1 declares (read from
// the .d.ts files it ships; none of its code runs) that `@tsfu/sfu` lacks,
// plus the two ways an application loads it (default import, require()).
// Printed beside the test counts, not counted in them: mediasoup's tests
// only touch part of this surface.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const lib = dirname(require.resolve('mediasoup'));

/** Value exports of a .d.ts (type-only ones and FlatBuffers helpers skipped). */
function declaredValues(file) {
  const names = new Map();
  for (const line of readFileSync(join(lib, file), 'utf8').split('\n')) {
    if (line.startsWith('export type') || line.includes('flatbuffers')) continue;
    const ns = line.match(/^export \* as (\w+) from '\.\/(\w+)'/);
    const decl = line.match(/^export declare (?:const|function|class) (\w+)/);
    const list = line.match(/^export \{ ([^}]+) \}/);
    if (ns) names.set(ns[1], `${ns[2]}.d.ts`);
    else if (decl) names.set(decl[1], undefined);
    else if (list) {
      for (const item of list[1].split(',')) {
        const exported = item
          .trim()
          .split(/\s+as\s+/)
          .pop(); // `a as b` exports b
        names.set(exported, undefined);
      }
    }
  }
  return names;
}

export async function checkSurface() {
  const tsfu = await import('@tsfu/sfu');
  const missing = [];
  let total = 0;
  for (const [name, namespaceFile] of declaredValues('index.d.ts')) {
    total += 1;
    if (tsfu[name] === undefined) missing.push(name);
    if (!namespaceFile || tsfu[name] === undefined) continue;
    for (const member of declaredValues(namespaceFile).keys()) {
      total += 1;
      if (tsfu[name][member] === undefined) missing.push(`${name}.${member}`);
    }
  }
  total += 2;
  if (tsfu.default?.createWorker !== tsfu.createWorker)
    missing.push('default export (import mediasoup from …)');
  try {
    if (require('@tsfu/sfu').createWorker !== tsfu.createWorker) missing.push("require('@tsfu/sfu')");
  } catch (error) {
    missing.push(`require('@tsfu/sfu') (${error.code ?? error.message})`);
  }
  return { total, missing };
}
