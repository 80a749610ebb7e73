/**
 * mediasoup 3.27.1's public types (`import type { types } from 'mediasoup'`):
 * options, parameters, dumps, stats, event maps, and the object types of the
 * classes that exist (`Worker`, `WebRtcServer`, `Router`, `WebRtcTransport`,
 * `Producer`, `Consumer`; `objects.ts`).
 */
export type * from '../errors.js';
export type { ScalabilityMode } from '../ortc/scalability-mode.js';
export type * from './app-data.js';
export type * from './consumer.js';
export type * from './data-consumer.js';
export type * from './data-producer.js';
export type * from './direct-transport.js';
export type * from './log.js';
export type * from './objects.js';
export type * from './pipe-transport.js';
export type * from './plain-transport.js';
export type * from './producer.js';
export type * from './router.js';
export type * from './rtp-observer.js';
export type * from './rtp-parameters.js';
export type * from './rtp-stream-stats.js';
export type * from './sctp-parameters.js';
export type * from './srtp-parameters.js';
export type * from './transport.js';
export type * from './webrtc-server.js';
export type * from './webrtc-transport.js';
export type * from './worker.js';
