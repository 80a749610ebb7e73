'use strict';
// Stands in for mediasoup's lib/fbs/* and lib/Transport, which the tests only
// use to build FlatBuffers notifications for `channelForTesting` (mediasoup's
// C++ channel). Those tests are excluded (exclusions.json); loading the module
// must still work because the test files require it at the top.
const message =
  "conformance glue: mediasoup's FlatBuffers channel has no tsfu equivalent (test should be excluded)";

module.exports = new Proxy(
  {},
  {
    get(_target, property) {
      if (property === '__esModule') return true;
      if (typeof property === 'symbol' || property === 'then') return undefined;
      throw new Error(`${message}: ${String(property)}`);
    },
  },
);
