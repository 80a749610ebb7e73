/**
 * A transport's SCTP association (mediasoup's SctpAssociation): packets from
 * DTLS application data (WebRtcTransport) or plain UDP (PlainTransport) in,
 * messages on a data producer's stream id out to the router's data plane, and
 * data consumers' messages sent on their own stream ids. mediasoup-client
 * opens negotiated channels, so DCEP (PPID 50) is not needed and is dropped.
 */
import { SctpAssociation, type SctpState } from '@tsfu/sctp';
import type { DataMessage, NotifyMain } from '../../protocol/worker-protocol.js';
import type { SctpNegotiatedCapabilities, SctpParameters } from '../../types/sctp-parameters.js';
import type { DataConsumer } from './data-consumer.js';
import type { DataProducer } from './data-producer.js';
import { decodeSubchannels, MALFORMED } from './subchannels-codec.js';

const PPID_DCEP = 50;
const MAX_STREAMS = 65535;

export interface TransportSctpOwner {
  readonly id: string;
  readonly dataProducers: ReadonlyMap<string, DataProducer>;
  readonly dataConsumers: ReadonlyMap<string, DataConsumer>;
  /** A PipeTransport's association: messages may start with subchannel metadata (subchannels-codec.ts). */
  readonly isPipe: boolean;
  /** Hands a message its data producer received to the router's data plane. */
  onDataProducerMessage(dp: DataProducer, message: DataMessage): void;
}

export class TransportSctp {
  readonly association: SctpAssociation;
  private readonly owner: TransportSctpOwner;
  private readonly notify: NotifyMain;
  private stateValue: SctpState = 'new';
  /** Messages dropped: on a stream no data producer has, DCEP, or while not connected. */
  droppedMessages = 0;
  /** Pipe messages dropped because they start with the metadata token but their fields do not fit. */
  malformedSubchannelHeaders = 0;
  /** Messages to data consumers dropped because the send buffer was full (`sctpsendbufferfull`). */
  sendBufferFullDrops = 0;
  /** mediasoup's `sctpSendBufferSize`: bytes queued or unacknowledged on the association, at most. */
  private readonly sendBufferSize: number;

  constructor(
    owner: TransportSctpOwner,
    params: SctpParameters,
    send: (packet: Buffer) => void,
    notify: NotifyMain,
  ) {
    this.owner = owner;
    this.notify = notify;
    this.sendBufferSize = params.sendBufferSize;
    this.association = new SctpAssociation({
      send,
      localPort: params.port,
      remotePort: params.port,
      // mediasoup 3.27 announces the most streams SCTP allows (its SctpOptions); OS/MIS bound the ids it hands out.
      outboundStreams: MAX_STREAMS,
      inboundStreams: MAX_STREAMS,
      maxMessageSize: params.maxMessageSize,
      receiveWindow: Math.max(params.maxReceiverWindowBufferSize, params.maxMessageSize),
    });
    this.association.on('open', () => this.setState('connected'));
    this.association.on('close', (reason) => this.setState(reason === 'failure' ? 'failed' : 'closed'));
    this.association.on('message', (streamId, ppid, data) => this.onMessage(streamId, ppid, data));
    this.association.on('bufferedAmountLow', (streamId) => this.onBufferedAmountLow(streamId));
  }

  /** The stream counts both ends agreed on (once connected). */
  get negotiatedCapabilities(): SctpNegotiatedCapabilities | undefined {
    if (this.stateValue !== 'connected') return undefined;
    return {
      negotiatedMaxOutboundStreams: this.association.outboundStreamCount,
      negotiatedMaxInboundStreams: this.association.inboundStreamCount,
    };
  }

  get state(): SctpState {
    return this.stateValue;
  }

  /** The underlying transport connected (DTLS, or a PlainTransport's tuple): both sides send INIT. */
  connect(): void {
    if (this.stateValue !== 'new') return;
    this.setState('connecting');
    this.association.connect();
  }

  handle(packet: Buffer): void {
    if (this.stateValue === 'new') this.setState('connecting');
    this.association.handle(packet);
  }

