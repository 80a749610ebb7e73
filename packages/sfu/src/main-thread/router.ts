import { randomUUID } from 'node:crypto';
import * as ortc from '../ortc/ortc.js';
import type { CreateWebRtcTransportRequest } from '../protocol/worker-protocol.js';
import type { AppData } from '../types/app-data.js';
import type { DirectTransportOptions } from '../types/direct-transport.js';
import type { PipeToRouterOptions, PipeTransportOptions } from '../types/pipe-transport.js';
import type { PlainTransportOptions } from '../types/plain-transport.js';
import type { RouterDump } from '../types/router.js';
import type { ActiveSpeakerObserverOptions, AudioLevelObserverOptions } from '../types/rtp-observer.js';
import type { RouterRtpCodecCapability, RtpCapabilities, RtpParameters } from '../types/rtp-parameters.js';
import type { SctpParameters } from '../types/sctp-parameters.js';
import type { TransportListenInfo, TransportListenIp } from '../types/transport.js';
import type { WebRtcTransportOptions } from '../types/webrtc-transport.js';
import { closedObjectError } from './closed-error.js';
import type { DataProducer } from './data/data-producer.js';
import { type DirectTransport, DirectTransportImpl } from './direct-transport.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import { Logger } from './logger.js';
import { type PipeToRouterResult, type PipeTransportPair, pipeToRouter } from './pipe-to-router.js';
import { type PipeTransport, PipeTransportImpl } from './pipe-transport.js';
import { pipeTransportRequest } from './pipe-transport-options.js';
import { type PlainTransport, PlainTransportImpl } from './plain-transport.js';
import { plainTransportRequest } from './plain-transport-options.js';
import type { Producer } from './producer.js';
import type { ActiveSpeakerObserver } from './rtp-observer/active-speaker-observer.js';
import type { AudioLevelObserver } from './rtp-observer/audio-level-observer.js';
import { RouterRtpObservers, type RtpObserver } from './rtp-observer/router-rtp-observers.js';
import type { Transport, TransportRouterLink } from './transport.js';
import { validateWebRtcTransportOptions } from './validate-transport-options.js';
import type { WebRtcServer } from './webrtc-server.js';
import { type WebRtcTransport, WebRtcTransportImpl } from './webrtc-transport.js';
import type { TargetEvents, WorkerChannel } from './worker-channel.js';

export type RouterEvents = { workerclose: []; listenererror: [string, Error]; '@close': [] };
export type RouterObserverEvents = {
  close: [];
  newtransport: [Transport];
  newrtpobserver: [RtpObserver];
};

const logger = new Logger('Router');

/** A producer as far as `canConsume` needs it (part 2 registers producers). */
export interface ConsumableProducer {
  readonly id: string;
  readonly consumableRtpParameters: RtpParameters;
}

/**
 * Options of `createWebRtcTransport`: mediasoup 3.27's, plus the pre-3.20 SCTP
 * names the issue mentions (`numSctpStreams`, `maxSctpMessageSize`), which are
 * stored and map onto the new ones.
 */
export type CreateWebRtcTransportOptions<T extends AppData = AppData> = Omit<
  WebRtcTransportOptions<T>,
  'webRtcServer'
> & {
  webRtcServer?: WebRtcServer;
  numSctpStreams?: { OS: number; MIS: number };
  maxSctpMessageSize?: number;
};

/** mediasoup's `Router` type (an interface there, implemented by `RouterImpl`; here the class itself). */
export type Router<RouterAppData extends AppData = AppData> = RouterImpl<RouterAppData>;

/** mediasoup's Router: RTP capabilities and the transports of one room. */
export class RouterImpl<RouterAppData extends AppData = AppData> extends EnhancedEventEmitter<RouterEvents> {
  readonly #id: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  #rtpCapabilities: RtpCapabilities;
  #closed = false;
  #appData: RouterAppData;
  readonly #transports = new Map<string, Transport>();
  readonly #producers = new Map<string, Producer>();
  readonly #dataProducers = new Map<string, DataProducer>();
  readonly #observer = new EnhancedEventEmitter<RouterObserverEvents>();
  readonly #rtpObservers: RouterRtpObservers;
  /** @internal the connected PipeTransport pair to each router piped to or from (`pipe-to-router.ts`). */
  readonly pipePairs = new Map<string, Promise<PipeTransportPair>>();

