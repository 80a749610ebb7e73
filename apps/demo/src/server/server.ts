/**
 * The demo server put together: workers (one WebRtcServer each, all on the
 * same ip:port), the room registry, the page over HTTP and the signalling
 * WebSocket on the same HTTP server. `startDemoServer` is what main.ts and
 * the tests call.
 */
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { delimiter, join, resolve as resolvePath } from 'node:path';
import { DtlsCertificate } from '@tsfu/dtls';
import { createWorker, type TransportListenInfo, type WebRtcServer, type Worker } from '@tsfu/sfu';
import type { TurnServer } from '@tsfu/turn';
import { APP_DIR, bundleClient } from './client-bundle.js';
import { ClusterNode, type ClusterOptions } from './cluster/cluster-node.js';
import type { DemoConfig } from './config.js';
import { type EmbeddedTurn, startEmbeddedTurn } from './embedded-turn.js';
import { createHttpServer, type TlsFiles } from './http.js';
import { SfuMetrics } from './metrics/sfu-metrics.js';
import type { WorkerSlot } from './room.js';
import { RoomRegistry } from './rooms.js';
import { SignallingServer } from './signalling-server.js';

export interface DemoServer {
  readonly config: DemoConfig;
  /** `http://<host>:<port>/` as bound (the host is the listen address, or localhost for 0.0.0.0). */
  readonly url: string;
  /** The certificate HTTPS uses (PEM), when `config.https`: generated or read from `tlsCert`. */
  readonly tls?: TlsFiles;
  readonly httpPort: number;
  /** The shared WebRtcServer ports as bound. */
  readonly rtcPorts: { udp: number; tcp?: number };
  readonly registry: RoomRegistry;
  readonly signalling: SignallingServer;
  readonly workers: Worker[];
  /** `/metrics` (Prometheus text): the SFU's figures, collected when scraped. */
  readonly metrics: SfuMetrics;
  /** The embedded TURN server (`--turn`). */
  readonly turn?: TurnServer;
  /** Cluster mode (`--redis`): this node. */
  readonly cluster?: ClusterNode;
  /** Tells every page, closes rooms, workers and sockets. Idempotent. */
  close(reason?: string): Promise<void>;
}

