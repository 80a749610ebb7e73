/**
 * Entry of a worker thread (`createWorker`): serves the main thread's
 * requests (`WorkerMethods`, one handler each) by handing them to the
 * worker-side objects — WebRtcServers, Routers and, through them,
 * transports, producers and consumers — and hands the packets `IoLink`
 * receives to `PacketRoutes`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DtlsCertificate } from '@tsfu/dtls';
import { NotFoundError } from '../errors.js';
import { threadHeapForTesting } from '../heap-for-testing.js';
import { LIMIT_DEFAULTS, RTC_PORT_RANGE_DEFAULT } from '../limits.js';
import { Channel, type RequestHandlers } from '../protocol/channel.js';
import type { WorkerIoHandles } from '../protocol/io-protocol.js';
import {
  attachThreadLog,
  setThreadLogSettings,
  ThreadLogger,
  threadLogSettings,
} from '../protocol/thread-logger.js';
import type {
  CreateDirectTransportRequest,
  CreateWebRtcTransportRequest,
  CreateWebRtcTransportResponse,
  MainEnd,
  NotifyMain,
  WorkerEnd,
  WorkerMethods,
  WorkerThreadData,
} from '../protocol/worker-protocol.js';
import type {
  IceCandidate,
  TransportListenInfo,
  WorkerDump,
  WorkerResourceUsage,
  WorkerSettings,
  WorkerUpdateableSettings,
} from '../types/index.js';
import { IoLink } from './io-link.js';
import { PacketRoutes } from './packet-routes.js';
import { Router } from './router.js';
import { rtpObserverHandlers } from './rtp-observer/rtp-observer-handlers.js';
import { listenSockets } from './socket-listen.js';
import { threadStats } from './thread-stats.js';
import { DirectTransport } from './transport/direct-transport.js';
import { serverIceCandidates, transportIceCandidates } from './transport/ice-candidates.js';
import { PipeTransport } from './transport/pipe-transport.js';
import { PlainTransport } from './transport/plain-transport.js';
import type { Transport } from './transport/transport.js';
import { type ListenSocket, WebRtcTransport } from './transport/webrtc-transport.js';
import { openPipeTransport, openPlainTransport, type UdpTransportContext } from './udp-transports.js';
import { WebRtcServer } from './webrtc-server.js';
import { WorkerObjects } from './worker-objects.js';

const logger = new ThreadLogger('Worker');
const settingsLogger = new ThreadLogger('Settings');

/** The media timer: NACKs, transport-cc feedback, RTCP, layer selection. */
const MEDIA_TICK_MS = 20;

class WorkerThread {
  private readonly link: IoLink;
  private readonly routes: PacketRoutes;
  private readonly servers = new Map<string, WebRtcServer>();
  private readonly routers = new Map<string, Router>();
  private readonly objects = new WorkerObjects(this.routers, this.servers);
  private settings: WorkerSettings;
  private transportsRejected = 0;
  /** Transports being created (awaiting the I/O thread): they count against `tsfuMaxTransports`. */
  private transportsStarting = 0;
  private readonly mediaTimer: NodeJS.Timeout;
  private readonly notifyMain: NotifyMain = (event, targetId, ...data) =>
    this.main.notify(event, targetId, ...data);

  constructor(
    private readonly main: Channel<WorkerEnd, MainEnd>,
    io: WorkerIoHandles,
    private readonly certificate: DtlsCertificate,
    settings: WorkerSettings,
  ) {
    this.settings = settings;
    this.routes = new PacketRoutes(settings.tsfuMaxParkedPackets ?? LIMIT_DEFAULTS.maxParkedPackets);
    this.link = new IoLink(io, this.routes.onPacket);
    this.link.channel.onNotification((n) => {
      if (n.event === 'tcpclosed') this.routes.onTcpClosed(Number(n.targetId));
      else if (n.event === 'tupletakenover') this.routes.onTupleTakenOver(Number(n.targetId));
    });
    main.onNotification((n) => {
      switch (n.event) {
        case 'producer.send': {
          const p = this.objects.findProducer(n.targetId);
          const t = p && this.objects.findTransport(p.transportId)?.transport;
          if (p && t instanceof DirectTransport) t.receiveFromProducer(p, n.data);
          break;
        }
        case 'dataProducer.send': {
          // Any type, as mediasoup's worker; over the transport's maxReceiveMessageSize it drops (and logs) it.
          const dp = this.objects.findDataProducer(n.targetId);
          const found = dp && this.objects.findTransport(dp.transportId);
          if (!dp || !found) break;
          if (n.data.data.byteLength > found.transport.maxReceiveMessageSize) {
            dp.oversizeDrops++;
            break;
          }
          found.router.data.onProducerMessage(dp, n.data);
          break;
        }
        case 'transport.sendRtcp': {
          const t = this.objects.findTransport(n.targetId)?.transport;
          if (t instanceof DirectTransport) t.receiveRtcpFromApi(n.data);
          break;
        }
      }
    });
    main.serve(this.handlers(), (method, error) => {
      // mediasoup-worker logs every error it throws back to a request (MS_THROW_ERROR).
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error(`onRequest() | throwing ${e.name} [method:${method}]: ${e.message}`);
    });
    this.mediaTimer = setInterval(() => {
      const now = performance.now();
      for (const r of this.routers.values()) for (const t of r.transports.values()) t.tick(now);
    }, MEDIA_TICK_MS);
  }

