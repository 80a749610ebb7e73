/** mediasoup 3.27's DataProducer types. */
import type { AppData } from './app-data.js';
import type { SctpStreamParameters } from './sctp-parameters.js';

/** Options of `transport.produceData()`. */
export type DataProducerOptions<DataProducerAppData extends AppData = AppData> = {
  /** DataProducer id (just for `router.pipeToRouter()`). */
  id?: string;
  /** SCTP parameters defining how the endpoint is sending the data. Just if messages are sent over SCTP. */
  sctpStreamParameters?: SctpStreamParameters;
  /** A label which can be used to distinguish this DataChannel from others. */
  label?: string;
  /** Name of the sub-protocol used by this DataChannel. */
  protocol?: string;
  /** Whether the data producer must start paused. Default false. */
  paused?: boolean;
  /** Custom application data. */
  appData?: DataProducerAppData;
};

/** DataProducer type. */
export type DataProducerType = 'sctp' | 'direct';

/** What `dataProducer.dump()` returns. */
export type DataProducerDump = {
  id: string;
  paused: boolean;
  type: DataProducerType;
  sctpStreamParameters?: SctpStreamParameters;
  label: string;
  protocol: string;
};

/** One entry of `dataProducer.getStats()`. */
export type DataProducerStat = {
  type: string;
  timestamp: number;
  label: string;
  protocol: string;
  messagesReceived: number;
  bytesReceived: number;
};

/** Events a DataProducer emits ('@'-prefixed ones are internal). */
export type DataProducerEvents = {
  transportclose: [];
  '@close': [];
};

/** Events of `dataProducer.observer`. */
export type DataProducerObserverEvents = {
  close: [];
  pause: [];
  resume: [];
};
