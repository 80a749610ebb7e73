/**
 * mediasoup's `router.pipeToRouter()`: a producer (or data producer) of one
 * router becomes a producer of another router of this process, through one
 * pair of connected PipeTransports per router pair (created on first use,
 * shared by later calls in either direction, closed together). The pipe
 * consumer's pause/resume/close go to the pipe producer, and closing the pipe
 * producer closes the pipe consumer. `keepId` (default) gives the pipe
 * producer the source's id, which fails when both routers share a worker.
 */
import { NotFoundError } from '../errors.js';
import { createPacketRingBuffer } from '../protocol/packet-ring.js';
import type { AppData } from '../types/app-data.js';
import type { PipeToRouterOptions } from '../types/pipe-transport.js';
import type { TransportListenInfo } from '../types/transport.js';
import type { Consumer } from './consumer.js';
import type { DataConsumer } from './data/data-consumer.js';
import type { DataProducer } from './data/data-producer.js';
import { Logger } from './logger.js';
import type { PipeTransport } from './pipe-transport.js';
import type { Producer } from './producer.js';

const logger = new Logger('Router');

/** The two ends of a router pair's pipe, by router id. */
export type PipeTransportPair = Record<string, PipeTransport>;

/** What `pipeToRouter` needs of a router (both ends). */
export interface PipeRouterEnd {
  readonly id: string;
  readonly closed: boolean;
  createPipeTransport(options: {
    listenInfo: TransportListenInfo;
    enableSctp: boolean;
    numSctpStreams: { OS: number; MIS: number };
    enableRtx: boolean;
    enableSrtp: boolean;
  }): Promise<PipeTransport>;
  /** @internal this router's pipe pairs, by the other router's id. */
  readonly pipePairs: Map<string, Promise<PipeTransportPair>>;
}

export type PipeToRouterResult = {
  pipeConsumer?: Consumer;
  pipeProducer?: Producer;
  pipeDataConsumer?: DataConsumer;
  pipeDataProducer?: DataProducer;
};

