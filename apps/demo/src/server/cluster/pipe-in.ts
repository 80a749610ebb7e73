/**
 * A room's producers from other nodes, piped into this node's router: one
 * PipeTransport (UDP, SRTP, RTX; SCTP for data) per far node, created on
 * first need, its address and keys swapped by RPC; one pipe producer per far
 * producer or data producer (same id), kept while a local consumer uses it
 * and closed (here and there) when the last one goes. The far end is
 * `pipe-out.ts`.
 */
import type {
  DataProducer,
  PipeTransport,
  Producer,
  Router,
  RtpParameters,
  SctpStreamParameters,
  SrtpParameters,
} from '@tsfu/sfu';
import type { ClusterContext } from './context.js';

interface PulledProducer {
  nodeId: string;
  producer: Promise<Producer | DataProducer>;
  users: number;
}

/** A pulled producer and the caller's hold on it. */
export interface Pulled<T> {
  producer: T;
  /** Ends this hold (idempotent); the last one closes the pipe producer. */
  release: () => void;
}

export class PipeIn {
  private readonly pairs = new Map<string, Promise<PipeTransport>>();
  private readonly producers = new Map<string, PulledProducer>();
  private closed = false;

  constructor(
    private readonly roomId: string,
    private readonly router: Router,
    private readonly ctx: ClusterContext,
  ) {}

  /** Pipe producers open now (for the panel and the tests). */
  get size(): number {
    return this.producers.size;
  }

  /**
   * Makes `producerId` (on `nodeId`) a producer of this router; the caller
   * holds it until it calls the release (once its consumer closes).
   */
  pull(producerId: string, nodeId: string): Promise<Pulled<Producer>> {
    return this.hold(producerId, nodeId, () => this.create(producerId, nodeId)) as Promise<Pulled<Producer>>;
  }

  /** The same for a data producer (a page's chat): piped over the pair's SCTP association. */
  pullData(dataProducerId: string, nodeId: string): Promise<Pulled<DataProducer>> {
    return this.hold(dataProducerId, nodeId, () => this.createData(dataProducerId, nodeId)) as Promise<
      Pulled<DataProducer>
    >;
  }