  // ---- requests --------------------------------------------------------------------------

  /** One handler per method of `WorkerMethods`. */
  private handlers(): RequestHandlers<WorkerMethods> {
    const transport = (d: { transportId: string }) => this.objects.transport(d.transportId);
    const webRtc = (d: { transportId: string }) => this.objects.webRtcTransport(d.transportId);
    const producer = (d: { producerId: string }) => this.objects.producer(d.producerId);
    const consumer = (d: { consumerId: string }) => this.objects.consumer(d.consumerId);
    const dataProducer = (d: { dataProducerId: string }) => this.objects.dataProducer(d.dataProducerId);
    const dataConsumer = (d: { dataConsumerId: string }) => this.objects.dataConsumer(d.dataConsumerId);
    const now = () => performance.now();
    return {
      'worker.dump': () => this.dump(),
      'worker.getResourceUsage': () => resourceUsage(),
      'worker.tsfuGetThreadStats': (d) => threadStats(d?.collectGarbage === true),
      'worker.updateSettings': (d) => this.updateSettings(d),
      'worker.crashForTesting': () => {
        setImmediate(() => {
          throw new Error('worker thread crashed on purpose (crashForTesting)');
        });
      },
      'worker.heapForTesting': () => threadHeapForTesting(),
      'worker.close': () => {
        logger.debug('onRequest() | closing Worker');
        this.closeAll();
      },
      'worker.createWebRtcServer': (d) => this.createWebRtcServer(d.webRtcServerId, d.listenInfos),
      'worker.closeWebRtcServer': (d) => this.closeWebRtcServer(d.webRtcServerId),
      'webRtcServer.dump': (d) => this.objects.server(d.webRtcServerId).dump(),
      'worker.createRouter': (d) => this.createRouter(d.routerId),
      'worker.closeRouter': (d) => this.closeRouter(d.routerId),
      'router.dump': (d) => this.objects.router(d.routerId).dump(),
      'router.createWebRtcTransport': (d) => this.createWebRtcTransport(d),
      'router.createDirectTransport': (d) => this.createDirectTransport(d),
      'router.createPlainTransport': (d) => this.openUdpTransport(d, openPlainTransport),
      'router.createPipeTransport': (d) => this.openUdpTransport(d, openPipeTransport),
      'router.closeTransport': (d) => {
        const found = this.objects.findTransport(d.transportId);
        if (found) this.closeTransport(found.router, found.transport);
      },
      'transport.connect': (d) => ({ dtlsLocalRole: webRtc(d).connect(d.dtlsParameters) }),
      'plainTransport.connect': (d) => {
        const t = transport(d);
        if (!(t instanceof PlainTransport))
          throw new NotFoundError(`PlainTransport not found [transportId:${d.transportId}]`);
        return t.connect(d);
      },
      'pipeTransport.tsfuAttachRing': (d) => {
        const t = transport(d);
        if (!(t instanceof PipeTransport))
          throw new NotFoundError(`PipeTransport not found [transportId:${d.transportId}]`);
        t.attachRing(d.sendRing, d.recvRing);
      },
      'transport.restartIce': (d) => webRtc(d).restartIce(),
      'transport.getStats': (d) => [transport(d).getStats()],
      'transport.dump': (d) => transport(d).dump(),
      'transport.setMaxIncomingBitrate': (d) => transport(d).setMaxIncomingBitrate(d.bitrate),
      'transport.setMaxOutgoingBitrate': (d) => transport(d).setMaxOutgoingBitrate(d.bitrate),
      'transport.setMinOutgoingBitrate': (d) => transport(d).setMinOutgoingBitrate(d.bitrate),
      'transport.enableTraceEvent': (d) => {
        transport(d).traceEventTypes = [...d.types];
      },
      'transport.produce': (d) => {
        // Ids are the worker's handler ids (mediasoup's ChannelMessageRegistrator): unique in the worker.
        if (this.objects.findProducer(d.producerId))
          throw new Error(`a Producer with same producerId already exists [producerId:${d.producerId}]`);
        return transport(d).produce(d);
      },
      'transport.consume': (d) => transport(d).consume(d, now()),
      'transport.setDropOutgoingForTesting': (d) => {
        transport(d).dropOutgoingFraction = Number(d.fraction) || 0;
      },
      'transport.produceData': (d) => {
        if (this.objects.findDataProducer(d.dataProducerId))
          throw new Error(
            `a DataProducer with same dataProducerId already exists [dataProducerId:${d.dataProducerId}]`,
          );
        const found = this.objects.transportAndRouter(d.transportId);
        found.router.data.produce(found.transport, d);
      },
      'transport.consumeData': (d) => {
        const found = this.objects.transportAndRouter(d.transportId);
        return found.router.data.consume(found.transport, d);
      },
      'dataProducer.close': (d) => {
        const dp = this.objects.findDataProducer(d.dataProducerId);
        if (dp) this.objects.findTransport(dp.transportId)?.router.data.closeProducer(dp);
      },
      'dataProducer.pause': (d) =>
        this.objects.routerOfData(dataProducer(d)).setProducerPaused(dataProducer(d), true),
      'dataProducer.resume': (d) =>
        this.objects.routerOfData(dataProducer(d)).setProducerPaused(dataProducer(d), false),
      'dataProducer.getStats': (d) => dataProducer(d).getStats(),
      'dataProducer.dump': (d) => dataProducer(d).dump(),
      'dataConsumer.close': (d) => {
        const dc = this.objects.findDataConsumer(d.dataConsumerId);
        if (dc) this.objects.routerOfData(dc).closeConsumer(dc);
      },
      'dataConsumer.pause': (d) => {
        dataConsumer(d).paused = true;
      },
      'dataConsumer.resume': (d) => {
        dataConsumer(d).paused = false;
      },
      'dataConsumer.getStats': (d) => dataConsumer(d).getStats(),
      'dataConsumer.dump': (d) => dataConsumer(d).dump(),
      'dataConsumer.setSubchannels': (d) => {
        const dc = dataConsumer(d);
        dc.subchannels = new Set(d.subchannels);
        return dc.sortedSubchannels();
      },
      'dataConsumer.setBufferedAmountLowThreshold': (d) => {
        const dc = dataConsumer(d);
        dc.bufferedAmountLowThreshold = d.threshold;
        this.objects.findTransport(dc.transportId)?.transport.sctp?.setBufferedAmountLowThreshold(dc);
      },
      'dataConsumer.getBufferedAmount': (d) => {
        const dc = dataConsumer(d);
        dc.bufferedAmount =
          this.objects.findTransport(dc.transportId)?.transport.sctp?.bufferedAmountOf(dc) ?? 0;
        return dc.bufferedAmount;
      },
      'dataConsumer.send': (d) => {
        const dc = dataConsumer(d);
        if (dc.type !== 'sctp') throw new TypeError('DataConsumer is not of type "sctp"');
        this.objects.routerOfData(dc).sendToConsumer(dc, { ppid: d.ppid, data: d.data });
        return dc.bufferedAmount;
      },
      'producer.close': (d) => {
        const p = this.objects.findProducer(d.producerId);
        if (p) this.objects.findTransport(p.transportId)?.transport.closeProducer(p);
      },
      'producer.pause': (d) => producer(d).pause(),
      'producer.resume': (d) => producer(d).resume(),
      'producer.getStats': (d) => producer(d).getStats(),
      'producer.dump': (d) => producer(d).dump(),
      'producer.enableTraceEvent': (d) => {
        producer(d).traceEventTypes = [...d.types];
      },
      'consumer.close': (d) => {
        const c = this.objects.findConsumer(d.consumerId);
        if (c) this.objects.findTransport(c.transportId)?.transport.closeConsumer(c);
      },
      'consumer.pause': (d) => consumer(d).pause(),
      'consumer.resume': (d) => consumer(d).resume(now()),
      'consumer.setPreferredLayers': (d) => {
        const c = consumer(d);
        c.setPreferredLayers(d.preferredLayers, now());
        return c.preferredLayers ?? null;
      },
      'consumer.setPriority': (d) => {
        const c = consumer(d);
        c.priority = Number(d.priority);
        return c.priority;
      },
      'consumer.requestKeyFrame': (d) => consumer(d).requestKeyFrame(now()),
      'consumer.getStats': (d) => consumer(d).getStats(),
      'consumer.dump': (d) => consumer(d).dump(),
      'consumer.enableTraceEvent': (d) => {
        consumer(d).traceEventTypes = [...d.types];
      },
      ...rtpObserverHandlers({
        router: (id) => this.objects.router(id),
        routers: () => this.routers.values(),
        notify: this.notifyMain,
      }),
    };
  }

