import type { IoCounters } from '../protocol/io-protocol.js';
import type { AppData } from '../types/app-data.js';
import type { WebRtcServerDump } from '../types/webrtc-server.js';
import { closedObjectError } from './closed-error.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import type { SocketStrategy } from './socket-strategy.js';
import type { WebRtcTransport } from './webrtc-transport.js';
import type { WorkerChannel } from './worker-channel.js';

export type WebRtcServerEvents = { workerclose: []; listenererror: [string, Error]; '@close': [] };
export type WebRtcServerObserverEvents = {
  close: [];
  webrtctransporthandled: [WebRtcTransport];
  webrtctransportunhandled: [WebRtcTransport];
};

/** `webRtcServer.dump()`: mediasoup's shape plus the shared I/O thread's counters. */
export type WebRtcServerDumpWithIo = WebRtcServerDump & { ioCounters: IoCounters };

const logger = new Logger('WebRtcServer');

/** mediasoup's `WebRtcServer` type (an interface there, implemented by `WebRtcServerImpl`; here the class itself). */
export type WebRtcServer<WebRtcServerAppData extends AppData = AppData> =
  WebRtcServerImpl<WebRtcServerAppData>;

/**
 * mediasoup's WebRtcServer: listen sockets shared by many WebRtcTransports.
 * Beyond mediasoup, workers asking for the same ip:port share one socket.
 */
export class WebRtcServerImpl<
  WebRtcServerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<WebRtcServerEvents> {
  readonly #id: string;
  readonly #channel: WorkerChannel;
  readonly #sockets: SocketStrategy;
  #closed = false;
  #appData: WebRtcServerAppData;
  readonly #transports = new Map<string, WebRtcTransport>();
  readonly #observer = new EnhancedEventEmitter<WebRtcServerObserverEvents>();

  /** @internal created by `Worker.createWebRtcServer()`. */
  constructor(opts: {
    id: string;
    channel: WorkerChannel;
    sockets: SocketStrategy;
    appData?: WebRtcServerAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#channel = opts.channel;
    this.#sockets = opts.sockets;
    this.#appData = opts.appData ?? ({} as WebRtcServerAppData);
  }

  get id(): string {
    return this.#id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get appData(): WebRtcServerAppData {
    return this.#appData;
  }

  set appData(appData: WebRtcServerAppData) {
    this.#appData = appData;
  }

  get observer(): EnhancedEventEmitter<WebRtcServerObserverEvents> {
    return this.#observer;
  }

  /** Just for testing purposes (as mediasoup). */
  get webRtcTransportsForTesting(): Map<string, WebRtcTransport> {
    return this.#transports;
  }

  /** Closes the server: its transports emit `listenserverclose`. */
  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#channel
      .request('worker.closeWebRtcServer', { webRtcServerId: this.#id })
      .catch(logger.catcher('close()'));
    for (const transport of this.#transports.values()) {
      transport.listenServerClosed();
      this.#observer.safeEmit('webrtctransportunhandled', transport);
    }
    this.#transports.clear();
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the worker closed. */
  workerClosed(): void {
    if (this.#closed) return;
    logger.debug('workerClosed()');
    this.#closed = true;
    // The transports close through their routers (workerclose → routerclose).
    this.#transports.clear();
    this.safeEmit('workerclose');
    this.#observer.safeEmit('close');
  }

  /** mediasoup's dump, plus `ioCounters`: the I/O thread's routing and drop counters (shared by all servers). */
  async dump(): Promise<WebRtcServerDumpWithIo> {
    logger.debug('dump()');
    if (this.#closed) {
      throw closedObjectError(this.#channel, `WebRtcServer closed [webRtcServerId:${this.#id}]`);
    }
    const dump = await this.#channel.request('webRtcServer.dump', {
      webRtcServerId: this.#id,
    });
    return { ...dump, ioCounters: await this.#sockets.getCounters() };
  }

  /** The I/O thread's counters (datagrams routed, dropped, …), without the rest of the dump. */
  getIoCounters(): Promise<IoCounters> {
    return this.#sockets.getCounters();
  }

  /** @internal */
  handleWebRtcTransport(transport: WebRtcTransport): void {
    this.#transports.set(transport.id, transport);
    this.#observer.safeEmit('webrtctransporthandled', transport);
    const unhandle = () => {
      this.#transports.delete(transport.id);
      this.#observer.safeEmit('webrtctransportunhandled', transport);
    };
    transport.on('@close', unhandle);
    transport.on('@routerclose', unhandle);
  }
}
