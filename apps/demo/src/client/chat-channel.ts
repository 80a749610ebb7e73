/**
 * The chat over data channels, with no DOM: this page's 'chat' DataProducer
 * (reliable, ordered) on the send transport, and one DataConsumer per other
 * peer's chat on the receive transport. Messages are plain text; who wrote
 * one is the peer whose DataProducer it came from.
 */
import type { DataConsumer, DataProducer, Transport } from 'mediasoup-client/types';
import type { DataProducerInfo } from '../signalling/protocol.js';
import type { SignalClient } from './signal-client.js';

/** Longest chat message, in characters (well under SCTP's max message size). */
export const MAX_CHAT_CHARS = 500;

export class ChatChannel {
  private producer: DataProducer | undefined;
  private readonly consumers = new Set<DataConsumer>();

  constructor(
    private readonly signal: SignalClient,
    private readonly onMessage: (peerId: string, text: string) => void,
  ) {}

  /** Opens this page's chat on the send transport. */
  async open(sendTransport: Transport): Promise<void> {
    sendTransport.on('producedata', ({ sctpStreamParameters, protocol }, callback, errback) => {
      this.signal
        .request('produceData', {
          transportId: sendTransport.id,
          sctpStreamParameters,
          label: 'chat',
          protocol: protocol ?? '',
        })
        .then(callback, errback);
    });
    this.producer = await sendTransport.produceData({ label: 'chat', ordered: true });
  }

  /** Consumes another peer's chat on the receive transport. */
  async consume(recvTransport: Transport, info: DataProducerInfo): Promise<void> {
    const answer = await this.signal.request('consumeData', {
      transportId: recvTransport.id,
      dataProducerId: info.dataProducerId,
    });
    const consumer = await recvTransport.consumeData({
      id: answer.id,
      dataProducerId: answer.dataProducerId,
      sctpStreamParameters: answer.sctpStreamParameters,
      label: answer.label,
      protocol: answer.protocol,
    });
    this.consumers.add(consumer);
    consumer.on('message', (data: unknown) => {
      if (typeof data === 'string') this.onMessage(answer.peerId, data.slice(0, MAX_CHAT_CHARS));
    });
    // The writer left: the SFU resets the stream and the channel closes.
    consumer.on('close', () => this.consumers.delete(consumer));
  }

  /** Sends a message to everyone else; false when the chat is not open (yet). */
  send(text: string): boolean {
    const p = this.producer;
    if (!p || p.closed || p.readyState !== 'open') return false;
    p.send(text.slice(0, MAX_CHAT_CHARS));
    return true;
  }

  close(): void {
    this.producer?.close();
    for (const c of this.consumers) c.close();
    this.consumers.clear();
  }
}
