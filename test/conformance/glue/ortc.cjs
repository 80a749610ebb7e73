'use strict';
// mediasoup's lib/ortc (public as 'mediasoup/ortc') → tsfu's public `ortc` namespace.
module.exports = require('@tsfu/sfu').ortc;