export async function startDemoServer(
  config: DemoConfig,
  log: (line: string) => void = () => {},
  clusterTiming?: ClusterOptions['timing'],
): Promise<DemoServer> {
  const assets = Promise.all([
    bundleClient(),
    readFile(join(APP_DIR, 'src', 'client', 'index.html'), 'utf8'),
    readFile(join(APP_DIR, 'src', 'client', 'app.css'), 'utf8'),
  ]);
  assets.catch(() => {}); // awaited below; avoid an unhandled rejection while workers start
  const tls = config.https ? loadTls(config) : undefined;
  tls?.catch(() => {}); // awaited below too, where a failure is thrown to the caller

  const workers: Worker[] = [];
  const slots: WorkerSlot[] = [];
  let turn: EmbeddedTurn | undefined;
  // Every WebRtcServer reports the same (process-wide) I/O-thread counters.
  const metrics = new SfuMetrics({ ioCounters: () => slots[0].webRtcServer.getIoCounters() });
  try {
    let udpPort = config.rtcPort;
    let tcpPort = config.rtcPort;
    for (let i = 0; i < config.workers; i++) {
      const worker = await createWorker({ logLevel: 'warn', appData: { index: i } });
      workers.push(worker);
      metrics.track(worker, String(i));
      worker.on('died', (error) => log(`worker ${i} (pid ${worker.pid}) died: ${error.message}`));
      const listenInfos: TransportListenInfo[] = [
        {
          protocol: 'udp',
          ip: config.listenIp,
          announcedAddress: config.announcedIp,
          port: udpPort,
          tsfuLoopbackOnly: config.loopbackOnly,
          tsfuConnectedUdp: config.connectedUdp,
        },
      ];
      if (config.enableTcp) {
        listenInfos.push({ ...listenInfos[0], protocol: 'tcp', port: tcpPort });
      }
      // tsfu lets every worker's WebRtcServer share the same ip:port (one socket in the I/O thread).
      const webRtcServer: WebRtcServer = await worker.createWebRtcServer({ listenInfos });
      if (i === 0) {
        const dump = await webRtcServer.dump();
        udpPort = dump.udpSockets[0].port;
        tcpPort = dump.tcpServers[0]?.port ?? 0;
      }
      slots.push({ worker, webRtcServer, rooms: 0, peers: 0 });
    }
    turn = config.turn ? await startEmbeddedTurn(config) : undefined;
    const [bundle, html, css] = await assets;
    const ffmpeg = findExecutable(config.ffmpeg);
    if (!ffmpeg) log(`record: no ${config.ffmpeg} found, so rooms cannot be recorded (--ffmpeg)`);
    const registry = new RoomRegistry(slots, {
      recording: ffmpeg ? { ffmpeg, dir: resolvePath(config.recordDir) } : undefined,
      iceServersFor: turn?.iceServersFor,
      maxPeersPerRoom: config.maxPeersPerRoom,
      iceDisconnectTimeoutMs: config.iceDisconnectTimeoutMs,
      iceConsentTimeoutS: config.iceConsentTimeoutS,
      spreadAfterPeers: config.spreadAfterPeers,
      log,
    });
    const tlsFiles = await tls;
    const http = createHttpServer(
      { html, css, js: bundle.js, map: bundle.map },
      {
        stats: () => registry.stats(),
        metrics: async () => ({ type: metrics.contentType, body: await metrics.metrics() }),
        cluster: (roomId) => registry.cluster?.describe(roomId),
      },
      tlsFiles,
    );
    const signalling = new SignallingServer(http, registry, { maxMessageBytes: config.maxMessageBytes }, log);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.httpPort, config.httpIp, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const httpPort = (http.address() as AddressInfo).port;
    const host = config.httpIp === '0.0.0.0' || config.httpIp === '::' ? 'localhost' : config.httpIp;
    const scheme = tlsFiles ? 'https' : 'http';
    if (config.redis) {
      try {
        registry.cluster = await ClusterNode.start({
          redisUrl: config.redis,
          nodeId: config.nodeId ?? `${hostname().replace(/\W/g, '_')}_${httpPort}`.slice(-32),
          url: `${scheme}://${config.announcedIp}:${httpPort}/`,
          listenIp: config.listenIp,
          announcedIp: config.announcedIp,
          timing: clusterTiming,
          load: () => ({ peers: slots.reduce((n, s) => n + s.peers, 0), rooms: registry.rooms.size }),
          log,
        });
      } catch (error) {
        http.close();
        throw error;
      }
    }

    const statsTimer = setInterval(() => {
      if ([...registry.rooms.values()].some((r) => r.peers.size > 0)) {
        registry.stats().then(
          (s) => signalling.broadcastStats(s),
          (error: unknown) => log(`server stats failed: ${error instanceof Error ? error.message : error}`),
        );
      }
    }, config.statsIntervalMs);
    statsTimer.unref();

    let closing: Promise<void> | undefined;
    return {
      config,
      tls: tlsFiles,
      cluster: registry.cluster,
      url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${httpPort}/`,
      httpPort,
      rtcPorts: { udp: udpPort, tcp: config.enableTcp ? tcpPort : undefined },
      registry,
      signalling,
      workers,
      metrics,
      turn: turn?.server,
      close(reason = 'server shutting down') {
        closing ??= (async () => {
          clearInterval(statsTimer);
          await signalling.shutdown(reason);
          registry.closeAll(reason);
          await registry.cluster?.close();
          for (const w of workers) w.close();
          await turn?.server.close();
          http.closeAllConnections();
          await new Promise<void>((resolve) => http.close(() => resolve()));
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const w of workers) w.close();
    await turn?.server.close();
    throw error;
  }
}

/** The configured certificate files, or a fresh self-signed ECDSA certificate (browsers will ask to accept it). */
async function loadTls(config: DemoConfig): Promise<TlsFiles> {
  if (config.tlsCert && config.tlsKey) {
    const [cert, key] = await Promise.all([
      readFile(config.tlsCert, 'utf8'),
      readFile(config.tlsKey, 'utf8'),
    ]);
    return { cert, key };
  }
  const generated = await DtlsCertificate.generate();
  return { cert: generated.certificatePem, key: generated.privateKeyPem };
}

/** `name` if it is an executable path, else the first executable of that name on PATH; undefined if none. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return resolvePath(c);
    } catch {
      // not this one
    }
  }
  return undefined;
}