  // ---- worker ----------------------------------------------------------------------------

  private transportCount(): number {
    let n = 0;
    for (const r of this.routers.values()) n += r.transports.size;
    return n;
  }

  private dump(): WorkerDump {
    const transportIds = [...this.routers.values()].flatMap((r) => [...r.transports.keys()]);
    const observerIds = [...this.routers.values()].flatMap((r) => [...r.rtpObservers.observers.keys()]);
    return {
      pid: process.pid,
      webRtcServerIds: [...this.servers.keys()],
      routerIds: [...this.routers.keys()],
      channelMessageHandlers: {
        channelRequestHandlers: [
          ...this.servers.keys(),
          ...this.routers.keys(),
          ...transportIds,
          ...observerIds,
        ],
        channelNotificationHandlers: [],
      },
      tsfuCounters: {
        packetsForUnknownTuple: this.routes.packetsForUnknownTuple,
        malformedRecords: this.routes.malformedRecords,
        transportsRejected: this.transportsRejected,
        parkedPacketsDropped: this.routes.parkedPacketsDropped,
      },
    };
  }

  private updateSettings({ logLevel, logTags }: WorkerUpdateableSettings): void {
    if (logLevel !== undefined) this.settings.logLevel = logLevel;
    if (logTags !== undefined) this.settings.logTags = logTags;
    setThreadLogSettings({ logLevel, logTags });
    printConfiguration(this.settings);
  }

