/**
 * The control protocol between the main thread and a worker thread: one
 * table of the requests the worker serves (method → request, response) and
 * one of the notifications each side hears. `Worker`, `Router`,
 * `WebRtcServer`, `WebRtcTransport`, `Producer` and `Consumer` (main thread)
 * send these; `worker-thread/worker-thread.ts` serves them with one handler
 * per method (`RequestHandlers<WorkerMethods>`).
 */

import type { ThreadHeapForTesting } from '../heap-for-testing.js';
import type { RtpCodecsEncodingsMapping } from '../ortc/ortc.js';
import type {
  ConsumerDump,
  ConsumerLayers,
  ConsumerScore,
  ConsumerStat,
  ConsumerTraceEventData,
  ConsumerTraceEventType,
} from '../types/consumer.js';
import type { DataConsumerDump, DataConsumerStat, DataConsumerType } from '../types/data-consumer.js';
import type { DataProducerDump, DataProducerStat, DataProducerType } from '../types/data-producer.js';
import type { DirectTransportDump, DirectTransportStatWithCounters } from '../types/direct-transport.js';
import type {
  PipeTransportDump,
  PipeTransportState,
  PipeTransportStatWithCounters,
} from '../types/pipe-transport.js';
import type {
  PlainTransportDump,
  PlainTransportState,
  PlainTransportStatWithCounters,
} from '../types/plain-transport.js';
import type {
  ProducerDump,
  ProducerScore,
  ProducerStat,
  ProducerTraceEventData,
  ProducerTraceEventType,
  ProducerType,
  ProducerVideoOrientation,
} from '../types/producer.js';
import type { RouterDump } from '../types/router.js';
import type { MediaKind, RtpEncodingParameters, RtpParameters } from '../types/rtp-parameters.js';
import type {
  SctpNegotiatedCapabilities,
  SctpParameters,
  SctpStreamParameters,
} from '../types/sctp-parameters.js';
import type { SrtpCryptoSuite, SrtpParameters } from '../types/srtp-parameters.js';
import type {
  SctpState,
  TransportListenInfo,
  TransportTraceEventData,
  TransportTraceEventType,
  TransportTuple,
} from '../types/transport.js';
import type { WebRtcServerDump } from '../types/webrtc-server.js';
import type {
  DtlsParameters,
  DtlsState,
  IceCandidate,
  IceParameters,
  IceState,
  WebRtcTransportDump,
  WebRtcTransportStatWithCounters,
} from '../types/webrtc-transport.js';
import type {
  WorkerDump,
  WorkerResourceUsage,
  WorkerSettings,
  WorkerThreadStats,
  WorkerUpdateableSettings,
} from '../types/worker.js';
import type { DataArg, Method } from './channel.js';
import type { WorkerIoHandles } from './io-protocol.js';
import type { RtpObserverMethods, RtpObserverNotifications } from './rtp-observer-protocol.js';

/** A DTLS certificate and its private key, PEM-encoded. */
export interface CertificatePems {
  certificatePem: string;
  privateKeyPem: string;
}

/** What a worker thread gets in `workerData`. */
export interface WorkerThreadData {
  settings: WorkerSettings;
  io: WorkerIoHandles;
  /** The process's shared generated certificate, when the settings name no certificate files. */
  certificate?: CertificatePems;
}

/** What `Router.createWebRtcTransport` sends (options already validated and defaulted on the main thread). */
export interface CreateWebRtcTransportRequest {
  routerId: string;
  transportId: string;
  webRtcServerId?: string;
  listenInfos?: TransportListenInfo[];
  enableUdp: boolean;
  enableTcp: boolean;
  preferUdp: boolean;
  preferTcp: boolean;
  iceConsentTimeout: number;
  initialAvailableOutgoingBitrate: number;
  sctpParameters?: SctpParameters;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
}

/** What `Router.createDirectTransport` sends. */
export interface CreateDirectTransportRequest {
  routerId: string;
  transportId: string;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
}

