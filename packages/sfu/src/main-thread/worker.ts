import { randomUUID } from 'node:crypto';
import { Worker as ThreadWorker } from 'node:worker_threads';
import type { ThreadHeapForTesting } from '../heap-for-testing.js';
import { validateRtcPortRange, validateWorkerLimits } from '../limits.js';
import * as ortc from '../ortc/ortc.js';
import { Channel } from '../protocol/channel.js';
import type { CertificatePems, MainEnd, WorkerEnd, WorkerThreadData } from '../protocol/worker-protocol.js';
import type { AppData } from '../types/app-data.js';
import type { RouterOptions } from '../types/router.js';
import type { WebRtcServerOptions } from '../types/webrtc-server.js';
import type {
  WorkerDump,
  WorkerLogLevel,
  WorkerResourceUsage,
  WorkerSettings,
  WorkerThreadStats,
  WorkerUpdateableSettings,
} from '../types/worker.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { getSocketStrategy } from './io-thread-strategy.js';
import { Logger } from './logger.js';
import { type Router, RouterImpl } from './router.js';
import type { SocketStrategy, WorkerIoHandles } from './socket-strategy.js';
import { threadEntry } from './thread-entry.js';
import { HOT_PATH_RESOURCE_LIMITS } from './thread-limits.js';
import { checkOptions, checkString } from './validate-fields.js';
import { validateListenInfos } from './validate-listen-infos.js';
import { type WebRtcServer, WebRtcServerImpl } from './webrtc-server.js';
import type { TargetEvents, WorkerChannel } from './worker-channel.js';

export type WorkerEvents = { died: [Error]; subprocessclose: []; listenererror: [string, Error] };
export type WorkerObserverEvents = { close: []; newwebrtcserver: [WebRtcServer]; newrouter: [Router] };

/** How long `close()` waits for the thread to say it closed everything before ending it anyway. */
const CLOSE_DEADLINE_MS = 2000;
const LOG_LEVELS: WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];
const logger = new Logger('Worker');
/** Logs the worker threads' forwarded lines, `[tid:N] Class::method() | text` (mediasoup: `[pid:N] …`). */
const channelLogger = new Logger('Channel');
let nextWorkerIndex = 1;

/** mediasoup's `Worker` type (an interface there, implemented by `WorkerImpl`; here the class itself). */
export type Worker<WorkerAppData extends AppData = AppData> = WorkerImpl<WorkerAppData>;

/**
 * mediasoup's Worker, on a `worker_threads` thread instead of a child process.
 * `pid` is `process.pid` (the thread lives in this process).
 */
export class WorkerImpl<WorkerAppData extends AppData = AppData> extends EnhancedEventEmitter<WorkerEvents> {
  readonly #thread: ThreadWorker;
  readonly #channel: WorkerChannel;
  readonly #index: number;
  readonly #threadId: number;
  readonly #sockets: SocketStrategy;
  readonly #io: WorkerIoHandles | undefined;
  /** Transport notifications by target id. */
  readonly #events: TargetEvents = new EnhancedEventEmitter();
  #closed = false;
  #died = false;
  #subprocessClosed = false;
  #appData: WorkerAppData;
  #threadError: Error | undefined;
  /** Why the I/O thread this worker used died (its thread is then ended, which closes the worker). */
  #ioDeath: Error | undefined;
  readonly #routers = new Set<Router>();
  readonly #webRtcServers = new Set<WebRtcServer>();
  readonly #observer = new EnhancedEventEmitter<WorkerObserverEvents>();

