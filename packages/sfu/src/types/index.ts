/**
 * mediasoup 3.27.1's public data types (`import type { types } from 'mediasoup'`):
 * options, parameters, dumps, stats and event maps. The object interfaces
 * (`Worker`, `Router`, `Transport`, `Producer`, …) come with their classes.
 */
export type * from '../errors.js';
export type { ScalabilityMode } from '../ortc/scalability-mode.js';
export type * from './app-data.js';
export type * from './consumer.js';
export type * from './data-consumer.js';
export type * from './data-producer.js';
export type * from './log.js';
export type * from './producer.js';
export type * from './router.js';
export type * from './rtp-parameters.js';
export type * from './rtp-stream-stats.js';
export type * from './sctp-parameters.js';
export type * from './srtp-parameters.js';
export type * from './transport.js';
export type * from './webrtc-server.js';
export type * from './webrtc-transport.js';
export type * from './worker.js';
