/**
 * A room's data channels: each peer may produce one 'chat' DataProducer on its
 * send transport; every other peer consumes it on its receive transport. The
 * messages go browser → SFU → browsers over SCTP; the server never reads them.
 */
import type { DataConsumer, DataProducer, SctpStreamParameters, WebRtcTransport } from '@tsfu/sfu';
import type { SctpStreamParameters as ClientSctpStreamParameters } from 'mediasoup-client/types';
import { type DataProducerInfo, type RequestResults, SignalError } from '../signalling/protocol.js';

/** What this needs of a peer (room.ts's Peer). */
export interface DataPeer {
  readonly id: string;
  readonly closed: boolean;
  notify(method: 'newDataProducer', data: DataProducerInfo): void;
}

export class RoomData {
  private readonly producers = new Map<string, { peer: DataPeer; dataProducer: DataProducer }>();
  private readonly consumers = new Map<DataPeer, Set<DataConsumer>>();

  get producerCount(): number {
    return this.producers.size;
  }

  /** A data producer of a peer on this node. */
  has(dataProducerId: string): boolean {
    return this.producers.has(dataProducerId);
  }

  infoOf(peer: DataPeer): DataProducerInfo[] {
    const out: DataProducerInfo[] = [];
    for (const { peer: owner, dataProducer } of this.producers.values()) {
      if (owner === peer)
        out.push({ peerId: peer.id, dataProducerId: dataProducer.id, label: dataProducer.label });
    }
    return out;
  }

  async produce(
    peer: DataPeer,
    transport: WebRtcTransport,
    data: { sctpStreamParameters: unknown; label: string; protocol?: string },
    others: Iterable<DataPeer>,
  ): Promise<RequestResults['produceData']> {
    if (this.infoOf(peer).some((d) => d.label === data.label))
      throw new SignalError('rejected', `already producing '${data.label}'`);
    const dataProducer = await transport.produceData({
      sctpStreamParameters: data.sctpStreamParameters as SctpStreamParameters,
      label: data.label,
      protocol: data.protocol ?? '',
    });
    if (peer.closed) {
      dataProducer.close();
      throw new SignalError('not-joined', 'peer left');
    }
    this.producers.set(dataProducer.id, { peer, dataProducer });
    const forget = () => this.producers.delete(dataProducer.id);
    dataProducer.on('transportclose', forget);
    const info = { peerId: peer.id, dataProducerId: dataProducer.id, label: dataProducer.label };
    for (const other of others) if (other !== peer) other.notify('newDataProducer', info);
    return { id: dataProducer.id };
  }

  async consume(
    peer: DataPeer,
    transport: WebRtcTransport,
    dataProducerId: string,
  ): Promise<RequestResults['consumeData']> {
    const owner = this.producers.get(dataProducerId);
    if (!owner) throw new SignalError('not-found', `no data producer ${dataProducerId} in this room`);
    if (owner.peer === peer) throw new SignalError('rejected', 'a peer does not consume itself');
    return this.consumeOn(peer, transport, dataProducerId, owner.peer.id);
  }

  /**
   * Consumes a far page's chat, piped into this router (cluster mode); the
   * hold on the pipe ends with the consumer.
   */
  async consumeFar(
    peer: DataPeer,
    transport: WebRtcTransport,
    ownerPeerId: string,
    pulled: { producer: DataProducer; release: () => void },
  ): Promise<RequestResults['consumeData']> {
    try {
      const result = await this.consumeOn(peer, transport, pulled.producer.id, ownerPeerId, pulled.release);
      return result;
    } catch (error) {
      pulled.release();
      throw error;
    }
  }

  private async consumeOn(
    peer: DataPeer,
    transport: WebRtcTransport,
    dataProducerId: string,
    ownerPeerId: string,
    release?: () => void,
  ): Promise<RequestResults['consumeData']> {
    const dataConsumer = await transport.consumeData({ dataProducerId });
    if (release) dataConsumer.observer.once('close', release);
    if (peer.closed) {
      dataConsumer.close();
      throw new SignalError('not-joined', 'peer left');
    }
    const mine = this.consumers.get(peer) ?? new Set<DataConsumer>();
    this.consumers.set(peer, mine);
    mine.add(dataConsumer);
    // The producer's peer left: the SFU closes this consumer and resets its SCTP stream, so the page's
    // DataConsumer closes by itself.
    const forget = () => mine.delete(dataConsumer);
    dataConsumer.on('dataproducerclose', forget);
    dataConsumer.on('transportclose', forget);
    return {
      id: dataConsumer.id,
      dataProducerId,
      peerId: ownerPeerId,
      sctpStreamParameters: dataConsumer.sctpStreamParameters as ClientSctpStreamParameters,
      label: dataConsumer.label,
      protocol: dataConsumer.protocol,
    };
  }

  /** The peer left (its transports are closed, which closed its data producers and consumers). */
  forget(peer: DataPeer): void {
    this.consumers.delete(peer);
    for (const [id, { peer: owner }] of this.producers) if (owner === peer) this.producers.delete(id);
  }
}