  /** @internal use `createWorker()`. */
  constructor(
    thread: ThreadWorker,
    channel: WorkerChannel,
    index: number,
    sockets: SocketStrategy,
    appData?: WorkerAppData,
    io?: WorkerIoHandles,
    ioDeath?: IoDeathRelay,
  ) {
    super();
    logger.debug('constructor()');
    this.#io = io;
    this.#thread = thread;
    this.#threadId = thread.threadId;
    this.#channel = channel;
    this.#index = index;
    this.#sockets = sockets;
    this.#appData = appData ?? ({} as WorkerAppData);
    channel.onNotification((n) => {
      if (n.targetId) this.#events.safeEmit(n.targetId, n);
    });
    thread.on('error', (error) => {
      this.#threadError = error;
    });
    thread.on('exit', (code) => this.#onExit(code));
    ioDeath?.listen((error) => this.#onIoDeath(error));
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
  }

  /** The process id: the worker is a thread of this process. */
  get pid(): number {
    return process.pid;
  }
  /** The `worker_threads` thread id. */
  get threadId(): number {
    return this.#threadId;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get died(): boolean {
    return this.#died;
  }
  /** True once the thread has ended. */
  get subprocessClosed(): boolean {
    return this.#subprocessClosed;
  }
  get appData(): WorkerAppData {
    return this.#appData;
  }
  set appData(appData: WorkerAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<WorkerObserverEvents> {
    return this.#observer;
  }
  /** Just for testing purposes (as mediasoup). */
  get webRtcServersForTesting(): Set<WebRtcServer> {
    return this.#webRtcServers;
  }
  /** Just for testing purposes (as mediasoup). */
  get routersForTesting(): Set<Router> {
    return this.#routers;
  }

  /** Just for testing and benchmarks: the packet rings between the I/O thread and this worker. */
  get ioRingsForTesting(): { toWorker: SharedArrayBuffer; fromWorker: SharedArrayBuffer } | undefined {
    return this.#io ? { toWorker: this.#io.toWorker, fromWorker: this.#io.fromWorker } : undefined;
  }

  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    for (const router of this.#routers) router.workerClosed();
    this.#routers.clear();
    for (const server of this.#webRtcServers) server.workerClosed();
    this.#webRtcServers.clear();
    // The thread closes its transports (DTLS close_notify, then their tuples and sockets, in that
    // order through the I/O thread) and answers; then it ends. The deadline only bounds a hung thread.
    const end = (): void => {
      clearTimeout(deadline);
      this.#channel.close();
      void this.#thread.terminate();
    };
    const deadline = setTimeout(end, CLOSE_DEADLINE_MS);
    this.#channel.lastRequest('worker.close').then(end, end);
    this.#observer.safeEmit('close');
  }

  async dump(): Promise<WorkerDump> {
    logger.debug('dump()');
    return this.#channel.request('worker.dump');
  }

  /** The process's resource usage (threads share it), mediasoup-shaped. */
  async getResourceUsage(): Promise<WorkerResourceUsage> {
    logger.debug('getResourceUsage()');
    return this.#channel.request('worker.getResourceUsage');
  }

  /**
   * tsfu only: this worker thread's event-loop utilization and delay and its own CPU time
   * (`getResourceUsage()` is the whole process's). Delay and utilization are since the previous call.
   * `collectGarbage`: a full GC in the thread before its heap is read, where Node runs with
   * `--expose-gc` (leak hunting, e.g. `pnpm soak`); `heap.collected` tells whether one ran.
   */
  async tsfuGetThreadStats({
    collectGarbage = false,
  }: {
    collectGarbage?: boolean;
  } = {}): Promise<WorkerThreadStats> {
    return this.#channel.request('worker.tsfuGetThreadStats', { collectGarbage });
  }

  async updateSettings(settings: WorkerUpdateableSettings = {}): Promise<void> {
    logger.debug('updateSettings()');
    checkOptions('settings', settings);
    const { logLevel, logTags } = settings;
    validateLogSettings(settings);
    await this.#channel.request('worker.updateSettings', { logLevel, logTags });
  }

  /** Test-only: makes the worker thread throw an uncaught error, as a crash would. */
  async crashForTesting(): Promise<void> {
    await this.#channel.request('worker.crashForTesting');
  }

  /** Test-only: the worker thread's used heap, after a full GC when `gc` is exposed (see heap-for-testing.ts). */
  async heapForTesting(): Promise<ThreadHeapForTesting> {
    return this.#channel.request('worker.heapForTesting');
  }

  async createWebRtcServer<T extends AppData = AppData>(
    options: WebRtcServerOptions<T>,
  ): Promise<WebRtcServer<T>> {
    logger.debug('createWebRtcServer()');
    checkOptions('options', options);
    const { listenInfos, appData } = options;
    validateListenInfos(listenInfos);
    if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
    const webRtcServerId = randomUUID();
    await this.#channel.request('worker.createWebRtcServer', { webRtcServerId, listenInfos });
    const server = new WebRtcServerImpl<T>({
      id: webRtcServerId,
      channel: this.#channel,
      sockets: this.#sockets,
      appData,
    });
    this.#webRtcServers.add(server as unknown as WebRtcServer);
    server.on('@close', () => this.#webRtcServers.delete(server as unknown as WebRtcServer));
    this.#observer.safeEmit('newwebrtcserver', server as unknown as WebRtcServer);
    return server;
  }

  async createRouter<T extends AppData = AppData>(options: RouterOptions<T> = {}): Promise<Router<T>> {
    logger.debug('createRouter()');
    checkOptions('options', options);
    const { mediaCodecs, appData } = options;
    if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
    const rtpCapabilities = ortc.generateRouterRtpCapabilities(structuredClone(mediaCodecs));
    const routerId = randomUUID();
    await this.#channel.request('worker.createRouter', { routerId });
    const router = new RouterImpl<T>({
      id: routerId,
      channel: this.#channel,
      events: this.#events,
      rtpCapabilities,
      appData,
    });
    this.#routers.add(router as unknown as Router);
    router.on('@close', () => this.#routers.delete(router as unknown as Router));
    this.#observer.safeEmit('newrouter', router as unknown as Router);
    return router;
  }

  #onIoDeath(error: Error): void {
    if (this.#closed || this.#ioDeath) return;
    this.#ioDeath = error;
    // Its sockets are gone: end the thread; its 'exit' closes everything as a death, in mediasoup's order.
    void this.#thread.terminate();
  }

  #onExit(code: number): void {
    logger.debug(`worker thread closed [threadId:${this.threadId}, code:${code}]`);
    this.#subprocessClosed = true;
    void this.#sockets.detachWorker(this.#index);
    if (this.#closed) {
      this.safeEmit('subprocessclose');
      return;
    }
    this.#workerDied(
      this.#ioDeath ??
        this.#threadError ??
        new Error(`[pid:${process.pid}, threadId:${this.#threadId}, code:${code}]`),
    );
  }

  #workerDied(error: Error): void {
    if (this.#closed) return;
    logger.error(`worker thread died unexpectedly [threadId:${this.threadId}]: ${error.message}`);
    this.#closed = true;
    this.#died = true;
    this.#channel.close();
    for (const router of this.#routers) router.workerClosed();
    this.#routers.clear();
    for (const server of this.#webRtcServers) server.workerClosed();
    this.#webRtcServers.clear();
    this.safeEmit('died', error);
    this.safeEmit('subprocessclose');
    this.#observer.safeEmit('close');
  }
}

function validateSettings(settings: WorkerSettings): void {
  if (settings === null || typeof settings !== 'object') throw new TypeError('settings must be an object');
  const { appData, dtlsCertificateFile, dtlsPrivateKeyFile } = settings;
  validateLogSettings(settings);
  // A number here would be read as a file descriptor by the thread (and block on it).
  checkString('dtlsCertificateFile', dtlsCertificateFile);
  checkString('dtlsPrivateKeyFile', dtlsPrivateKeyFile);
  if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
  validateRtcPortRange(settings);
  if (Boolean(dtlsCertificateFile) !== Boolean(dtlsPrivateKeyFile)) {
    throw new TypeError('dtlsCertificateFile and dtlsPrivateKeyFile must be given together');
  }
  validateWorkerLimits(settings);
}

/** `logLevel` one of mediasoup's; `logTags` an array of strings (unknown tags are ignored, as mediasoup-worker does). */
function validateLogSettings({ logLevel, logTags }: WorkerUpdateableSettings): void {
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel))
    throw new TypeError(`invalid logLevel "${logLevel}"`);
  if (logTags !== undefined && !Array.isArray(logTags)) throw new TypeError('logTags must be an array');
  if (logTags?.some((tag) => typeof tag !== 'string'))
    throw new TypeError('every logTags entry must be a string');
}

/** @internal `createWorker()` (index.ts wraps it to emit the module observer's `newworker`). */
export async function createWorkerInternal<T extends AppData = AppData>(
  settings: WorkerSettings<T> = {},
): Promise<Worker<T>> {
  validateSettings(settings);
  const sockets = getSocketStrategy();
  const index = nextWorkerIndex++;
  const ioDeath = new IoDeathRelay();
  const io = await sockets.attachWorker(index, ioDeath.fire);
  const { appData, ...threadSettings } = settings;
  logger.debug(`starting worker thread [name:tsfu-worker-${index}]`);
  const ownCertificate = Boolean(settings.dtlsCertificateFile && settings.dtlsPrivateKeyFile);
  const workerData: WorkerThreadData = {
    settings: threadSettings,
    io,
    certificate: ownCertificate ? undefined : sharedCertificate.get(),
  };
  const thread = new ThreadWorker(threadEntry('worker-thread/worker-thread.js'), {
    name: `tsfu-worker-${index}`,
    workerData,
    transferList: [io.port],
    resourceLimits: HOT_PATH_RESOURCE_LIMITS,
  });
  const threadId = thread.threadId;
  const channel = new Channel<MainEnd, WorkerEnd>(thread, {
    logger: channelLogger,
    peerLabel: `[tid:${threadId}]`,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`worker thread exited during start [code:${code}]`));
      thread.once('error', reject);
      thread.once('exit', onExit);
      ioDeath.listen(reject);
      channel.onNotification((n) => {
        thread.off('error', reject);
        thread.off('exit', onExit);
        if (n.event === '@success') {
          if (n.data.generatedCertificate) sharedCertificate.set(n.data.generatedCertificate);
          resolve();
        } else if (n.event === '@failure') reject(new TypeError(`wrong settings: ${n.data.message}`));
      });
    });
  } catch (error) {
    logger.error(
      `worker thread failed [threadId:${threadId}]: ${error instanceof Error ? error.message : error}`,
    );
    channel.close();
    await thread.terminate();
    await sockets.detachWorker(index);
    throw error;
  }
  logger.debug(`worker thread running [threadId:${threadId}]`);
  return new WorkerImpl<T>(thread, channel, index, sockets, appData, io, ioDeath);
}

/**
 * The DTLS certificate workers without certificate files share: the first one generates it (about
 * half a second of a new thread's time, mostly loading the X.509 library) and the next ones reuse
 * it. mediasoup generates one per worker process; threads of one process gain nothing from separate
 * keys. Generated certificates are valid 30 days: one is handed out for a day, then the next worker
 * generates a fresh one.
 */
const SHARED_CERTIFICATE_MAX_AGE_MS = 24 * 3600_000;
class SharedCertificate {
  #pems: CertificatePems | undefined;
  #since = 0;

  get(): CertificatePems | undefined {
    return Date.now() - this.#since < SHARED_CERTIFICATE_MAX_AGE_MS ? this.#pems : undefined;
  }

  set(pems: CertificatePems): void {
    this.#pems = pems;
    this.#since = Date.now();
  }
}
const sharedCertificate = new SharedCertificate();

/** Carries the I/O thread's death to whoever listens: the starting worker, then its Worker. */
class IoDeathRelay {
  #error: Error | undefined;
  #listener: ((error: Error) => void) | undefined;

  readonly fire = (error: Error): void => {
    if (this.#error) return;
    this.#error = error;
    this.#listener?.(error);
  };

  /** Replaces the listener; it is called at once if the death already happened. */
  listen(listener: (error: Error) => void): void {
    this.#listener = listener;
    if (this.#error) listener(this.#error);
  }
}
