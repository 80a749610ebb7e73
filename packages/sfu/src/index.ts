/**
 * @tsfu/sfu: a WebRTC SFU with mediasoup v3's API (3.27), in pure TypeScript.
 * Workers are `worker_threads` threads; one I/O thread owns every socket and
 * lets workers share one port.
 */
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import type { AppData } from './types/app-data.js';
import type { WorkerSettings } from './types/worker.js';
import { createWorkerInternal, type Worker } from './worker.js';

export {
  createPacketRingBuffer,
  PACKET_RING_RECORD_HEADER,
  type PacketRingOptions,
  PacketRingReader,
  type PacketRingStats,
  PacketRingWriter,
} from './channel/packet-ring.js';
export { Consumer, type ConsumerEvents, type ConsumerObserverEvents } from './consumer.js';
export { EnhancedEventEmitter } from './enhanced-event-emitter.js';
export * as errors from './errors.js';
export { NotFoundError, UnsupportedError, WorkerClosedError } from './errors.js';
export * as h264 from './h264-profile-level-id.js';
export type { IoCounters } from './io/io-protocol.js';
export type { SocketStrategy, WorkerIoHandles } from './io/socket-strategy.js';
export { setLogEventListeners } from './logger.js';
export type { RtpCodecsEncodingsMapping } from './ortc.js';
export * as ortc from './ortc.js';
export { Producer, type ProducerEvents, type ProducerObserverEvents } from './producer.js';
export {
  type ConsumableProducer,
  type CreateWebRtcTransportOptions,
  Router,
  type RouterEvents,
  type RouterObserverEvents,
} from './router.js';
export { parseScalabilityMode, type ScalabilityMode } from './scalability-mode.js';
export { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';
export type * as types from './types/index.js';
export type * from './types/index.js';
export {
  WebRtcServer,
  type WebRtcServerDumpWithIo,
  type WebRtcServerEvents,
  type WebRtcServerObserverEvents,
} from './webrtc-server.js';
export {
  WebRtcTransport,
  type WebRtcTransportEvents,
  type WebRtcTransportObserverEvents,
  type WebRtcTransportStatWithCounters,
} from './webrtc-transport.js';
export type { WebRtcTransportCounters } from './worker/worker-webrtc-transport.js';
export { Worker, type WorkerEvents, type WorkerObserverEvents } from './worker.js';

/** The mediasoup version whose API this package follows, with our suffix. */
export const version = '3.27.1-tsfu.0.1.0';

export type ObserverEvents = { newworker: [Worker] };

/** Module-level observer: `newworker`. */
export const observer = new EnhancedEventEmitter<ObserverEvents>();

const logger = new Logger();

/** Starts a worker thread (and, on first use, the process's I/O thread). */
export async function createWorker<T extends AppData = AppData>(
  settings: WorkerSettings<T> = {},
): Promise<Worker<T>> {
  logger.debug('createWorker()');
  const worker = await createWorkerInternal(settings);
  observer.safeEmit('newworker', worker as unknown as Worker);
  return worker;
}
