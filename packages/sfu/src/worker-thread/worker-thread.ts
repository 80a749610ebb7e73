/**
 * Entry of a worker thread (`createWorker`). Serves the main thread's
 * requests (routers, WebRtcServers, transports), receives packets from the
 * I/O thread through `IoLink` and hands each to the transport that owns its
 * tuple (or, for a STUN request from an unknown tuple, its ufrag).
 */
import { isIPv6 } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { DtlsCertificate } from '@tsfu/dtls';
import { hostCandidates, IceUfragTable } from '@tsfu/ice-lite';
import { LIMIT_DEFAULTS } from '../limits.js';
import { Channel, type RequestHandlers } from '../protocol/channel.js';
import {
  ADDRESS_HEADER_LENGTH,
  type IoSocketInfo,
  PROTOCOL_TCP,
  readAddressHeader,
  TUPLE_UNKNOWN,
  type WorkerIoHandles,
} from '../protocol/io-protocol.js';
import {
  attachThreadLog,
  setThreadLogSettings,
  ThreadLogger,
  threadLogSettings,
} from '../protocol/thread-logger.js';
import type {
  CreateWebRtcTransportRequest,
  CreateWebRtcTransportResponse,
  MainEnd,
  NotifyMain,
  WorkerEnd,
  WorkerMethods,
} from '../protocol/worker-protocol.js';
import type {
  RouterDump,
  TransportListenInfo,
  WebRtcServerDump,
  WorkerCounters,
  WorkerDump,
  WorkerResourceUsage,
  WorkerSettings,
  WorkerUpdateableSettings,
} from '../types/index.js';
import { IoLink, type LinkTuple } from './io-link.js';
import { MediaRequests } from './media/media-requests.js';
import type { WorkerProducer } from './media/worker-producer.js';
import { ParkedPackets } from './parked-packets.js';
import { threadStats } from './thread-stats.js';
import { WorkerWebRtcTransport } from './worker-webrtc-transport.js';

const logger = new ThreadLogger('Worker');
const settingsLogger = new ThreadLogger('Settings');

type ListenSocket = IoSocketInfo & { announcedAddress?: string };

interface WorkerWebRtcServer {
  id: string;
  sockets: ListenSocket[];
  transports: Set<WorkerWebRtcTransport>;
}

interface WorkerRouter {
  id: string;
  transports: Map<string, WorkerWebRtcTransport>;
  producers: Map<string, WorkerProducer>;
}

/** The media timer: NACKs, transport-cc feedback, RTCP, layer selection. */
const MEDIA_TICK_MS = 20;

