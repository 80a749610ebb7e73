/**
 * @tsfu/sfu: a WebRTC SFU with mediasoup v3's API (3.27), in pure TypeScript.
 * Workers are `worker_threads` threads; one I/O thread owns every socket and
 * lets workers share one port. The runtime exports are mediasoup's (plus the
 * error classes at top level and `mediasoupApiVersion`), also as the default
 * export, so `import mediasoup from '@tsfu/sfu'` works as it does for mediasoup.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as errors from './errors.js';
import * as extras from './extras.js';
import { EnhancedEventEmitter } from './main-thread/enhanced-event-emitter.js';
import { Logger, setLogEventListeners } from './main-thread/logger.js';
import { threadEntry } from './main-thread/thread-entry.js';
import { createWorkerInternal, type Worker } from './main-thread/worker.js';
import * as ortc from './ortc/ortc.js';
import { parseScalabilityMode } from './ortc/scalability-mode.js';
import { getSupportedRtpCapabilities } from './ortc/supported-rtp-capabilities.js';
import type { AppData } from './types/app-data.js';
import type { WorkerSettings } from './types/worker.js';

export { NotFoundError, UnsupportedError, WorkerClosedError } from './errors.js';
export type { ConsumerEvents, ConsumerObserverEvents } from './main-thread/consumer.js';
export type { DirectTransportEvents, DirectTransportObserverEvents } from './main-thread/direct-transport.js';
export type { PipeTransportEvents, PipeTransportObserverEvents } from './main-thread/pipe-transport.js';
export type { PlainTransportEvents, PlainTransportObserverEvents } from './main-thread/plain-transport.js';
export type { ProducerEvents, ProducerObserverEvents } from './main-thread/producer.js';
export type {
  ConsumableProducer,
  CreateWebRtcTransportOptions,
  RouterEvents,
  RouterObserverEvents,
} from './main-thread/router.js';
export type { SocketStrategy, WorkerIoHandles } from './main-thread/socket-strategy.js';
export type { TransportEvents, TransportObserverEvents } from './main-thread/transport.js';
export type {
  WebRtcServerDumpWithIo,
  WebRtcServerEvents,
  WebRtcServerObserverEvents,
} from './main-thread/webrtc-server.js';
export type { WebRtcTransportEvents, WebRtcTransportObserverEvents } from './main-thread/webrtc-transport.js';
export type { WorkerEvents, WorkerObserverEvents } from './main-thread/worker.js';
export type { RtpCodecsEncodingsMapping } from './ortc/ortc.js';
export type { ScalabilityMode } from './ortc/scalability-mode.js';
export type { IoCounters } from './protocol/io-protocol.js';
export type * as types from './types/index.js';
export type * from './types/index.js';
export { errors, extras, getSupportedRtpCapabilities, ortc, parseScalabilityMode, setLogEventListeners };

/** This package's version (its package.json's `version`). */
export const version: string = readPackageVersion();

/** The mediasoup release whose API this package follows. */
export const mediasoupApiVersion = '3.27.1';

/**
 * Stand-in for mediasoup's path of its C++ `mediasoup-worker` binary: tsfu
 * has none, so this is the absolute path of the script each Worker's thread
 * runs. `WorkerSettings.workerBin` is accepted and ignored.
 */
export const workerBin: string = fileURLToPath(threadEntry('worker-thread/worker-thread.js'));

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

function readPackageVersion(): string {
  const pkg: unknown = createRequire(import.meta.url)('../package.json');
  if (pkg && typeof pkg === 'object' && 'version' in pkg && typeof pkg.version === 'string')
    return pkg.version;
  throw new Error('@tsfu/sfu: package.json has no version');
}

/** `import mediasoup from '@tsfu/sfu'`: the runtime exports as one object, as mediasoup's CommonJS module is. */
export default {
  version,
  mediasoupApiVersion,
  observer,
  workerBin,
  setLogEventListeners,
  createWorker,
  getSupportedRtpCapabilities,
  parseScalabilityMode,
  ortc,
  errors,
  extras,
  NotFoundError: errors.NotFoundError,
  UnsupportedError: errors.UnsupportedError,
  WorkerClosedError: errors.WorkerClosedError,
};
