/**
 * A room's producers from other nodes, piped into this node's router: one
 * PipeTransport (UDP, SRTP, RTX) per far node, created on first need, its
 * address and keys swapped by RPC; one pipe producer per far producer (same
 * id), kept while a local consumer uses it and closed (here and there) when
 * the last one goes. The far end is `pipe-out.ts`.
 */
import type { PipeTransport, Producer, Router, RtpParameters, SrtpParameters } from '@tsfu/sfu';
import type { ClusterContext } from './context.js';

interface PulledProducer {
  nodeId: string;
  producer: Promise<Producer>;
  users: number;
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
   * holds it until it calls the returned release (once its consumer closes).
   */
  async pull(producerId: string, nodeId: string): Promise<() => void> {
    let entry = this.producers.get(producerId);
    if (!entry) {
      const created: PulledProducer = { nodeId, users: 0, producer: this.create(producerId, nodeId) };
      entry = created;
      this.producers.set(producerId, created);
      created.producer.catch(() => {
        if (this.producers.get(producerId) === created) this.producers.delete(producerId);
      });
    }
    const held = entry;
    held.users++;
    try {
      await held.producer;
    } catch (error) {
      held.users--;
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.users === 0 && this.producers.get(producerId) === held) this.drop(producerId, held, true);
    };
  }

  /** The far producer closed: its pipe producer goes (and the local consumers with it). */
  producerClosed(producerId: string): void {
    const entry = this.producers.get(producerId);
    if (entry) this.drop(producerId, entry, false);
  }

  async setPaused(producerId: string, paused: boolean): Promise<void> {
    const producer = await this.producers.get(producerId)?.producer.catch(() => undefined);
    if (!producer || producer.closed) return;
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
    let transport = await this.pairTo(nodeId);
    let answer: Record<string, unknown>;
    try {
      answer = await this.ctx.rpc.call(nodeId, 'pipeProducer', { roomId: this.roomId, producerId });
    } catch (error) {
      // The far room closed and opened again since our pipe was made: make a new pipe, once.
      if (!/^no pipe from node/.test((error as Error).message)) throw error;
      this.closePair(nodeId, false);
      transport = await this.pairTo(nodeId);
      answer = await this.ctx.rpc.call(nodeId, 'pipeProducer', { roomId: this.roomId, producerId });
    }
    const producer = await transport.produce({
      id: producerId,
      kind: answer.kind as 'audio' | 'video',
      rtpParameters: answer.rtpParameters as RtpParameters,
      paused: answer.paused === true,
    });
    if (this.closed) producer.close();
    return producer;
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
