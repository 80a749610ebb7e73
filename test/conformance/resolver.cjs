'use strict';
// Jest resolver: a mediasoup test's require('../…') (mediasoup's own lib) is
// answered with tsfu's equivalent; anything without one is an error, so no
// module of mediasoup's lib ever runs. Every other request resolves as usual.
const path = require('node:path');
const { mediasoupTests } = require('./mediasoup-paths.cjs');

const glue = (name) => path.join(__dirname, 'glue', name);

/** mediasoup lib module (as the tests require it) → what answers it. */
const LIB_MODULES = {
  '../': '@tsfu/sfu',
  '../errors': glue('errors.cjs'),
  '../ortc': glue('ortc.cjs'),
  '../enhancedEvents': glue('enhanced-events.cjs'),
  '../utils': glue('utils.cjs'),
  // Only used to build FlatBuffers messages for channelForTesting (excluded tests).
  '../Transport': glue('flatbuffers.cjs'),
};

module.exports = (request, options) => {
  if (options.basedir === mediasoupTests && request.startsWith('../')) {
    const target = request.startsWith('../fbs/') ? glue('flatbuffers.cjs') : LIB_MODULES[request];
    if (!target) {
      throw new Error(`conformance glue: no tsfu equivalent for mediasoup's lib module '${request}'`);
    }
    if (path.isAbsolute(target)) return target;
    return options.defaultResolver(target, { ...options, basedir: __dirname });
  }
  return options.defaultResolver(request, options);
};