  private createRouter(routerId: string): void {
    if (this.routers.has(routerId)) throw new Error('a Router with same id already exists');
    this.routers.set(routerId, new Router(routerId, this.notifyMain));
    logger.debug(`onRequest() | Router created [routerId:${routerId}]`);
  }

  private closeRouter(routerId: string): void {
    const router = this.routers.get(routerId);
    if (!router) return;
    for (const t of [...router.transports.values()]) this.closeTransport(router, t);
    router.rtpObservers.closeAll();
    this.routers.delete(router.id);
    logger.debug(`onRequest() | Router closed [routerId:${router.id}]`);
  }

  private async createWebRtcServer(id: string, listenInfos: TransportListenInfo[]): Promise<void> {
    const sockets = await this.listen(listenInfos, true);
    this.servers.set(id, new WebRtcServer(id, sockets));
    logger.debug(`createWebRtcServer() | WebRtcServer created [webRtcServerId:${id}]`);
  }

  /** Opens a socket per listen info, all or none (`socket-listen.ts`); `shared`: WebRtcServer sockets. */
  private listen(
    listenInfos: TransportListenInfo[],
    shared: boolean,
    deliverUnknown = false,
  ): Promise<ListenSocket[]> {
    const taken = new Set<number>();
    if (shared)
      for (const server of this.servers.values()) for (const s of server.sockets) taken.add(s.index);
    return listenSockets(this.link, listenInfos, {
      shared,
      deliverUnknown,
      taken,
      range: {
        min: this.settings.rtcMinPort ?? RTC_PORT_RANGE_DEFAULT.min,
        max: this.settings.rtcMaxPort ?? RTC_PORT_RANGE_DEFAULT.max,
      },
    });
  }

  private closeWebRtcServer(id: string): void {
    const server = this.servers.get(id);
    if (!server) return;
    this.servers.delete(id);
    for (const t of [...server.transports]) {
      const found = this.objects.findTransport(t.id);
      if (found) this.closeTransport(found.router, t);
    }
    // Behind the transports' close_notify records and tuple unbinds (IoLink keeps that order).
    this.link.unlisten(server.sockets.map((s) => s.index));
    logger.debug(`closeWebRtcServer() | WebRtcServer closed [webRtcServerId:${id}]`);
  }

