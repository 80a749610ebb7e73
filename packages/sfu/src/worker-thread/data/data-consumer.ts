/**
 * The worker side of a DataConsumer: its stream parameters (its own stream id
 * on its transport's association for 'sctp'), paused states, subchannels and
 * send counters.
 */
import type { ConsumeDataRequest, DataMessageFilter } from '../../protocol/worker-protocol.js';
import type { DataConsumerDump, DataConsumerStat, DataConsumerType } from '../../types/data-consumer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';

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
  paused: boolean;
  dataProducerPaused: boolean;
  subchannels: Set<number>;
  bufferedAmount = 0;
  bufferedAmountLowThreshold = DEFAULT_BUFFERED_AMOUNT_LOW_THRESHOLD;
  messagesSent = 0;
  bytesSent = 0;

  constructor(transportId: string, d: ConsumeDataRequest, dataProducerPaused: boolean) {
    this.id = d.dataConsumerId;
    this.transportId = transportId;
    this.dataProducerId = d.dataProducerId;
    this.type = d.type;
    this.sctpStreamParameters = d.sctpStreamParameters;
    this.label = d.label;
    this.protocol = d.protocol;
    this.paused = d.paused;
    this.dataProducerPaused = dataProducerPaused;
    this.subchannels = new Set(d.subchannels);
  }

  get active(): boolean {
    return !this.paused && !this.dataProducerPaused;
  }

  /**
   * mediasoup's subchannel filter: a message with a required subchannel reaches
   * only consumers subscribed to it; a message with subchannels reaches consumers
   * subscribed to at least one of them; a message with none reaches everyone;
   * consumers subscribed to an ignored subchannel are skipped.
   */
  accepts(m: DataMessageFilter): boolean {
    const { subchannels, requiredSubchannel, ignoredSubchannel } = m;
    if (requiredSubchannel !== undefined && !this.subchannels.has(requiredSubchannel)) return false;
    if (ignoredSubchannel !== undefined && this.subchannels.has(ignoredSubchannel)) return false;
    if (!subchannels || subchannels.length === 0) return true;
    for (const s of subchannels) if (this.subchannels.has(s)) return true;
    return false;
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
