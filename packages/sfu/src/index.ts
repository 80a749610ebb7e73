/**
 * @tsfu/sfu: a WebRTC SFU with mediasoup v3's API (3.27), in pure TypeScript.
 * Workers are `worker_threads` threads; one I/O thread owns every socket and
 * lets workers share one port.
 */
import { EnhancedEventEmitter } from './main-thread/enhanced-event-emitter.js';
import { Logger } from './main-thread/logger.js';
import { createWorkerInternal, type Worker } from './main-thread/worker.js';
import type { AppData } from './types/app-data.js';
import type { WorkerSettings } from './types/worker.js';

export * as errors from './errors.js';
export { NotFoundError, UnsupportedError, WorkerClosedError } from './errors.js';
export { Consumer, type ConsumerEvents, type ConsumerObserverEvents } from './main-thread/consumer.js';
export { EnhancedEventEmitter } from './main-thread/enhanced-event-emitter.js';
export { setLogEventListeners } from './main-thread/logger.js';
export { Producer, type ProducerEvents, type ProducerObserverEvents } from './main-thread/producer.js';
export {
  type ConsumableProducer,
  type CreateWebRtcTransportOptions,
  Router,
  type RouterEvents,
  type RouterObserverEvents,
} from './main-thread/router.js';
export type { SocketStrategy, WorkerIoHandles } from './main-thread/socket-strategy.js';
export {
  WebRtcServer,
  type WebRtcServerDumpWithIo,
  type WebRtcServerEvents,
  type WebRtcServerObserverEvents,
} from './main-thread/webrtc-server.js';
export {
  WebRtcTransport,
  type WebRtcTransportEvents,
  type WebRtcTransportObserverEvents,
} from './main-thread/webrtc-transport.js';
export { Worker, type WorkerEvents, type WorkerObserverEvents } from './main-thread/worker.js';
export * as h264 from './ortc/h264-profile-level-id.js';
export type { RtpCodecsEncodingsMapping } from './ortc/ortc.js';
export * as ortc from './ortc/ortc.js';
export { parseScalabilityMode, type ScalabilityMode } from './ortc/scalability-mode.js';
export { getSupportedRtpCapabilities } from './ortc/supported-rtp-capabilities.js';
export type { IoCounters } from './protocol/io-protocol.js';
export {
  createPacketRingBuffer,
  PACKET_RING_RECORD_HEADER,
  type PacketRingOptions,
  PacketRingReader,
  type PacketRingStats,
  PacketRingWriter,
} from './protocol/packet-ring.js';
export type * as types from './types/index.js';
export type * from './types/index.js';

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
