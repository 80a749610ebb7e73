/**
 * The object types of mediasoup's `types` namespace (`types.Worker`,
 * `types.Router`, …). mediasoup declares them as interfaces implemented by
 * its `…Impl` classes; here they name tsfu's classes, which are not exported
 * as values (as mediasoup's are not).
 */

import type { ConsumerObserverEvents } from '../main-thread/consumer.js';
import type { DirectTransportObserverEvents } from '../main-thread/direct-transport.js';
import type { EnhancedEventEmitter } from '../main-thread/enhanced-event-emitter.js';
import type { PipeTransportObserverEvents } from '../main-thread/pipe-transport.js';
import type { PlainTransportObserverEvents } from '../main-thread/plain-transport.js';
import type { ProducerObserverEvents } from '../main-thread/producer.js';
import type { RouterObserverEvents } from '../main-thread/router.js';
import type { TransportObserverEvents } from '../main-thread/transport.js';
import type { WebRtcServerObserverEvents } from '../main-thread/webrtc-server.js';
import type { WebRtcTransportObserverEvents } from '../main-thread/webrtc-transport.js';
import type { WorkerObserverEvents } from '../main-thread/worker.js';
import type {
  ActiveSpeakerObserverObserverEvents,
  AudioLevelObserverObserverEvents,
  RtpObserverObserverEvents,
} from './rtp-observer.js';

export type { Consumer } from '../main-thread/consumer.js';
export type { DataConsumer } from '../main-thread/data/data-consumer.js';
export type { DataProducer } from '../main-thread/data/data-producer.js';
export type { DirectTransport } from '../main-thread/direct-transport.js';
export type { PipeTransport } from '../main-thread/pipe-transport.js';
export type { PlainTransport } from '../main-thread/plain-transport.js';
export type { Producer } from '../main-thread/producer.js';
export type { Router } from '../main-thread/router.js';
export type { ActiveSpeakerObserver } from '../main-thread/rtp-observer/active-speaker-observer.js';
export type { AudioLevelObserver } from '../main-thread/rtp-observer/audio-level-observer.js';
export type { RtpObserver } from '../main-thread/rtp-observer/router-rtp-observers.js';
export type { Transport } from '../main-thread/transport.js';
export type { WebRtcServer } from '../main-thread/webrtc-server.js';
export type { WebRtcTransport } from '../main-thread/webrtc-transport.js';
export type { Worker } from '../main-thread/worker.js';

export type {
  DirectTransportObserverEvents,
  PipeTransportObserverEvents,
  PlainTransportObserverEvents,
  RouterObserverEvents,
  TransportObserverEvents,
  WebRtcServerObserverEvents,
  WebRtcTransportObserverEvents,
  WorkerObserverEvents,
};

export type WorkerObserver = EnhancedEventEmitter<WorkerObserverEvents>;
export type WebRtcServerObserver = EnhancedEventEmitter<WebRtcServerObserverEvents>;
export type RouterObserver = EnhancedEventEmitter<RouterObserverEvents>;
export type TransportObserver = EnhancedEventEmitter<TransportObserverEvents>;
export type PipeTransportObserver = EnhancedEventEmitter<PipeTransportObserverEvents>;
export type PlainTransportObserver = EnhancedEventEmitter<PlainTransportObserverEvents>;
export type DirectTransportObserver = EnhancedEventEmitter<DirectTransportObserverEvents>;
export type WebRtcTransportObserver = EnhancedEventEmitter<WebRtcTransportObserverEvents>;
export type ProducerObserver = EnhancedEventEmitter<ProducerObserverEvents>;
export type ConsumerObserver = EnhancedEventEmitter<ConsumerObserverEvents>;
export type RtpObserverObserver = EnhancedEventEmitter<RtpObserverObserverEvents>;
export type AudioLevelObserverObserver = EnhancedEventEmitter<AudioLevelObserverObserverEvents>;
export type ActiveSpeakerObserverObserver = EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>;
