/**
 * The worker side of a DataConsumer: its stream parameters (its own stream id
 * on its transport's association for 'sctp'), paused states, subchannels and
 * send counters.
 */
import type { ConsumeDataRequest, DataMessage, DataMessageFilter } from '../../protocol/worker-protocol.js';
import type { DataConsumerDump, DataConsumerStat, DataConsumerType } from '../../types/data-consumer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';
import { encodeSubchannels } from './subchannels-codec.js';

/** mediasoup's default per-stream buffered-amount-low threshold. */
const DEFAULT_BUFFERED_AMOUNT_LOW_THRESHOLD = 1024;

export class DataConsumer {
  readonly id: string;
  readonly transportId: string;
  readonly dataProducerId: string;
  readonly type: DataConsumerType;
  readonly sctpStreamParameters: SctpStreamParameters | undefined;
  readonly label: string;
  readonly protocol: string;
  /** On a PipeTransport: it forwards to the far router's data consumers, which apply the filter. */
  readonly pipe: boolean;
  paused: boolean;
  dataProducerPaused: boolean;
  subchannels: Set<number>;
  bufferedAmount = 0;
  bufferedAmountLowThreshold = DEFAULT_BUFFERED_AMOUNT_LOW_THRESHOLD;
  messagesSent = 0;
  bytesSent = 0;

  constructor(transportId: string, d: ConsumeDataRequest, dataProducerPaused: boolean, pipe = false) {
    this.id = d.dataConsumerId;
    this.transportId = transportId;
    this.dataProducerId = d.dataProducerId;
    this.type = d.type;
    this.sctpStreamParameters = d.sctpStreamParameters;
    this.label = d.label;
    this.protocol = d.protocol;
    this.pipe = pipe;
    this.paused = d.paused;
    this.dataProducerPaused = dataProducerPaused;
    this.subchannels = new Set(d.subchannels);
  }

  get active(): boolean {
    return !this.paused && !this.dataProducerPaused;
  }

  /**
   * mediasoup's subchannel filter (DataConsumer::VerifySubchannels): a message
   * with a required subchannel reaches only consumers subscribed to it; a
   * message with subchannels reaches consumers subscribed to at least one of
   * them; a message with none reaches everyone; consumers subscribed to an
   * ignored subchannel are skipped. A pipe consumer subscribed to nothing
   * passes everything, and never applies the ignored subchannel: the far
   * router's consumers do, or one subscriber here would cut off all of them.
   */
  accepts(m: DataMessageFilter): boolean {
    if (this.pipe && this.subchannels.size === 0) return true;
    const { subchannels, requiredSubchannel, ignoredSubchannel } = m;
    if (requiredSubchannel !== undefined && !this.subchannels.has(requiredSubchannel)) return false;
    if (!this.pipe && ignoredSubchannel !== undefined && this.subchannels.has(ignoredSubchannel))
      return false;
    if (!subchannels || subchannels.length === 0) return true;
    for (const s of subchannels) if (this.subchannels.has(s)) return true;
    return false;
  }

  /**
   * The message as this consumer sends it on its association: a pipe consumer
   * puts the metadata in front of the payload (subchannels-codec.ts), keeping
   * only the subchannels it is subscribed to, as mediasoup does, so the far
   * router does not deliver to subscribers of subchannels this pipe does not
   * carry. Any other consumer sends the message as it is.
   */
  wireMessage(m: DataMessage): DataMessage {
    if (!this.pipe) return m;
    const all = m.subchannels ?? [];
    const subchannels = this.subchannels.size === 0 ? all : all.filter((s) => this.subchannels.has(s));
    const data = encodeSubchannels(m.data, subchannels, m.requiredSubchannel, m.ignoredSubchannel);
    return data === m.data ? m : { ppid: m.ppid, data };
  }

  sortedSubchannels(): number[] {
    return [...this.subchannels].sort((a, b) => a - b);
  }

  dump(): DataConsumerDump {
    return {
      id: this.id,
      paused: this.paused,
      dataProducerPaused: this.dataProducerPaused,
      subchannels: this.sortedSubchannels(),
      dataProducerId: this.dataProducerId,
      type: this.type,
      ...(this.sctpStreamParameters ? { sctpStreamParameters: { ...this.sctpStreamParameters } } : {}),
      label: this.label,
      protocol: this.protocol,
      bufferedAmount: this.bufferedAmount,
      bufferedAmountLowThreshold: this.bufferedAmountLowThreshold,
    };
  }

  getStats(): DataConsumerStat[] {
    return [
      {
        type: 'data-consumer',
        timestamp: Date.now(),
        label: this.label,
        protocol: this.protocol,
        messagesSent: this.messagesSent,
        bytesSent: this.bytesSent,
        bufferedAmount: this.bufferedAmount,
      },
    ];
  }
}