/** The listen info both pipe transports use (mediasoup's default: udp on 127.0.0.1). */
function pipeListenInfo(o: PipeToRouterOptions): TransportListenInfo {
  if (o.listenInfo && o.listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
  if (o.listenInfo) return o.listenInfo;
  if (typeof o.listenIp === 'string') return { protocol: 'udp', ip: o.listenIp };
  if (o.listenIp) return { protocol: 'udp', ip: o.listenIp.ip, announcedAddress: o.listenIp.announcedIp };
  return { protocol: 'udp', ip: '127.0.0.1' };
}

export async function pipeToRouter(
  from: PipeRouterEnd & {
    getProducer(id: string): Producer | undefined;
    getDataProducer(id: string): DataProducer | undefined;
  },
  options: PipeToRouterOptions,
): Promise<PipeToRouterResult> {
  const o = options ?? ({} as PipeToRouterOptions);
  const listenInfo = pipeListenInfo(o);
  const { producerId, dataProducerId, keepId = true } = o;
  const to = o.router as unknown as PipeRouterEnd;
  if (!producerId && !dataProducerId) throw new TypeError('missing producerId or dataProducerId');
  if (producerId && dataProducerId) throw new TypeError('just producerId or dataProducerId can be given');
  if (!to) throw new TypeError('Router not found');
  if (to === from) throw new TypeError('cannot use this Router as destination');
  if (to.closed) throw new NotFoundError(`Router closed [routerId:${to.id}]`);
  const producer = producerId ? from.getProducer(producerId) : undefined;
  if (producerId && !producer) throw new NotFoundError(`Producer with id "${producerId}" not found`);
  const dataProducer = dataProducerId ? from.getDataProducer(dataProducerId) : undefined;
  if (dataProducerId && !dataProducer) {
    throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
  }
  const pair = await pipePair(from, to, {
    listenInfo,
    enableSctp: o.enableSctp ?? true,
    numSctpStreams: o.numSctpStreams ?? { OS: 1024, MIS: 1024 },
    enableRtx: o.enableRtx ?? false,
    enableSrtp: o.enableSrtp ?? false,
    sharedMemory: o.tsfuSharedMemory === true,
  });
  const local = pair[from.id];
  const remote = pair[to.id];
  if (producer) return pipeProducer(producer, local, remote, keepId);
  return pipeDataProducer(dataProducer as DataProducer, local, remote, keepId);
}

/** The connected pipe transport pair of two routers, created once (either router may ask first). */
function pipePair(
  from: PipeRouterEnd,
  to: PipeRouterEnd,
  {
    sharedMemory,
    ...options
  }: Parameters<PipeRouterEnd['createPipeTransport']>[0] & { sharedMemory: boolean },
): Promise<PipeTransportPair> {
  const existing = from.pipePairs.get(to.id);
  if (existing) return existing;
  const promise = (async () => {
    let local: PipeTransport | undefined;
    let remote: PipeTransport | undefined;
    try {
      [local, remote] = await Promise.all([
        from.createPipeTransport(options),
        to.createPipeTransport(options),
      ]);
      const [l, r] = [local, remote];
      await Promise.all([
        l.connect({ ip: r.tuple.localAddress, port: r.tuple.localPort, srtpParameters: r.srtpParameters }),
        r.connect({ ip: l.tuple.localAddress, port: l.tuple.localPort, srtpParameters: l.srtpParameters }),
      ]);
      if (sharedMemory) {
        // One ring each way (4 MiB: ~2,800 full-size packets of headroom per direction).
        const toRemote = createPacketRingBuffer({ capacity: 4 << 20 });
        const toLocal = createPacketRingBuffer({ capacity: 4 << 20 });
        await Promise.all([l.attachRing(toRemote, toLocal), r.attachRing(toLocal, toRemote)]);
      }
      l.observer.on('close', () => {
        r.close();
        from.pipePairs.delete(to.id);
      });
      r.observer.on('close', () => {
        l.close();
        to.pipePairs.delete(from.id);
      });
      return { [from.id]: l, [to.id]: r };
    } catch (error) {
      logger.error(`pipeToRouter() | error creating PipeTransport pair: ${error}`);
      local?.close();
      remote?.close();
      from.pipePairs.delete(to.id);
      to.pipePairs.delete(from.id);
      throw error;
    }
  })();
  from.pipePairs.set(to.id, promise);
  to.pipePairs.set(from.id, promise);
  return promise;
}

async function pipeProducer(
  producer: Producer,
  local: PipeTransport,
  remote: PipeTransport,
  keepId: boolean,
): Promise<PipeToRouterResult> {
  let pipeConsumer: Consumer | undefined;
  let pipeProducer: Producer | undefined;
  try {
    pipeConsumer = await local.consume({ producerId: producer.id });
    pipeProducer = await remote.produce({
      id: keepId ? producer.id : undefined,
      kind: pipeConsumer.kind,
      rtpParameters: pipeConsumer.rtpParameters,
      paused: pipeConsumer.producerPaused,
      appData: producer.appData as AppData,
    });
    if (producer.closed) throw new Error('original Producer closed');
    const [c, p] = [pipeConsumer, pipeProducer];
    c.observer.on('close', () => p.close());
    c.observer.on('pause', () => void p.pause().catch(logger.catcher('pipe producer pause')));
    c.observer.on('resume', () => void p.resume().catch(logger.catcher('pipe producer resume')));
    p.observer.on('close', () => c.close());
    return { pipeConsumer, pipeProducer };
  } catch (error) {
    logger.error(`pipeToRouter() | error creating pipe Consumer/Producer pair: ${error}`);
    pipeConsumer?.close();
    pipeProducer?.close();
    throw error;
  }
}

async function pipeDataProducer(
  dataProducer: DataProducer,
  local: PipeTransport,
  remote: PipeTransport,
  keepId: boolean,
): Promise<PipeToRouterResult> {
  let pipeDataConsumer: DataConsumer | undefined;
  let pipeDataProducer: DataProducer | undefined;
  try {
    pipeDataConsumer = await local.consumeData({ dataProducerId: dataProducer.id });
    pipeDataProducer = await remote.produceData({
      id: keepId ? dataProducer.id : undefined,
      sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
      label: pipeDataConsumer.label,
      protocol: pipeDataConsumer.protocol,
      appData: dataProducer.appData as AppData,
    });
    if (dataProducer.closed) throw new Error('original DataProducer closed');
    const [c, p] = [pipeDataConsumer, pipeDataProducer];
    c.observer.on('close', () => p.close());
    p.observer.on('close', () => c.close());
    return { pipeDataConsumer, pipeDataProducer };
  } catch (error) {
    logger.error(`pipeToRouter() | error creating pipe DataConsumer/DataProducer pair: ${error}`);
    pipeDataConsumer?.close();
    pipeDataProducer?.close();
    throw error;
  }
}
