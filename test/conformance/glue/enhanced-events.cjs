'use strict';
// mediasoup's lib/enhancedEvents (public as `mediasoup.extras`): the tests only
// use enhancedOnce(), which is Node's events.once(). tsfu's `extras` answers
// when it has enhancedOnce; until then Node's own once() stands in, so that the
// tests' afterEach hooks run instead of every test failing on a missing helper
// (the missing export is listed in FAILURES.md under "module surface").
const { once } = require('node:events');
const { extras } = require('@tsfu/sfu');

module.exports =
  typeof extras?.enhancedOnce === 'function'
    ? extras
    : { enhancedOnce: (emitter, eventName, options) => once(emitter, eventName, options) };