  /** @internal created by `Worker.createRouter()`. */
  constructor(opts: {
    id: string;
    channel: WorkerChannel;
    events: TargetEvents;
    rtpCapabilities: RtpCapabilities;
    appData?: RouterAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#rtpCapabilities = opts.rtpCapabilities;
    this.#appData = opts.appData ?? ({} as RouterAppData);
    this.#rtpObservers = new RouterRtpObservers(
      {
        routerId: opts.id,
        channel: opts.channel,
        events: opts.events,
        getProducerById: (id) => this.#producers.get(id),
      },
      {
        closedError: () =>
          this.#closed ? closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`) : undefined,
        announce: (o) => this.#observer.safeEmit('newrtpobserver', o),
      },
    );
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** A clone of the router's RTP capabilities. */
  get rtpCapabilities(): RtpCapabilities {
    return structuredClone(this.#rtpCapabilities);
  }
  get appData(): RouterAppData {
    return this.#appData;
  }
  set appData(appData: RouterAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<RouterObserverEvents> {
    return this.#observer;
  }
  /** Just for testing purposes (as mediasoup). */
  get transportsForTesting(): Map<string, Transport> {
    return this.#transports;
  }

  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#channel.request('worker.closeRouter', { routerId: this.#id }).catch(logger.catcher('close()'));
    for (const t of this.#transports.values()) t.routerClosed();
    this.#transports.clear();
    this.#rtpObservers.routerClosed();
    this.pipePairs.clear();
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the worker closed or died. */
  workerClosed(): void {
    if (this.#closed) return;
    logger.debug('workerClosed()');
    this.#closed = true;
    for (const t of this.#transports.values()) t.routerClosed();
    this.#transports.clear();
    this.#rtpObservers.routerClosed();
    this.pipePairs.clear();
    this.safeEmit('workerclose');
    this.#observer.safeEmit('close');
  }

  async dump(): Promise<RouterDump> {
    logger.debug('dump()');
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    return this.#channel.request('router.dump', { routerId: this.#id });
  }

  /** mediasoup's `updateMediaCodecs()`: regenerates the capabilities. */
  updateMediaCodecs(mediaCodecs: RouterRtpCodecCapability[]): void {
    logger.debug('updateMediaCodecs()');
    this.#rtpCapabilities = ortc.generateRouterRtpCapabilities(structuredClone(mediaCodecs));
  }

  /** An AudioLevelObserver: `volumes` of the loudest producers it watches, or `silence`. */
  async createAudioLevelObserver<T extends AppData = AppData>(
    options?: AudioLevelObserverOptions<T>,
  ): Promise<AudioLevelObserver<T>> {
    logger.debug('createAudioLevelObserver()');
    return this.#rtpObservers.createAudioLevelObserver(options);
  }

  /** An ActiveSpeakerObserver: `dominantspeaker` among the producers it watches. */
  async createActiveSpeakerObserver<T extends AppData = AppData>(
    options?: ActiveSpeakerObserverOptions<T>,
  ): Promise<ActiveSpeakerObserver<T>> {
    logger.debug('createActiveSpeakerObserver()');
    return this.#rtpObservers.createActiveSpeakerObserver(options);
  }

  /** Whether a client with `rtpCapabilities` can consume the producer (false for an unknown producer, as mediasoup). */
  canConsume({
    producerId,
    rtpCapabilities,
  }: {
    producerId: string;
    rtpCapabilities: RtpCapabilities;
  }): boolean {
    const producer = this.#producers.get(producerId);
    if (!producer) {
      logger.error(`canConsume() | Producer with id "${producerId}" not found`);
      return false;
    }
    try {
      return ortc.canConsume(producer.consumableRtpParameters, structuredClone(rtpCapabilities));
    } catch (error) {
      logger.error(`canConsume() | unexpected error: ${error}`);
      return false;
    }
  }

  async createWebRtcTransport<T extends AppData = AppData>(
    options: CreateWebRtcTransportOptions<T>,
  ): Promise<WebRtcTransport<T>> {
    logger.debug('createWebRtcTransport()');
    const o = (options ?? {}) as CreateWebRtcTransportOptions<T> & {
      listenInfos?: TransportListenInfo[];
      listenIps?: (TransportListenIp | string)[];
      port?: number;
    };
    const { webRtcServer, preferUdp = false, preferTcp = false } = o;
    let { listenInfos, enableUdp, enableTcp } = o;
    if (!webRtcServer && !Array.isArray(listenInfos) && !Array.isArray(o.listenIps)) {
      throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
    }
    if (webRtcServer && (listenInfos || o.listenIps)) {
      throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
    }
    if (o.appData && typeof o.appData !== 'object')
      throw new TypeError('if given, appData must be an object');
    validateWebRtcTransportOptions(o);
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    if (webRtcServer?.closed) throw new Error('webRtcServer is closed');
    if (webRtcServer) {
      enableUdp ??= true;
      enableTcp ??= true;
    } else {
      enableUdp ??= true;
      enableTcp ??= false;
    }
    if (o.listenIps) {
      const protocols: Array<'udp' | 'tcp'> = [];
      if (enableUdp && (preferUdp || !enableTcp || !preferTcp)) {
        protocols.push('udp');
        if (enableTcp) protocols.push('tcp');
      } else if (enableTcp && ((preferTcp && !preferUdp) || !enableUdp)) {
        protocols.push('tcp');
        if (enableUdp) protocols.push('udp');
      }
      listenInfos = [];
      for (const ip of o.listenIps) {
        const l = typeof ip === 'string' ? { ip } : ip;
        for (const protocol of protocols) {
          listenInfos.push({ protocol, ip: l.ip, announcedAddress: l.announcedIp, port: o.port });
        }
      }
    }
    const iceConsentTimeout = o.iceConsentTimeout ?? 30;
    // mediasoup carries it as a uint8 (seconds); beyond that a Node timer overflows and fires every 1 ms.
    if (typeof iceConsentTimeout !== 'number' || !(iceConsentTimeout > 0) || iceConsentTimeout > 255) {
      throw new TypeError(
        `iceConsentTimeout must be a number of seconds in (0, 255] [iceConsentTimeout:${iceConsentTimeout}]`,
      );
    }
    const enableSctp = o.enableSctp ?? false;
    const maxSendMessageSize = o.maxSendMessageSize ?? o.maxSctpMessageSize ?? 262144;
    const maxReceiveMessageSize = o.maxReceiveMessageSize ?? o.maxSctpMessageSize ?? 262144;
    const numSctpStreams = o.numSctpStreams ?? { OS: 1024, MIS: 1024 };
    const sctpParameters: SctpParameters | undefined = enableSctp
      ? {
          port: 5000,
          OS: numSctpStreams.OS,
          MIS: numSctpStreams.MIS,
          maxMessageSize: maxReceiveMessageSize,
          maxSendMessageSize,
          maxReceiveMessageSize,
          sendBufferSize: o.sctpSendBufferSize ?? 2000000,
          perStreamSendQueueLimit: o.sctpPerStreamSendQueueLimit ?? 2000000,
          maxReceiverWindowBufferSize: o.sctpMaxReceiverWindowBufferSize ?? 5242880,
          isDataChannel: true,
        }
      : undefined;
    const transportId = randomUUID();
    const request: CreateWebRtcTransportRequest = {
      routerId: this.#id,
      transportId,
      webRtcServerId: webRtcServer?.id,
      listenInfos,
      enableUdp,
      enableTcp,
      preferUdp,
      preferTcp,
      iceConsentTimeout,
      initialAvailableOutgoingBitrate: o.initialAvailableOutgoingBitrate ?? 600000,
      sctpParameters,
      maxSendMessageSize,
      maxReceiveMessageSize,
    };
    const data = await this.#channel.request('router.createWebRtcTransport', request);
    const transport = new WebRtcTransportImpl<T>({
      ...this.#transportOptions(transportId, o.appData),
      data: {
        ...data,
        sctpParameters,
        numSctpStreams: o.numSctpStreams,
        maxSctpMessageSize: o.maxSctpMessageSize,
      },
    });
    if (!this.#register(transport)) return transport;
    transport.on('@listenserverclose', () => this.#transports.delete(transport.id));
    webRtcServer?.handleWebRtcTransport(transport as unknown as WebRtcTransport);
    return transport;
  }

  /** mediasoup's `createDirectTransport()`: RTP/RTCP to and from this process (`producer.send()`, `rtp`). */
  async createDirectTransport<T extends AppData = AppData>(
    options: DirectTransportOptions<T> = {},
  ): Promise<DirectTransport<T>> {
    logger.debug('createDirectTransport()');
    const o = options ?? {};
    if (typeof o !== 'object') throw new TypeError('if given, options must be an object');
    if (o.appData && typeof o.appData !== 'object')
      throw new TypeError('if given, appData must be an object');
    const maxSendMessageSize = o.maxSendMessageSize ?? o.maxMessageSize ?? 262144;
    const maxReceiveMessageSize = o.maxReceiveMessageSize ?? o.maxMessageSize ?? 262144;
    for (const [name, v] of Object.entries({ maxSendMessageSize, maxReceiveMessageSize })) {
      if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`${name} must be a non-negative integer`);
    }
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    const transportId = randomUUID();
    await this.#channel.request('router.createDirectTransport', {
      routerId: this.#id,
      transportId,
      maxSendMessageSize,
      maxReceiveMessageSize,
    });
    const transport = new DirectTransportImpl<T>(this.#transportOptions(transportId, o.appData));
    this.#register(transport);
    return transport;
  }

  /** mediasoup's `createPlainTransport()`: plain RTP/RTCP over UDP (optionally SRTP), for ffmpeg & co. */
  async createPlainTransport<T extends AppData = AppData>(
    options: PlainTransportOptions<T>,
  ): Promise<PlainTransport<T>> {
    logger.debug('createPlainTransport()');
    const request = plainTransportRequest(options);
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    const transportId = randomUUID();
    const data = await this.#channel.request('router.createPlainTransport', {
      routerId: this.#id,
      transportId,
      ...request,
    });
    const transport = new PlainTransportImpl<T>({
      ...this.#transportOptions(transportId, options.appData),
      data,
      rtcpMux: request.rtcpMux,
      comedia: request.comedia,
    });
    this.#register(transport);
    return transport;
  }

  /** mediasoup's `createPipeTransport()`: RTP/RTCP (and SCTP) to another router over UDP, optionally SRTP. */
  async createPipeTransport<T extends AppData = AppData>(
    options: PipeTransportOptions<T>,
  ): Promise<PipeTransport<T>> {
    logger.debug('createPipeTransport()');
    const request = pipeTransportRequest(options);
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    const transportId = randomUUID();
    const data = await this.#channel.request('router.createPipeTransport', {
      routerId: this.#id,
      transportId,
      ...request,
    });
    const transport = new PipeTransportImpl<T>({
      ...this.#transportOptions(transportId, options.appData),
      data,
      enableRtx: request.enableRtx,
    });
    this.#register(transport);
    return transport;
  }

  /**
   * mediasoup's `pipeToRouter()`: the producer (or data producer) becomes one of `router` too, over a
   * PipeTransport pair shared by every pipe between the two routers.
   */
  async pipeToRouter(options: PipeToRouterOptions): Promise<PipeToRouterResult> {
    logger.debug('pipeToRouter()');
    if (this.#closed) throw closedObjectError(this.#channel, `Router closed [routerId:${this.#id}]`);
    return pipeToRouter(
      {
        id: this.#id,
        closed: this.#closed,
        pipePairs: this.pipePairs,
        createPipeTransport: (o) => this.createPipeTransport(o),
        getProducer: (id) => this.#producers.get(id),
        getDataProducer: (id) => this.#dataProducers.get(id),
      },
      options,
    );
  }

  /** What every transport of this router is constructed with. */
  #transportOptions<T extends AppData>(id: string, appData: T | undefined) {
    const routerSelf = this;
    const router: TransportRouterLink = {
      get rtpCapabilities() {
        return routerSelf.#rtpCapabilities;
      },
      getProducer: (producerId: string) => this.#producers.get(producerId),
      getDataProducer: (dataProducerId: string) => this.#dataProducers.get(dataProducerId),
    };
    return { id, routerId: this.#id, channel: this.#channel, events: this.#events, router, appData };
  }

  /** Tracks a new transport and its producers; false (and it is closed) when the router closed meanwhile. */
  #register(t: { id: string; routerClosed(): void; on: Transport['on'] }): boolean {
    const transport = t as unknown as Transport;
    if (this.#closed) {
      transport.routerClosed();
      return false;
    }
    this.#transports.set(transport.id, transport);
    transport.on('@close', () => this.#transports.delete(transport.id));
    transport.on('@newproducer', (p) => this.#producers.set(p.id, p));
    transport.on('@producerclose', (p) => this.#producers.delete(p.id));
    transport.on('@newdataproducer', (dp) => this.#dataProducers.set(dp.id, dp));
    transport.on('@dataproducerclose', (dp) => this.#dataProducers.delete(dp.id));
    this.#observer.safeEmit('newtransport', transport);
    return true;
  }
}
