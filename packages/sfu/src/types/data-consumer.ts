/** mediasoup 3.27's DataConsumer types. */
import type { AppData } from './app-data.js';
import type { SctpStreamParameters } from './sctp-parameters.js';

/** Options of `transport.consumeData()`. */
export type DataConsumerOptions<DataConsumerAppData extends AppData = AppData> = {
  /** The id of the DataProducer to consume. */
  dataProducerId: string;
  /**
   * Just for SCTP: whether messages must be delivered in order. Default: the
   * DataProducer's. If given false, it is unordered even if the DataProducer
   * is ordered.
   */
  ordered?: boolean;
  /** Just for SCTP: time (in ms) after which a message stops being retransmitted. Default: the DataProducer's. */
  maxPacketLifeTime?: number;
  /** Just for SCTP: maximum number of retransmissions of a message. Default: the DataProducer's. */
  maxRetransmits?: number;
  /** Whether the data consumer must start paused. Default false. */
  paused?: boolean;
  /**
   * Subchannels this data consumer initially subscribes to. Only used in a
   * DirectTransport's data consumers, with `dataProducer.send()` subchannels.
   */
  subchannels?: number[];
  /** Custom application data. */
  appData?: DataConsumerAppData;
};

/** DataConsumer type. */
export type DataConsumerType = 'sctp' | 'direct';

/** What `dataConsumer.dump()` returns. */
export type DataConsumerDump = {
  id: string;
  paused: boolean;
  dataProducerPaused: boolean;
  subchannels: number[];
  dataProducerId: string;
  type: DataConsumerType;
  sctpStreamParameters?: SctpStreamParameters;
  label: string;
  protocol: string;
  bufferedAmount: number;
  bufferedAmountLowThreshold: number;
};

/** One entry of `dataConsumer.getStats()`. */
export type DataConsumerStat = {
  type: string;
  timestamp: number;
  label: string;
  protocol: string;
  messagesSent: number;
  bytesSent: number;
  bufferedAmount: number;
};

/** Events a DataConsumer emits ('@'-prefixed ones are internal). */
export type DataConsumerEvents = {
  transportclose: [];
  dataproducerclose: [];
  dataproducerpause: [];
  dataproducerresume: [];
  message: [Buffer, number];
  sctpsendbufferfull: [];
  bufferedamountlow: [number];
  '@close': [];
  '@dataproducerclose': [];
};

/** Events of `dataConsumer.observer`. */
export type DataConsumerObserverEvents = {
  close: [];
  pause: [];
  resume: [];
};