  /**
   * Sends a data consumer's message; false (dropped) once the association
   * failed or closed. Before it is up the message waits in the send queue, as
   * in mediasoup 3.27's association: a pipe's first messages, sent right after
   * `pipeToRouter()`, are not lost to the handshake.
   */
  send(dc: DataConsumer, message: DataMessage): boolean {
    const p = dc.sctpStreamParameters;
    if (!p || this.stateValue === 'failed' || this.stateValue === 'closed') return false;
    // mediasoup: a message that does not fit in the send buffer is dropped and the consumer told, so a
    // peer that stops reading costs at most sctpSendBufferSize of memory.
    if (this.association.totalBufferedAmount + message.data.byteLength > this.sendBufferSize) {
      this.sendBufferFullDrops++;
      this.notify('dataConsumer.sctpsendbufferfull', dc.id);
      return false;
    }
    const options = {
      unordered: p.ordered === false,
      ...(p.maxRetransmits !== undefined ? { maxRetransmits: p.maxRetransmits } : {}),
      ...(p.maxPacketLifeTime !== undefined ? { maxPacketLifeTimeMs: p.maxPacketLifeTime } : {}),
    };
    try {
      this.association.sendMessage(p.streamId, message.ppid, message.data, options);
    } catch {
      // Too big for the peer, or the association went away: dropped, as mediasoup does.
      this.droppedMessages++;
      return false;
    }
    dc.bufferedAmount = this.association.unsentAmount(p.streamId);
    return true;
  }

  /** mediasoup's buffered amount: bytes of the consumer's stream not sent yet. */
  bufferedAmountOf(dc: DataConsumer): number {
    const id = dc.sctpStreamParameters?.streamId;
    return id === undefined ? 0 : this.association.unsentAmount(id);
  }

  setBufferedAmountLowThreshold(dc: DataConsumer): void {
    const id = dc.sctpStreamParameters?.streamId;
    if (id !== undefined) this.association.setBufferedAmountLowThreshold(id, dc.bufferedAmountLowThreshold);
  }

  /**
   * The data consumer closed: its outgoing stream is reset (RFC 6525), as
   * mediasoup does, so the peer's RTCDataChannel closes.
   */
  resetStream(dc: DataConsumer): void {
    const id = dc.sctpStreamParameters?.streamId;
    if (id === undefined || this.stateValue !== 'connected') return;
    this.association.resetStreams([id]);
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.association.abort();
    this.stateValue = 'closed';
  }

  private setState(state: SctpState): void {
    if (this.stateValue === state || this.stateValue === 'closed') return;
    this.stateValue = state;
    const negotiated = this.negotiatedCapabilities;
    this.notify('sctpstatechange', this.owner.id, {
      sctpState: state,
      ...(negotiated ? { negotiated } : {}),
    });
  }

  private onMessage(streamId: number, ppid: number, data: Buffer): void {
    if (ppid === PPID_DCEP) {
      this.droppedMessages++;
      return;
    }
    for (const dp of this.owner.dataProducers.values()) {
      if (dp.sctpStreamParameters?.streamId === streamId) {
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (!this.owner.isPipe) {
          this.owner.onDataProducerMessage(dp, { ppid, data: bytes });
          return;
        }
        const decoded = decodeSubchannels(bytes);
        if (decoded === MALFORMED) {
          this.malformedSubchannelHeaders++;
          this.droppedMessages++;
          return;
        }
        if (decoded === undefined) {
          this.owner.onDataProducerMessage(dp, { ppid, data: bytes });
          return;
        }
        const { payload, ...filter } = decoded;
        this.owner.onDataProducerMessage(dp, { ppid, data: payload, ...filter });
        return;
      }
    }
    this.droppedMessages++;
  }

  private onBufferedAmountLow(streamId: number): void {
    for (const dc of this.owner.dataConsumers.values()) {
      if (dc.sctpStreamParameters?.streamId !== streamId) continue;
      dc.bufferedAmount = this.association.unsentAmount(streamId);
      this.notify('dataConsumer.bufferedamountlow', dc.id, dc.bufferedAmount);
    }
  }
}