  /** Throws (and counts) when this worker has `tsfuMaxTransports` transports, open or being opened. */
  private checkTransportCap(): void {
    const max = this.settings.tsfuMaxTransports ?? LIMIT_DEFAULTS.maxTransports;
    if (this.transportCount() + this.transportsStarting >= max) {
      this.transportsRejected++;
      throw new Error(`too many transports in this worker [tsfuMaxTransports:${max}]`);
    }
  }

  private createDirectTransport(req: CreateDirectTransportRequest): void {
    const router = this.objects.router(req.routerId);
    this.checkTransportCap();
    if (router.transports.has(req.transportId)) throw new Error('a Transport with same id already exists');
    const transport = new DirectTransport({
      id: req.transportId,
      listener: router,
      notify: this.notifyMain,
      initialAvailableOutgoingBitrate: 0,
      maxSendMessageSize: req.maxSendMessageSize,
      maxReceiveMessageSize: req.maxReceiveMessageSize,
    });
    router.addTransport(transport);
  }

  /** A PlainTransport or PipeTransport on sockets of its own (`udp-transports.ts`). */
  private async openUdpTransport<R extends { routerId: string }, S>(
    req: R,
    open: (ctx: UdpTransportContext, req: R) => Promise<S>,
  ): Promise<S> {
    const router = this.objects.router(req.routerId);
    this.checkTransportCap();
    this.transportsStarting++;
    let starting = true;
    const listen = async (infos: TransportListenInfo[]) => {
      try {
        return await this.listen(infos, false, true);
      } finally {
        this.transportsStarting--;
        starting = false;
      }
    };
    try {
      return await open(
        { router, link: this.link, routes: this.routes, notify: this.notifyMain, listen },
        req,
      );
    } finally {
      if (starting) this.transportsStarting--;
    }
  }

  private async createWebRtcTransport(
    req: CreateWebRtcTransportRequest,
  ): Promise<CreateWebRtcTransportResponse> {
    this.checkTransportCap();
    this.transportsStarting++;
    try {
      return await this.openWebRtcTransport(req);
    } finally {
      this.transportsStarting--;
    }
  }

