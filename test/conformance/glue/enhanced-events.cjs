'use strict';
// mediasoup's lib/enhancedEvents (public as `mediasoup.extras`): the tests only
// use enhancedOnce(), which @tsfu/sfu's `extras` exports.
module.exports = require('@tsfu/sfu').extras;
