'use strict';
// Diagnostic mode (TSFU_CONFORMANCE_ALL_ASSERTIONS=1, see README.md): a failed
// expect() is recorded and the test goes on, so one run lists every failing
// assertion of a test, not just the first. The test still fails (with all of
// them in its message); a test that passes is unaffected. Not for counting:
// after a failed assertion a test can go on into states it never meant to reach.
const realExpect = globalThis.expect;
let failures = [];
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function record(error) {
  const text = String(error?.message ?? error).replace(ANSI, '');
  const line = String(error?.stack ?? '').match(/test-\w+\.js:(\d+)/)?.[1];
  // The matcher line and its Expected/Received (or diff) lines, not the stack.
  const body = text.split('\n').filter((l) => l.trim() !== '' && !/^\s*at /.test(l));
  failures.push(`line ${line ?? '?'}: ${body.slice(0, 24).join('\n    ')}`);
}

/** A matcher chain whose matchers record their failure instead of throwing. */
function soften(chain) {
  return new Proxy(chain, {
    get(target, property) {
      const value = target[property];
      if (property === 'not' || property === 'resolves' || property === 'rejects') return soften(value);
      if (typeof value !== 'function') return value;
      return (...args) => {
        try {
          const result = value.apply(target, args);
          return typeof result?.then === 'function' ? result.catch(record) : result;
        } catch (error) {
          record(error);
          return undefined;
        }
      };
    },
  });
}

globalThis.expect = new Proxy(realExpect, {
  apply: (target, thisArg, args) => soften(Reflect.apply(target, thisArg, args)),
});

beforeEach(() => {
  failures = [];
});
afterEach(() => {
  if (failures.length > 0) throw new Error(`${failures.length} failed assertion(s):\n${failures.join('\n')}`);
});
