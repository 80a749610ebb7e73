/** mediasoup 3.27's PipeTransport types (router to router over UDP, optionally SRTP). */

import type { Router } from '../main-thread/router.js';
import type { AppData } from './app-data.js';
import type { PlainTransportCounters } from './plain-transport.js';
import type { SctpParameters } from './sctp-parameters.js';
import type { SrtpParameters } from './srtp-parameters.js';
import type {
  BaseTransportDump,
  BaseTransportStats,
  TransportListenInfo,
  TransportListenIp,
  TransportTuple,
} from './transport.js';

type PipeTransportListen =
  | { listenInfo: TransportListenInfo; listenIp?: never; port?: never }
  | { listenIp: TransportListenIp | string; port?: number; listenInfo?: never };

/** Options of `router.createPipeTransport()`. */
export type PipeTransportOptions<PipeTransportAppData extends AppData = AppData> = {
  /** SCTP for data producers/consumers over the pipe (default false). */
  enableSctp?: boolean;
  numSctpStreams?: { OS: number; MIS: number };
  /** Largest SCTP message (default 268435456, as mediasoup's pipe). */
  maxSctpMessageSize?: number;
  sctpSendBufferSize?: number;
  /** NACK + RTX across the pipe (default false). */
  enableRtx?: boolean;
  /** SRTP (AEAD_AES_256_GCM, as mediasoup) with the keys exchanged in `connect()` (default false). */
  enableSrtp?: boolean;
  appData?: PipeTransportAppData;
} & PipeTransportListen;

/** What `pipeTransport.dump()` returns. */
export type PipeTransportDump = BaseTransportDump & {
  tuple: TransportTuple;
  rtx: boolean;
  srtpParameters?: SrtpParameters;
};

/** What `pipeTransport.getStats()` returns (one entry, `type: 'pipe-transport'`). */
export type PipeTransportStat = BaseTransportStats & {
  type: string;
  tuple: TransportTuple;
};

/** Our counters of a pipe: a PlainTransport's, and its shared-memory path's when it has one. */
export type PipeTransportCounters = PlainTransportCounters & {
  sharedMemory?: { packetsSent: number; packetsReceived: number; sendsDropped: number };
};

export type PipeTransportStatWithCounters = PipeTransportStat & { tsfuCounters: PipeTransportCounters };

/** What the worker answers to `router.createPipeTransport` and the pipe's `connect`. */
export type PipeTransportState = {
  tuple: TransportTuple;
  srtpParameters?: SrtpParameters;
  sctpParameters?: SctpParameters;
};

/** Options of `router.pipeToRouter()`. */
export type PipeToRouterOptions = {
  producerId?: string;
  dataProducerId?: string;
  /** The destination router (this process). */
  router: Router;
  /** The listen info of both pipe transports (default udp on 127.0.0.1). */
  listenInfo?: TransportListenInfo;
  /** @deprecated use listenInfo. */
  listenIp?: TransportListenIp | string;
  /** Default true. */
  enableSctp?: boolean;
  numSctpStreams?: { OS: number; MIS: number };
  /** Default false. */
  enableRtx?: boolean;
  /** Default false. */
  enableSrtp?: boolean;
  /** The pipe producer keeps the source producer's id (default true). */
  keepId?: boolean;
  /**
   * tsfu only: RTP/RTCP between the two pipe transports through shared-memory rings instead of UDP (both
   * routers are in this process): no syscall and no SRTP per packet. Applies when the pair is created
   * (the first pipe between the two routers). Default false.
   */
  tsfuSharedMemory?: boolean;
};
