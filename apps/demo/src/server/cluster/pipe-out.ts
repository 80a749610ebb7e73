/**
 * The far end of `pipe-in.ts`: this node's producers sent to other nodes.
 * One PipeTransport per asking node (its `openPipe` replaces an older one),
 * one pipe consumer per producer asked for (`pipeProducer`), closed on
 * `unpipe`/`closePipe`, or when the asking node dies.
 */
import type { Consumer, PipeTransport, Router, SrtpParameters } from '@tsfu/sfu';
import type { ClusterContext } from './context.js';

interface OutPair {
  transport: PipeTransport;
  consumers: Map<string, Consumer>;
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
    for (const p of this.pairs.values()) n += p.consumers.size;
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
      appData: { roomId: this.roomId, to: from },
    });
    try {
      await transport.connect(far);
    } catch (error) {
      transport.close();
      throw error;
    }
    this.pairs.set(from, { transport, consumers: new Map() });
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

  unpipe(from: string, producerId: string): void {
    this.pairs.get(from)?.consumers.get(producerId)?.close();
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