  private async openWebRtcTransport(
    req: CreateWebRtcTransportRequest,
  ): Promise<CreateWebRtcTransportResponse> {
    const router = this.objects.router(req.routerId);
    let sockets: ListenSocket[];
    let candidates: IceCandidate[];
    let ownSocketIndices: number[] = [];
    let server: WebRtcServer | undefined;
    if (req.webRtcServerId !== undefined) {
      server = this.objects.server(req.webRtcServerId);
      ({ sockets, candidates } = serverIceCandidates(server.sockets, req));
      if (sockets.length === 0) throw new TypeError('empty iceCandidates');
    } else {
      // mediasoup uses every listen info; enableUdp/enableTcp only shaped the deprecated listenIps.
      if (!req.listenInfos?.length) throw new TypeError('empty listenInfos');
      sockets = await this.listen(req.listenInfos, false);
      ownSocketIndices = sockets.map((s) => s.index);
      try {
        candidates = transportIceCandidates(sockets);
      } catch (error) {
        this.link.unlisten(ownSocketIndices);
        throw error;
      }
    }
    const transport = new WebRtcTransport({
      id: req.transportId,
      listener: router,
      notify: this.notifyMain,
      link: this.link,
      routes: this.routes,
      certificate: this.certificate,
      sockets,
      candidates,
      ownSocketIndices,
      iceConsentTimeoutMs: req.iceConsentTimeout * 1000,
      initialAvailableOutgoingBitrate: req.initialAvailableOutgoingBitrate,
      sctpParameters: req.sctpParameters,
      maxSendMessageSize: req.maxSendMessageSize,
      maxReceiveMessageSize: req.maxReceiveMessageSize,
      maxIceTuples: this.settings.tsfuMaxIceTuplesPerTransport ?? LIMIT_DEFAULTS.maxIceTuplesPerTransport,
    });
    await transport.registerIceUsernameFragment();
    router.addTransport(transport);
    server?.transports.add(transport);
    return {
      iceParameters: transport.iceParameters,
      iceCandidates: candidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  private closeTransport(router: Router, transport: Transport): void {
    router.closeTransport(transport);
    if (transport instanceof PlainTransport)
      for (const index of transport.socketIndices) this.routes.removePlainSocket(index, transport);
    if (transport instanceof WebRtcTransport)
      for (const s of this.servers.values()) s.transports.delete(transport);
  }

  private closeAll(): void {
    clearInterval(this.mediaTimer);
    this.routes.clear();
    for (const r of this.routers.values()) {
      for (const t of [...r.transports.values()]) this.closeTransport(r, t);
      r.rtpObservers.closeAll();
    }
    this.link.close();
  }
}

/** mediasoup's Settings::PrintConfiguration(): at start and after updateSettings, with the 'info' tag. */
function printConfiguration(settings: WorkerSettings): void {
  if (!settingsLogger.debugTagEnabled('info')) return;
  const { logLevel, logTags } = threadLogSettings();
  settingsLogger.debugTag('info', 'PrintConfiguration() | <configuration>');
  settingsLogger.debugTag('info', `PrintConfiguration() |   logLevel: ${logLevel}`);
  settingsLogger.debugTag('info', `PrintConfiguration() |   logTags: ${logTags.join(',')}`);
  settingsLogger.debugTag(
    'info',
    `PrintConfiguration() |   rtcMinPort: ${settings.rtcMinPort ?? RTC_PORT_RANGE_DEFAULT.min}`,
  );
  settingsLogger.debugTag(
    'info',
    `PrintConfiguration() |   rtcMaxPort: ${settings.rtcMaxPort ?? RTC_PORT_RANGE_DEFAULT.max}`,
  );
  if (settings.dtlsCertificateFile) {
    const { dtlsCertificateFile, dtlsPrivateKeyFile } = settings;
    settingsLogger.debugTag('info', `PrintConfiguration() |   dtlsCertificateFile: ${dtlsCertificateFile}`);
    settingsLogger.debugTag('info', `PrintConfiguration() |   dtlsPrivateKeyFile: ${dtlsPrivateKeyFile}`);
  }
  settingsLogger.debugTag('info', 'PrintConfiguration() | </configuration>');
}

function resourceUsage(): WorkerResourceUsage {
  const ru = process.resourceUsage();
  return {
    ru_utime: ru.userCPUTime / 1000,
    ru_stime: ru.systemCPUTime / 1000,
    ru_maxrss: ru.maxRSS,
    ru_ixrss: ru.sharedMemorySize,
    ru_idrss: ru.unsharedDataSize,
    ru_isrss: ru.unsharedStackSize,
    ru_minflt: ru.minorPageFault,
    ru_majflt: ru.majorPageFault,
    ru_nswap: ru.swappedOut,
    ru_inblock: ru.fsRead,
    ru_oublock: ru.fsWrite,
    ru_msgsnd: ru.ipcSent,
    ru_msgrcv: ru.ipcReceived,
    ru_nsignals: ru.signalsCount,
    ru_nvcsw: ru.voluntaryContextSwitches,
    ru_nivcsw: ru.involuntaryContextSwitches,
  };
}

/** The settings' certificate files; a failure names them (mediasoup: `wrong settings`). */
function certificateFromFiles(certificateFile: string, privateKeyFile: string): DtlsCertificate {
  try {
    return DtlsCertificate.fromFiles(certificateFile, privateKeyFile);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TypeError(`invalid dtlsCertificateFile or dtlsPrivateKeyFile: ${message}`);
  }
}

async function main(): Promise<void> {
  if (!parentPort) return;
  const channel = new Channel<WorkerEnd, MainEnd>(parentPort, {
    logger: new ThreadLogger('Channel'),
  });
  const { settings, io, certificate: shared } = workerData as WorkerThreadData;
  attachThreadLog((line) => channel.sendLog(line));
  setThreadLogSettings(settings);
  printConfiguration(settings);
  try {
    let certificate: DtlsCertificate;
    let generated = false;
    if (settings.dtlsCertificateFile && settings.dtlsPrivateKeyFile) {
      certificate = certificateFromFiles(settings.dtlsCertificateFile, settings.dtlsPrivateKeyFile);
    } else if (shared) {
      certificate = DtlsCertificate.fromPem(shared.certificatePem, shared.privateKeyPem);
    } else {
      certificate = await DtlsCertificate.generate();
      generated = true;
    }
    new WorkerThread(channel, io, certificate, settings);
    // A generated certificate goes back to the main thread, which hands it to the next workers.
    const { certificatePem, privateKeyPem } = certificate;
    channel.notify(
      '@success',
      '',
      generated ? { generatedCertificate: { certificatePem, privateKeyPem } } : {},
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`main() | failed to start: ${message}`);
    channel.notify('@failure', '', { message });
  }
}

void main();