  private async hold(
    producerId: string,
    nodeId: string,
    create: () => Promise<Producer | DataProducer>,
  ): Promise<Pulled<Producer | DataProducer>> {
    let entry = this.producers.get(producerId);
    if (!entry) {
      const created: PulledProducer = { nodeId, users: 0, producer: create() };
      entry = created;
      this.producers.set(producerId, created);
      created.producer.catch(() => {
        if (this.producers.get(producerId) === created) this.producers.delete(producerId);
      });
    }
    const held = entry;
    held.users++;
    let producer: Producer | DataProducer;
    try {
      producer = await held.producer;
    } catch (error) {
      held.users--;
      throw error;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--held.users === 0 && this.producers.get(producerId) === held) this.drop(producerId, held, true);
    };
    return { producer, release };
  }

  /** The open pipe transports (one per far node). */
  async transports(): Promise<PipeTransport[]> {
    const settled = await Promise.allSettled(this.pairs.values());
    return settled.flatMap((r) => (r.status === 'fulfilled' && !r.value.closed ? [r.value] : []));
  }

  /** The far producer closed: its pipe producer goes (and the local consumers with it). */
  producerClosed(producerId: string): void {
    const entry = this.producers.get(producerId);
    if (entry) this.drop(producerId, entry, false);
  }

  async setPaused(producerId: string, paused: boolean): Promise<void> {
    const producer = await this.producers.get(producerId)?.producer.catch(() => undefined);
    if (!producer || producer.closed || !('kind' in producer)) return;
    await (paused ? producer.pause() : producer.resume());
  }

  /** A node died: its pipe and everything that came through it close. */
  closeNode(nodeId: string): void {
    for (const [id, entry] of this.producers) if (entry.nodeId === nodeId) this.drop(id, entry, false);
    this.closePair(nodeId, false);
  }

  close(): void {
    this.closed = true;
    for (const nodeId of [...this.pairs.keys()]) this.closePair(nodeId, true);
    this.producers.clear();
  }

  private async create(producerId: string, nodeId: string): Promise<Producer> {
    const { transport, answer } = await this.ask(nodeId, 'pipeProducer', producerId);
    const producer = await transport.produce({
      id: producerId,
      kind: answer.kind as 'audio' | 'video',
      rtpParameters: answer.rtpParameters as RtpParameters,
      paused: answer.paused === true,
    });
    if (this.closed) producer.close();
    return producer;
  }

  private async createData(dataProducerId: string, nodeId: string): Promise<DataProducer> {
    const { transport, answer } = await this.ask(nodeId, 'pipeDataProducer', dataProducerId);
    const dataProducer = await transport.produceData({
      id: dataProducerId,
      sctpStreamParameters: answer.sctpStreamParameters as SctpStreamParameters,
      label: String(answer.label ?? ''),
      protocol: String(answer.protocol ?? ''),
    });
    if (this.closed) dataProducer.close();
    return dataProducer;
  }

  /** Asks the far node to send `producerId` down our pipe; its answer says what comes. */
  private async ask(
    nodeId: string,
    method: 'pipeProducer' | 'pipeDataProducer',
    producerId: string,
  ): Promise<{ transport: PipeTransport; answer: Record<string, unknown> }> {
    const transport = await this.pairTo(nodeId);
    try {
      return {
        transport,
        answer: await this.ctx.rpc.call(nodeId, method, { roomId: this.roomId, producerId }),
      };
    } catch (error) {
      // The far room closed and opened again since our pipe was made: make a new pipe, once.
      if (!/^no pipe from node/.test((error as Error).message)) throw error;
      this.closePair(nodeId, false);
      const again = await this.pairTo(nodeId);
      return {
        transport: again,
        answer: await this.ctx.rpc.call(nodeId, method, { roomId: this.roomId, producerId }),
      };
    }
  }

  private pairTo(nodeId: string): Promise<PipeTransport> {
    let pair = this.pairs.get(nodeId);
    if (!pair) {
      const created = this.connectPair(nodeId);
      pair = created;
      this.pairs.set(nodeId, created);
      created.catch(() => {
        if (this.pairs.get(nodeId) === created) this.pairs.delete(nodeId);
      });
    }
    return pair;
  }

  private async connectPair(nodeId: string): Promise<PipeTransport> {
    const transport = await this.router.createPipeTransport({
      listenInfo: this.ctx.pipeListenInfo,
      enableRtx: true,
      enableSrtp: true,
      enableSctp: true,
      appData: { roomId: this.roomId, from: nodeId },
    });
    try {
      const far = await this.ctx.rpc.call(nodeId, 'openPipe', {
        roomId: this.roomId,
        ip: transport.tuple.localAddress,
        port: transport.tuple.localPort,
        srtpParameters: transport.srtpParameters,
      });
      await transport.connect({
        ip: far.ip as string,
        port: far.port as number,
        srtpParameters: far.srtpParameters as SrtpParameters,
      });
    } catch (error) {
      transport.close();
      throw error;
    }
    this.ctx.log(`pipe  room=${this.roomId} from node=${nodeId} open`);
    return transport;
  }

  private drop(producerId: string, entry: PulledProducer, tellFar: boolean): void {
    this.producers.delete(producerId);
    entry.producer.then(
      (p) => p.close(),
      () => {},
    );
    if (tellFar) {
      this.ctx.rpc.call(entry.nodeId, 'unpipe', { roomId: this.roomId, producerId }).catch(() => {});
    }
    // Nobody consumes anything from that node any more: its pipe goes too.
    if (![...this.producers.values()].some((e) => e.nodeId === entry.nodeId)) {
      this.closePair(entry.nodeId, tellFar);
    }
  }

  private closePair(nodeId: string, tellFar: boolean): void {
    const pair = this.pairs.get(nodeId);
    if (!pair) return;
    this.pairs.delete(nodeId);
    pair.then(
      (t) => t.close(),
      () => {},
    );
    if (tellFar) this.ctx.rpc.call(nodeId, 'closePipe', { roomId: this.roomId }).catch(() => {});
    this.ctx.log(`pipe  room=${this.roomId} from node=${nodeId} closed`);
  }
}
