'use strict';
// mediasoup's lib/utils is internal (not in its package exports): the tests
// only use deepFreeze() on their fixtures, so that the SFU must not mutate
// what it is given. Ours freezes the same way (own keys, depth first).
function deepFreeze(data) {
  for (const key of Reflect.ownKeys(data)) {
    const value = data[key];
    if ((value && typeof value === 'object') || typeof value === 'function') deepFreeze(value);
  }
  return Object.freeze(data);
}

module.exports = { deepFreeze };