/** What `Router.createPlainTransport` sends (options already validated and defaulted). */
export interface CreatePlainTransportRequest {
  routerId: string;
  transportId: string;
  listenInfo: TransportListenInfo;
  rtcpListenInfo?: TransportListenInfo;
  rtcpMux: boolean;
  comedia: boolean;
  enableSrtp: boolean;
  srtpCryptoSuite: SrtpCryptoSuite;
  sctpParameters?: SctpParameters;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
}

/** What `Router.createPipeTransport` sends (options already validated and defaulted). */
export interface CreatePipeTransportRequest {
  routerId: string;
  transportId: string;
  listenInfo: TransportListenInfo;
  enableRtx: boolean;
  enableSrtp: boolean;
  sctpParameters?: SctpParameters;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
}

/** What `plainTransport.connect()` (and a PipeTransport's) sends (validated on the main thread). */
export interface PlainConnectRequest {
  transportId: string;
  ip?: string;
  port?: number;
  rtcpPort?: number;
  srtpParameters?: SrtpParameters;
}

/** What the worker answers to `router.createWebRtcTransport`. */
export interface CreateWebRtcTransportResponse {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface ProduceRequest {
  transportId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  rtpMapping: RtpCodecsEncodingsMapping;
  paused: boolean;
  keyFrameRequestDelay?: number;
}

export interface ProduceDataRequest {
  transportId: string;
  dataProducerId: string;
  type: DataProducerType;
  sctpStreamParameters?: SctpStreamParameters;
  label: string;
  protocol: string;
  paused: boolean;
}

export interface ConsumeDataRequest {
  transportId: string;
  dataConsumerId: string;
  dataProducerId: string;
  type: DataConsumerType;
  sctpStreamParameters?: SctpStreamParameters;
  label: string;
  protocol: string;
  paused: boolean;
  subchannels: number[];
}

/** Which data consumers a message goes to (mediasoup's subchannel filter). */
export interface DataMessageFilter {
  subchannels?: number[];
  requiredSubchannel?: number;
  ignoredSubchannel?: number;
}

/** One data message (`dataProducer.send()`, or toward a direct data consumer). */
export interface DataMessage extends DataMessageFilter {
  ppid: number;
  data: Uint8Array;
}

export interface ConsumeRequest {
  transportId: string;
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused: boolean;
  preferredLayers?: ConsumerLayers;
  ignoreDtx: boolean;
  /** A pipe consumer (mediasoup: hard-coded score 10, no layers). */
  pipe: boolean;
  /** The producer's consumable encodings (the consumer's `dump()` reports them). */
  consumableRtpEncodings: RtpEncodingParameters[];
}

export interface ConsumeResponse {
  paused: boolean;
  producerPaused: boolean;
  score: ConsumerScore;
  preferredLayers: ConsumerLayers | null;
}

type Ids = {
  webRtcServer: { webRtcServerId: string };
  router: { routerId: string };
  transport: { transportId: string };
  producer: { producerId: string };
  consumer: { consumerId: string };
  dataProducer: { dataProducerId: string };
  dataConsumer: { dataConsumerId: string };
};

/** The requests a worker thread serves. */
export type WorkerMethods = {
  'worker.dump': Method<undefined, WorkerDump>;
  'worker.getResourceUsage': Method<undefined, WorkerResourceUsage>;
  'worker.tsfuGetThreadStats': Method<{ collectGarbage?: boolean } | undefined, WorkerThreadStats>;
  'worker.updateSettings': Method<WorkerUpdateableSettings>;
  /** Test-only: the thread throws an uncaught error, as a crash would. */
  'worker.crashForTesting': Method<undefined>;
  /** Test-only: the thread's used heap, after a full GC when `gc` is exposed. */
  'worker.heapForTesting': Method<undefined, ThreadHeapForTesting>;
  /** Closes everything (DTLS close_notify, tuples, sockets, in that order); answered once done. */
  'worker.close': Method<undefined>;
  'worker.createWebRtcServer': Method<Ids['webRtcServer'] & { listenInfos: TransportListenInfo[] }>;
  'worker.closeWebRtcServer': Method<Ids['webRtcServer']>;
  'webRtcServer.dump': Method<Ids['webRtcServer'], WebRtcServerDump>;
  'worker.createRouter': Method<Ids['router']>;
  'worker.closeRouter': Method<Ids['router']>;
  'router.dump': Method<Ids['router'], RouterDump>;
  'router.createWebRtcTransport': Method<CreateWebRtcTransportRequest, CreateWebRtcTransportResponse>;
  'router.createDirectTransport': Method<CreateDirectTransportRequest>;
  'router.createPlainTransport': Method<CreatePlainTransportRequest, PlainTransportState>;
  'router.createPipeTransport': Method<CreatePipeTransportRequest, PipeTransportState>;
  /** tsfu: RTP/RTCP of a pipe transport through these rings from now on (`pipeToRouter`'s shared memory). */
  'pipeTransport.tsfuAttachRing': Method<
    Ids['transport'] & { sendRing: SharedArrayBuffer; recvRing: SharedArrayBuffer }
  >;
  'router.closeTransport': Method<Ids['router'] & Ids['transport']>;
  /** Answers the DTLS role the transport takes (`client` or `server`). */
  'transport.connect': Method<
    Ids['transport'] & { dtlsParameters: DtlsParameters },
    { dtlsLocalRole: 'client' | 'server' }
  >;
  'plainTransport.connect': Method<PlainConnectRequest, PlainTransportState>;
  'transport.restartIce': Method<Ids['transport'], IceParameters>;
  'transport.getStats': Method<Ids['transport'], TransportStat[]>;
  'transport.dump': Method<Ids['transport'], TransportDump>;
  'transport.setMaxIncomingBitrate': Method<Ids['transport'] & { bitrate: number }>;
  'transport.setMaxOutgoingBitrate': Method<Ids['transport'] & { bitrate: number }>;
  'transport.setMinOutgoingBitrate': Method<Ids['transport'] & { bitrate: number }>;
  'transport.enableTraceEvent': Method<Ids['transport'] & { types: TransportTraceEventType[] }>;
  'transport.produce': Method<ProduceRequest, { type: ProducerType }>;
  'transport.consume': Method<ConsumeRequest, ConsumeResponse>;
  /** Test-only loss injection on the transport's outgoing media. */
  'transport.setDropOutgoingForTesting': Method<Ids['transport'] & { fraction: number }>;
  'transport.produceData': Method<ProduceDataRequest>;
  'dataProducer.close': Method<Ids['dataProducer']>;
  'dataProducer.pause': Method<Ids['dataProducer']>;
  'dataProducer.resume': Method<Ids['dataProducer']>;
  'dataProducer.getStats': Method<Ids['dataProducer'], DataProducerStat[]>;
  'dataProducer.dump': Method<Ids['dataProducer'], DataProducerDump>;
  'transport.consumeData': Method<ConsumeDataRequest, { dataProducerPaused: boolean }>;
  'dataConsumer.close': Method<Ids['dataConsumer']>;
  'dataConsumer.pause': Method<Ids['dataConsumer']>;
  'dataConsumer.resume': Method<Ids['dataConsumer']>;
  'dataConsumer.getStats': Method<Ids['dataConsumer'], DataConsumerStat[]>;
  'dataConsumer.dump': Method<Ids['dataConsumer'], DataConsumerDump>;
  'dataConsumer.setSubchannels': Method<Ids['dataConsumer'] & { subchannels: number[] }, number[]>;
  'dataConsumer.setBufferedAmountLowThreshold': Method<Ids['dataConsumer'] & { threshold: number }>;
  'dataConsumer.getBufferedAmount': Method<Ids['dataConsumer'], number>;
  'dataConsumer.send': Method<Ids['dataConsumer'] & { ppid: number; data: Uint8Array }, number>;
  'producer.close': Method<Ids['producer']>;
  'producer.pause': Method<Ids['producer']>;
  'producer.resume': Method<Ids['producer']>;
  'producer.getStats': Method<Ids['producer'], ProducerStat[]>;
  'producer.dump': Method<Ids['producer'], ProducerDump>;
  'producer.enableTraceEvent': Method<Ids['producer'] & { types: ProducerTraceEventType[] }>;
  'consumer.close': Method<Ids['consumer']>;
  'consumer.pause': Method<Ids['consumer']>;
  'consumer.resume': Method<Ids['consumer']>;
  'consumer.setPreferredLayers': Method<
    Ids['consumer'] & { preferredLayers: ConsumerLayers },
    ConsumerLayers | null
  >;
  'consumer.setPriority': Method<Ids['consumer'] & { priority: number }, number>;
  'consumer.requestKeyFrame': Method<Ids['consumer']>;
  'consumer.getStats': Method<Ids['consumer'], Array<ConsumerStat | ProducerStat>>;
  'consumer.dump': Method<Ids['consumer'], ConsumerDump>;
  'consumer.enableTraceEvent': Method<Ids['consumer'] & { types: ConsumerTraceEventType[] }>;
} & RtpObserverMethods;

/** What the worker thread tells the main thread, by target id (a transport, producer or consumer; '' for the worker). */
export type WorkerNotifications = {
  /** The thread started (`createWorker` resolves) or could not (it rejects with a TypeError). */
  '@success': { generatedCertificate?: CertificatePems };
  '@failure': { message: string };
  icestatechange: { iceState: IceState };
  iceselectedtuplechange: { iceSelectedTuple: TransportTuple };
  dtlsstatechange: { dtlsState: DtlsState; dtlsRemoteCert?: string };
  /** The transport's SCTP association changed state. */
  sctpstatechange: { sctpState: SctpState; negotiated?: SctpNegotiatedCapabilities };
  /** A PlainTransport learnt its remote RTP (or RTCP) tuple (comedia). */
  'plaintransport.tuple': TransportTuple;
  'plaintransport.rtcptuple': TransportTuple;
  'producer.score': ProducerScore[];
  'producer.videoorientationchange': ProducerVideoOrientation;
  'producer.trace': ProducerTraceEventData;
  /** A transport's `bwe` / `probation` trace event. */
  'transport.trace': TransportTraceEventData;
  'dataConsumer.dataproducerclose': undefined;
  'dataConsumer.dataproducerpause': undefined;
  'dataConsumer.dataproducerresume': undefined;
  /** A direct data consumer's message (its own copy). */
  'dataConsumer.message': { ppid: number; data: Uint8Array };
  'dataConsumer.bufferedamountlow': number;
  'dataConsumer.sctpsendbufferfull': undefined;
  'consumer.producerclose': undefined;
  'consumer.producerpause': undefined;
  'consumer.producerresume': undefined;
  'consumer.score': ConsumerScore;
  'consumer.layerschange': ConsumerLayers | null;
  'consumer.trace': ConsumerTraceEventData;
  /** A DirectTransport consumer's RTP packet (its own copy). */
  'consumer.rtp': Uint8Array;
  /** An RTCP compound packet a DirectTransport sends (its own copy). */
  'transport.rtcp': Uint8Array;
} & RtpObserverNotifications;

/** What the main thread tells a worker thread without an answer (packets of the DirectTransport API). */
export type MainNotifications = {
  /** `producer.send()`: one RTP packet for the producer with the target id. */
  'producer.send': Uint8Array;
  /** `dataProducer.send()`: one message for the data producer with the target id. */
  'dataProducer.send': DataMessage;
  /** `directTransport.sendRtcp()`: one RTCP packet into the transport with the target id. */
  'transport.sendRtcp': Uint8Array;
};

/** A transport's `getStats()` entry, whatever its kind. */
export type TransportStat =
  | WebRtcTransportStatWithCounters
  | DirectTransportStatWithCounters
  | PlainTransportStatWithCounters
  | PipeTransportStatWithCounters;
/** A transport's `dump()`, whatever its kind. */
export type TransportDump =
  | WebRtcTransportDump
  | DirectTransportDump
  | PlainTransportDump
  | PipeTransportDump;

/** The worker thread's end: it serves `WorkerMethods` and hears `MainNotifications`. */
export type WorkerEnd = { requests: WorkerMethods; notifications: MainNotifications };
/** The main thread's end: it serves nothing and hears `WorkerNotifications`. */
export type MainEnd = { requests: Record<never, never>; notifications: WorkerNotifications };

/** Sends one of `WorkerNotifications` to the main thread (what worker-side objects are given). */
export type NotifyMain = <E extends keyof WorkerNotifications & string>(
  event: E,
  targetId: string,
  ...data: DataArg<WorkerNotifications[E]>
) => void;
