/**
 * The far end of `pipe-in.ts`: this node's producers sent to other nodes.
 * One PipeTransport per asking node (its `openPipe` replaces an older one),
 * one pipe consumer per producer asked for (`pipeProducer`) and one data
 * consumer per data producer (`pipeDataProducer`, over the pair's SCTP),
 * closed on `unpipe`/`closePipe`, or when the asking node dies.
 */
import type { Consumer, DataConsumer, PipeTransport, Router, SrtpParameters } from '@tsfu/sfu';
import type { ClusterContext } from './context.js';

interface OutPair {
  transport: PipeTransport;
  consumers: Map<string, Consumer>;
  dataConsumers: Map<string, DataConsumer>;
}

export class PipeOut {
  private readonly pairs = new Map<string, OutPair>();

  constructor(
    private readonly roomId: string,
    private readonly router: Router,
    private readonly ctx: ClusterContext,
  ) {}

  get size(): number {
    let n = 0;
    for (const p of this.pairs.values()) n += p.consumers.size + p.dataConsumers.size;
    return n;
  }

  async open(
    from: string,
    far: { ip: string; port: number; srtpParameters: SrtpParameters },
  ): Promise<{ ip: string; port: number; srtpParameters: SrtpParameters | undefined }> {
    this.closePair(from);
    const transport = await this.router.createPipeTransport({
      listenInfo: this.ctx.pipeListenInfo,
      enableRtx: true,
      enableSrtp: true,
      enableSctp: true,
      appData: { roomId: this.roomId, to: from },
    });
    try {
      await transport.connect(far);
    } catch (error) {
      transport.close();
      throw error;
    }
    this.pairs.set(from, { transport, consumers: new Map(), dataConsumers: new Map() });
    return {
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
      srtpParameters: transport.srtpParameters,
    };
  }

  async consume(from: string, producerId: string): Promise<Record<string, unknown>> {
    const pair = this.pairs.get(from);
    if (!pair) throw new Error(`no pipe from node ${from} in room ${this.roomId}`);
    const old = pair.consumers.get(producerId);
    if (old && !old.closed) {
      return { kind: old.kind, rtpParameters: old.rtpParameters, paused: old.producerPaused };
    }
    const consumer = await pair.transport.consume({ producerId });
    pair.consumers.set(producerId, consumer);
    consumer.observer.once('close', () => {
      if (pair.consumers.get(producerId) === consumer) pair.consumers.delete(producerId);
    });
    return { kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused };
  }

  async consumeData(from: string, dataProducerId: string): Promise<Record<string, unknown>> {
    const pair = this.pairs.get(from);
    if (!pair) throw new Error(`no pipe from node ${from} in room ${this.roomId}`);
    const old = pair.dataConsumers.get(dataProducerId);
    const dataConsumer = old && !old.closed ? old : await pair.transport.consumeData({ dataProducerId });
    if (dataConsumer !== old) {
      pair.dataConsumers.set(dataProducerId, dataConsumer);
      dataConsumer.observer.once('close', () => {
        if (pair.dataConsumers.get(dataProducerId) === dataConsumer)
          pair.dataConsumers.delete(dataProducerId);
      });
    }
    return {
      sctpStreamParameters: dataConsumer.sctpStreamParameters,
      label: dataConsumer.label,
      protocol: dataConsumer.protocol,
    };
  }

  /** The asking node needs this producer (or data producer) no more. */
  /** The open pipe transports (one per asking node). */
  transports(): PipeTransport[] {
    return [...this.pairs.values()].map((p) => p.transport);
  }

  unpipe(from: string, producerId: string): void {
    const pair = this.pairs.get(from);
    pair?.consumers.get(producerId)?.close();
    pair?.dataConsumers.get(producerId)?.close();
  }

  closePair(from: string): void {
    const pair = this.pairs.get(from);
    if (!pair) return;
    this.pairs.delete(from);
    pair.transport.close();
  }

  close(): void {
    for (const from of [...this.pairs.keys()]) this.closePair(from);
  }
}
