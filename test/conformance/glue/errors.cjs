'use strict';
// mediasoup's lib/errors → tsfu's public `errors` namespace.
module.exports = require('@tsfu/sfu').errors;