class WorkerThread {
  private readonly link: IoLink;
  private readonly servers = new Map<string, WorkerWebRtcServer>();
  private readonly routers = new Map<string, WorkerRouter>();
  private readonly transports = new Map<string, WorkerWebRtcTransport>();
  private readonly byTupleId = new Map<number, { transport: WorkerWebRtcTransport; tuple: LinkTuple }>();
  private readonly byUfrag = new IceUfragTable<WorkerWebRtcTransport>();
  /** Every packet is copied here from the ring so transports can work on a Buffer at offset 0. */
  private readonly scratch = Buffer.allocUnsafe(65536 + ADDRESS_HEADER_LENGTH);
  private settings: WorkerSettings;
  private readonly counters: Omit<WorkerCounters, 'parkedPacketsDropped'> = {
    packetsForUnknownTuple: 0,
    malformedRecords: 0,
    transportsRejected: 0,
  };
  /** Packets of tuples bound in the I/O thread whose bind answer has not arrived yet. */
  private readonly parked: ParkedPackets;
  /** Transports being created (awaiting the I/O thread): they count against `tsfuMaxTransports`. */
  private transportsStarting = 0;
  private readonly media = new MediaRequests();
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
    this.parked = new ParkedPackets(settings.tsfuMaxParkedPackets ?? LIMIT_DEFAULTS.maxParkedPackets, (n) => {
      logger.warnTag('ice', `onPacket() | dropped ${n} parked packets of unbound tuples`);
      this.counters.packetsForUnknownTuple += n;
    });
    this.link = new IoLink(io, this.onPacket);
    this.link.channel.onNotification((n) => {
      if (n.event !== 'tcpclosed') return;
      const id = Number(n.targetId);
      const entry = this.byTupleId.get(id);
      if (entry) {
        this.byTupleId.delete(id);
        entry.transport.handleTcpClosed(id);
      }
    });
    main.serve(this.handlers(), (method, error) => {
      // mediasoup-worker logs every error it throws back to a request (MS_THROW_ERROR).
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error(`onRequest() | throwing ${e.name} [method:${method}]: ${e.message}`);
    });
    this.mediaTimer = setInterval(() => {
      const now = performance.now();
      for (const t of this.transports.values()) t.media.tick(now);
    }, MEDIA_TICK_MS);
  }

  // ---- packets ---------------------------------------------------------------------------

  private readonly onPacket = (
    data: Buffer,
    offset: number,
    length: number,
    meta: number,
    aux: number,
  ): void => {
    if (meta === TUPLE_UNKNOWN) {
      const h = readAddressHeader(data, offset, length);
      if (!h) {
        // The I/O thread wrote a record this thread cannot read: a bug on one side (logs are rate-bounded).
        this.counters.malformedRecords++;
        logger.error(`onPacket() | malformed record from the I/O thread [length:${length}]`);
        return;
      }
      const n = length - ADDRESS_HEADER_LENGTH;
      data.copy(this.scratch, 0, offset + ADDRESS_HEADER_LENGTH, offset + length);
      const transport = this.byUfrag.lookup(this.scratch, n);
      if (!transport) {
        this.counters.packetsForUnknownTuple++;
        logger.warnTag('ice', 'onPacket() | ignoring packet from unknown tuple with no known ICE ufrag');
        return;
      }
      const tuple: LinkTuple = {
        address: h.address,
        port: h.port,
        family: isIPv6(h.address) ? 'IPv6' : 'IPv4',
        protocol: h.protocol === PROTOCOL_TCP ? 'tcp' : 'udp',
        socketIndex: aux,
        connId: h.connId,
        tupleId: 0,
      };
      transport.handleUnknownTupleStun(tuple, this.scratch, n);
      return;
    }
    const entry = this.byTupleId.get(meta);
    if (!entry) {
      // The I/O thread routes a tuple by id as soon as it bound it, which can be before this thread
      // has read the bind answer; over TCP nothing is retransmitted, so park a few such packets.
      // At most tsfuMaxParkedPackets are held; more are dropped (tsfuCounters.parkedPacketsDropped).
      this.parked.park(meta, data, offset, length);
      return;
    }
    data.copy(this.scratch, 0, offset, offset + length);
    entry.transport.handlePacket(entry.tuple, this.scratch, length);
  };

  private readonly onTupleBound = (tupleId: number, transport: WorkerWebRtcTransport): void => {
    for (const t of transportTuples(transport, tupleId)) this.byTupleId.set(tupleId, { transport, tuple: t });
    const parked = this.parked.take(tupleId);
    const entry = this.byTupleId.get(tupleId);
    if (parked && entry) {
      for (const p of parked) {
        p.copy(this.scratch, 0);
        entry.transport.handlePacket(entry.tuple, this.scratch, p.length);
      }
    }
  };

  /** The transport's ICE agent dropped the tuple (over its tuple cap): stop routing it there. */
  private readonly onTupleUnbound = (tupleId: number, transport: WorkerWebRtcTransport): void => {
    if (this.byTupleId.get(tupleId)?.transport === transport) this.byTupleId.delete(tupleId);
  };

  // ---- requests --------------------------------------------------------------------------

  /** One handler per method of `WorkerMethods`. */
  private handlers(): RequestHandlers<WorkerMethods> {
    const media = this.media;
    const transport = (d: { transportId: string }) => this.getTransport(d.transportId);
    const routerOf = (d: { transportId: string }) => this.routerOfTransport(d.transportId);
    return {
      'worker.dump': () => this.dump(),
      'worker.getResourceUsage': () => resourceUsage(),
      'worker.tsfuGetThreadStats': () => threadStats(),
      'worker.updateSettings': (d) => this.updateSettings(d),
      'worker.crashForTesting': () => {
        setImmediate(() => {
          throw new Error('worker thread crashed on purpose (crashForTesting)');
        });
      },
      'worker.close': () => {
        logger.debug('onRequest() | closing Worker');
        this.closeAll();
      },
      'worker.createWebRtcServer': (d) => this.createWebRtcServer(d.webRtcServerId, d.listenInfos),
      'worker.closeWebRtcServer': (d) => this.closeWebRtcServer(d.webRtcServerId),
      'webRtcServer.dump': (d) => this.dumpWebRtcServer(d.webRtcServerId),
      'worker.createRouter': (d) => this.createRouter(d.routerId),
      'worker.closeRouter': (d) => this.closeRouter(d.routerId),
      'router.dump': (d) => this.dumpRouter(d.routerId),
      'router.createWebRtcTransport': (d) => this.createWebRtcTransport(d),
      'router.closeTransport': (d) => {
        const t = this.transports.get(d.transportId);
        if (t) this.closeTransport(t);
      },
      'transport.connect': (d) => transport(d).connect(d.dtlsParameters),
      'transport.restartIce': (d) => transport(d).restartIce(),
      'transport.getStats': (d) => [transport(d).getStats()],
      'transport.dump': (d) => transport(d).dump(),
      'transport.setMaxIncomingBitrate': (d) => {
        transport(d).maxIncomingBitrate = d.bitrate || undefined;
      },
      'transport.setMaxOutgoingBitrate': (d) => {
        transport(d).maxOutgoingBitrate = d.bitrate || undefined;
      },
      'transport.produce': (d) => media.produce(transport(d), routerOf(d), d),
      'transport.consume': (d) => media.consume(transport(d), routerOf(d), d),
      'transport.setDropOutgoingForTesting': (d) => {
        transport(d).media.dropOutgoingFraction = Number(d.fraction) || 0;
      },
      'producer.close': (d) => media.closeProducer(d.producerId),
      'producer.pause': (d) => media.setProducerPaused(d.producerId, true),
      'producer.resume': (d) => media.setProducerPaused(d.producerId, false),
      'producer.getStats': (d) => media.producerStats(d.producerId),
      'producer.dump': (d) => media.dumpProducer(d.producerId),
      'producer.enableTraceEvent': (d) => media.enableProducerTrace(d.producerId, d.types),
      'consumer.close': (d) => media.closeConsumer(d.consumerId),
      'consumer.pause': (d) => media.pauseConsumer(d.consumerId),
      'consumer.resume': (d) => media.resumeConsumer(d.consumerId),
      'consumer.setPreferredLayers': (d) => media.setPreferredLayers(d.consumerId, d.preferredLayers),
      'consumer.setPriority': (d) => media.setPriority(d.consumerId, d.priority),
      'consumer.requestKeyFrame': (d) => media.requestKeyFrame(d.consumerId),
      'consumer.getStats': (d) => media.consumerStats(d.consumerId),
      'consumer.dump': (d) => media.dumpConsumer(d.consumerId),
      'consumer.enableTraceEvent': (d) => media.enableConsumerTrace(d.consumerId, d.types),
    };
  }

  private dump(): WorkerDump {
    return {
      pid: process.pid,
      webRtcServerIds: [...this.servers.keys()],
      routerIds: [...this.routers.keys()],
      channelMessageHandlers: {
        channelRequestHandlers: [...this.servers.keys(), ...this.routers.keys(), ...this.transports.keys()],
        channelNotificationHandlers: [],
      },
      tsfuCounters: {
        ...this.counters,
        parkedPacketsDropped: this.parked.dropped,
      } satisfies WorkerCounters,
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
    this.routers.set(routerId, { id: routerId, transports: new Map(), producers: new Map() });
    logger.debug(`onRequest() | Router created [routerId:${routerId}]`);
  }

  private closeRouter(routerId: string): void {
    const router = this.routers.get(routerId);
    if (!router) return;
    for (const t of router.transports.values()) this.closeTransport(t);
    this.routers.delete(router.id);
    logger.debug(`onRequest() | Router closed [routerId:${router.id}]`);
  }

  private dumpRouter(routerId: string): RouterDump {
    const router = this.getRouter(routerId);
    return {
      id: router.id,
      transportIds: [...router.transports.keys()],
      rtpObserverIds: [],
      mapProducerIdConsumerIds: [...router.producers.values()].map((p) => ({
        key: p.id,
        values: p.consumers.map((c) => c.id),
      })),
      mapConsumerIdProducerId: [...router.producers.values()].flatMap((p) =>
        p.consumers.map((c) => ({ key: c.id, value: p.id })),
      ),
      mapProducerIdObserverIds: [],
      mapDataProducerIdDataConsumerIds: [],
      mapDataConsumerIdDataProducerId: [],
    };
  }

  private getRouter(id: string): WorkerRouter {
    const router = this.routers.get(id);
    if (!router) throw new Error(`Router not found [routerId:${id}]`);
    return router;
  }

  private routerOfTransport(transportId: string): WorkerRouter {
    for (const r of this.routers.values()) if (r.transports.has(transportId)) return r;
    throw new Error(`Transport not found [transportId:${transportId}]`);
  }

  private getTransport(id: string): WorkerWebRtcTransport {
    const t = this.transports.get(id);
    if (!t || t.isClosed) throw new Error(`Transport not found [transportId:${id}]`);
    return t;
  }

  private async createWebRtcServer(id: string, listenInfos: TransportListenInfo[]): Promise<void> {
    const sockets = await this.listen(listenInfos, true);
    this.servers.set(id, { id, sockets, transports: new Set() });
    logger.debug(`createWebRtcServer() | WebRtcServer created [webRtcServerId:${id}]`);
  }

  private async listen(listenInfos: TransportListenInfo[], shared: boolean): Promise<ListenSocket[]> {
    const opened = await this.link.listen(
      listenInfos.map((info) => ({
        protocol: info.protocol,
        ip: info.ip,
        port: info.port ?? 0,
        shared,
        loopbackOnly: info.tsfuLoopbackOnly === true,
        connectedUdp: info.tsfuConnectedUdp === true && info.protocol === 'udp',
        sendBufferSize: info.sendBufferSize,
        recvBufferSize: info.recvBufferSize,
        maxTcpConnections: info.tsfuMaxTcpConnections,
        maxPendingTcpConnectionsPerIp: info.tsfuMaxPendingTcpConnectionsPerIp,
        tcpAuthTimeoutMs: info.tsfuTcpAuthTimeoutMs,
      })),
    );
    return opened.map((s, i) => {
      const announced = listenInfos[i].announcedAddress ?? listenInfos[i].announcedIp;
      return announced ? { ...s, announcedAddress: announced } : s;
    });
  }

  private closeWebRtcServer(id: string): void {
    const server = this.servers.get(id);
    if (!server) return;
    this.servers.delete(id);
    for (const t of server.transports) this.closeTransport(t);
    // Behind the transports' close_notify records and tuple unbinds (IoLink keeps that order).
    this.link.unlisten(server.sockets.map((s) => s.index));
    logger.debug(`closeWebRtcServer() | WebRtcServer closed [webRtcServerId:${id}]`);
  }

  private dumpWebRtcServer(id: string): WebRtcServerDump {
    const server = this.servers.get(id);
    if (!server) throw new Error(`WebRtcServer not found [webRtcServerId:${id}]`);
    const ipPort = (p: 'udp' | 'tcp') =>
      server.sockets.filter((s) => s.protocol === p).map((s) => ({ ip: s.ip, port: s.port }));
    const transports = [...server.transports].filter((t) => !t.isClosed);
    return {
      id,
      udpSockets: ipPort('udp'),
      tcpServers: ipPort('tcp'),
      webRtcTransportIds: transports.map((t) => t.id),
      localIceUsernameFragments: transports.map((t) => ({
        localIceUsernameFragment: t.iceParameters.usernameFragment,
        webRtcTransportId: t.id,
      })),
    };
  }

  private async createWebRtcTransport(
    req: CreateWebRtcTransportRequest,
  ): Promise<CreateWebRtcTransportResponse> {
    const max = this.settings.tsfuMaxTransports ?? LIMIT_DEFAULTS.maxTransports;
    if (this.transports.size + this.transportsStarting >= max) {
      this.counters.transportsRejected++;
      throw new Error(`too many transports in this worker [tsfuMaxTransports:${max}]`);
    }
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
    const router = this.getRouter(req.routerId);
    let sockets: ListenSocket[];
    let ownSocketIndices: number[] = [];
    let server: WorkerWebRtcServer | undefined;
    if (req.webRtcServerId !== undefined) {
      server = this.servers.get(req.webRtcServerId);
      if (!server) throw new Error(`WebRtcServer not found [webRtcServerId:${req.webRtcServerId}]`);
      sockets = server.sockets.filter((s) => (s.protocol === 'udp' ? req.enableUdp : req.enableTcp));
    } else {
      const infos = (req.listenInfos ?? []).filter((i) =>
        i.protocol === 'udp' ? req.enableUdp : req.enableTcp,
      );
      sockets = await this.listen(infos, false);
      ownSocketIndices = sockets.map((s) => s.index);
    }
    if (sockets.length === 0) throw new TypeError('no listen sockets for the enabled protocols');
    const candidates = hostCandidates(
      sockets.map((s) => ({
        protocol: s.protocol,
        ip: s.ip,
        announcedAddress: s.announcedAddress,
        port: s.port,
      })),
      { preferUdp: req.preferUdp, preferTcp: req.preferTcp },
    );
    const transport = new WorkerWebRtcTransport({
      id: req.transportId,
      link: this.link,
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
      notify: this.notifyMain,
    });
    transport.onTupleBound = this.onTupleBound;
    transport.onTupleUnbound = this.onTupleUnbound;
    const ufrag = transport.iceParameters.usernameFragment;
    await this.link.registerUfrag(ufrag);
    this.byUfrag.set(ufrag, transport);
    const origRestart = transport.restartIce.bind(transport);
    transport.restartIce = async () => {
      const old = transport.iceParameters.usernameFragment;
      const params = await origRestart();
      this.byUfrag.delete(old);
      this.byUfrag.set(params.usernameFragment, transport);
      return params;
    };
    this.transports.set(transport.id, transport);
    router.transports.set(transport.id, transport);
    server?.transports.add(transport);
    return {
      iceParameters: transport.iceParameters,
      iceCandidates: candidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  private closeTransport(transport: WorkerWebRtcTransport): void {
    this.media.closeTransport(transport);
    this.byUfrag.delete(transport.iceParameters.usernameFragment);
    for (const id of transport.boundTupleIds) this.byTupleId.delete(id);
    transport.close();
    this.transports.delete(transport.id);
    for (const r of this.routers.values()) r.transports.delete(transport.id);
    for (const s of this.servers.values()) s.transports.delete(transport);
  }

  private closeAll(): void {
    clearInterval(this.mediaTimer);
    this.parked.clear();
    for (const t of this.transports.values()) this.closeTransport(t);
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
  settingsLogger.debugTag('info', `PrintConfiguration() |   rtcMinPort: ${settings.rtcMinPort ?? 10000}`);
  settingsLogger.debugTag('info', `PrintConfiguration() |   rtcMaxPort: ${settings.rtcMaxPort ?? 59999}`);
  if (settings.dtlsCertificateFile) {
    const { dtlsCertificateFile, dtlsPrivateKeyFile } = settings;
    settingsLogger.debugTag('info', `PrintConfiguration() |   dtlsCertificateFile: ${dtlsCertificateFile}`);
    settingsLogger.debugTag('info', `PrintConfiguration() |   dtlsPrivateKeyFile: ${dtlsPrivateKeyFile}`);
  }
  settingsLogger.debugTag('info', 'PrintConfiguration() | </configuration>');
}

function transportTuples(transport: WorkerWebRtcTransport, tupleId: number): LinkTuple[] {
  return transport.tuplesWithId(tupleId);
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

async function main(): Promise<void> {
  if (!parentPort) return;
  const channel = new Channel<WorkerEnd, MainEnd>(parentPort, {
    logger: new ThreadLogger('Channel'),
  });
  const { settings, io } = workerData as { settings: WorkerSettings; io: WorkerIoHandles };
  attachThreadLog((line) => channel.sendLog(line));
  setThreadLogSettings(settings);
  printConfiguration(settings);
  try {
    const certificate =
      settings.dtlsCertificateFile && settings.dtlsPrivateKeyFile
        ? DtlsCertificate.fromFiles(settings.dtlsCertificateFile, settings.dtlsPrivateKeyFile)
        : await DtlsCertificate.generate();
    new WorkerThread(channel, io, certificate, settings);
    channel.notify('@success', '');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`main() | failed to start: ${message}`);
    channel.notify('@failure', '', { message });
  }
}

void main();
