/**
 * The SFU side of the browser scenarios: tsfu workers, one WebRtcServer per
 * worker on one shared loopback-only UDP port, and the signalling handlers a
 * mediasoup server app has (router capabilities, transports, produce,
 * consume). Pages are assigned a worker/router by name.
 */
import {
  type Consumer,
  createWorker,
  type DataConsumer,
  type DataProducer,
  type Producer,
  type Router,
  type RtpCapabilities,
  type RtpParameters,
  type SctpStreamParameters,
  type WebRtcServer,
  type WebRtcTransport,
  type Worker,
} from '@tsfu/sfu';
import type {
  RtpCapabilities as ClientRtpCapabilities,
  RtpParameters as ClientRtpParameters,
} from 'mediasoup-client/types';
import { E2eSession } from './harness/index.js';
import { MEDIA_CODECS } from './media-codecs.js';
import type { TransportInfo } from './pages/capabilities-schema.js';
import type { SfuSchema } from './pages/sfu-schema.js';

export interface SfuRoom {
  session: E2eSession<SfuSchema>;
  workers: Worker[];
  servers: WebRtcServer[];
  routers: Router[];
  /** Every transport, by id, with the page that created it. */
  transports: Map<string, { transport: WebRtcTransport; peer: string; direction: 'send' | 'recv' }>;
  producers: Map<string, Producer>;
  consumers: Map<string, Consumer>;
  dataProducers: Map<string, DataProducer>;
  dataConsumers: Map<string, DataConsumer>;
  close(): Promise<void>;
}

/**
 * Starts `workerCount` workers (each with a WebRtcServer on the same
 * 127.0.0.1 UDP port, loopback sources only) and one router per worker.
 * `routerOf(peerName)` picks a page's router index (default 0).
 */
export async function startSfuRoom(
  opts: {
    workerCount?: number;
    routerOf?: (peer: string) => number;
    /** Listen with tsfu's `tsfuConnectedUdp` (workers open connected sockets for validated tuples). */
    connectedUdp?: boolean;
    /** Pages speaking `SfuSchema` (default `pages/sfu.ts`). */
    pages?: readonly string[];
    /** Chromium flags added to the harness's. */
    browserArgs?: readonly string[];
    /** `enableSctp` on every transport (data channels); with `sctpSendBufferSize` when given. */
    enableSctp?: boolean;
    sctpSendBufferSize?: number;
    /** `iceServers`/`iceTransportPolicy` handed to a page's transports (TURN tests). */
    iceOptionsOf?: (peer: string) => Pick<TransportInfo, 'iceServers' | 'iceTransportPolicy'>;
    /** Another Chromium launcher (e.g. one that runs it in a network namespace). */
    browserExecutablePath?: string;
    /** Listen on this address instead of 127.0.0.1 (loopback-only then off). */
    listenIp?: string;
  } = {},
): Promise<SfuRoom> {
  const workers: Worker[] = [];
  const servers: WebRtcServer[] = [];
  const routers: Router[] = [];
  const transports: SfuRoom['transports'] = new Map();
  const producers = new Map<string, Producer>();
  const consumers = new Map<string, Consumer>();
  const dataProducers = new Map<string, DataProducer>();
  const dataConsumers = new Map<string, DataConsumer>();
  let session: E2eSession<SfuSchema> | undefined;
  const close = async () => {
    await session?.close();
    for (const w of workers) w.close();
  };
  try {
    let port = 0;
    for (let i = 0; i < (opts.workerCount ?? 1); i++) {
      const worker = await createWorker({ logLevel: 'warn' });
      workers.push(worker);
      const server = await worker.createWebRtcServer({
        listenInfos: [
          {
            protocol: 'udp',
            ip: opts.listenIp ?? '127.0.0.1',
            port,
            tsfuLoopbackOnly: opts.listenIp === undefined,
            tsfuConnectedUdp: opts.connectedUdp === true,
          },
        ],
      });
      servers.push(server);
      port = (await server.dump()).udpSockets[0].port;
      routers.push(await worker.createRouter({ mediaCodecs: MEDIA_CODECS }));
    }
    session = await E2eSession.start<SfuSchema>({
      pages: opts.pages ?? ['pages/sfu.ts'],
      browser: { extraArgs: opts.browserArgs, executablePath: opts.browserExecutablePath },
    });
    const routerFor = (peer: string) => routers[opts.routerOf?.(peer) ?? 0];
    const s = session;
    s.server.handle(
      'getRouterRtpCapabilities',
      (_req, peer) => routerFor(peer.name).rtpCapabilities as ClientRtpCapabilities,
    );
    s.server.handle('createWebRtcTransport', async ({ direction }, peer) => {
      const idx = opts.routerOf?.(peer.name) ?? 0;
      const transport = await routers[idx].createWebRtcTransport({
        webRtcServer: servers[idx],
        ...(opts.enableSctp ? { enableSctp: true } : {}),
        ...(opts.sctpSendBufferSize !== undefined ? { sctpSendBufferSize: opts.sctpSendBufferSize } : {}),
      });
      transports.set(transport.id, { transport, peer: peer.name, direction });
      return {
        id: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates,
        dtlsParameters: transport.dtlsParameters as never,
        ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
        ...opts.iceOptionsOf?.(peer.name),
      };
    });
    s.server.handle('connectWebRtcTransport', async ({ transportId, dtlsParameters }) => {
      await transports.get(transportId)!.transport.connect({ dtlsParameters: dtlsParameters as never });
      return null;
    });
    s.server.handle('produce', async ({ transportId, kind, rtpParameters }) => {
      const producer = await transports
        .get(transportId)!
        .transport.produce({ kind, rtpParameters: rtpParameters as RtpParameters });
      producers.set(producer.id, producer);
      return { id: producer.id };
    });
    s.server.handle('consume', async ({ transportId, producerId, rtpCapabilities }) => {
      const consumer = await transports.get(transportId)!.transport.consume({
        producerId,
        rtpCapabilities: rtpCapabilities as RtpCapabilities,
      });
      consumers.set(consumer.id, consumer);
      return {
        id: consumer.id,
        producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as ClientRtpParameters,
      };
    });
    s.server.handle('produceData', async ({ transportId, sctpStreamParameters, label, protocol }) => {
      const dataProducer = await transports.get(transportId)!.transport.produceData({
        sctpStreamParameters: sctpStreamParameters as SctpStreamParameters,
        label,
        protocol,
      });
      dataProducers.set(dataProducer.id, dataProducer);
      return { id: dataProducer.id };
    });
    s.server.handle('consumeData', async ({ transportId, dataProducerId, subchannels }) => {
      const dataConsumer = await transports
        .get(transportId)!
        .transport.consumeData({ dataProducerId, ...(subchannels ? { subchannels } : {}) });
      dataConsumers.set(dataConsumer.id, dataConsumer);
      return {
        id: dataConsumer.id,
        dataProducerId,
        sctpStreamParameters: dataConsumer.sctpStreamParameters!,
        label: dataConsumer.label,
        protocol: dataConsumer.protocol,
      };
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    session,
    workers,
    servers,
    routers,
    transports,
    producers,
    consumers,
    dataProducers,
    dataConsumers,
    close,
  };
}
