/**
 * The worker side of a DataProducer: its stream parameters, paused state and
 * receive counters. Messages reach it from its transport's SCTP association
 * (type 'sctp') or from `dataProducer.send()` in the main thread (type 'direct').
 */
import type { ProduceDataRequest } from '../../protocol/worker-protocol.js';
import type { DataProducerDump, DataProducerStat, DataProducerType } from '../../types/data-producer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';

export class DataProducer {
  readonly id: string;
  readonly transportId: string;
  readonly type: DataProducerType;
  readonly sctpStreamParameters: SctpStreamParameters | undefined;
  readonly label: string;
  readonly protocol: string;
  paused: boolean;
  messagesReceived = 0;
  bytesReceived = 0;
  /** `dataProducer.send()` messages over the transport's maxReceiveMessageSize, dropped. */
  oversizeDrops = 0;

  constructor(transportId: string, d: ProduceDataRequest) {
    this.id = d.dataProducerId;
    this.transportId = transportId;
    this.type = d.type;
    this.sctpStreamParameters = d.sctpStreamParameters;
    this.label = d.label;
    this.protocol = d.protocol;
    this.paused = d.paused;
  }

  dump(): DataProducerDump {
    return {
      id: this.id,
      paused: this.paused,
      type: this.type,
      ...(this.sctpStreamParameters ? { sctpStreamParameters: { ...this.sctpStreamParameters } } : {}),
      label: this.label,
      protocol: this.protocol,
    };
  }

  getStats(): DataProducerStat[] {
    return [
      {
        type: 'data-producer',
        timestamp: Date.now(),
        label: this.label,
        protocol: this.protocol,
        messagesReceived: this.messagesReceived,
        bytesReceived: this.bytesReceived,
      },
    ];
  }
}
