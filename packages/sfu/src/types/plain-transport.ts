/** mediasoup 3.27's PlainTransport types (plain RTP/RTCP over UDP, optionally SRTP with static keys). */
import type { AppData } from './app-data.js';
import type { SctpParameters } from './sctp-parameters.js';
import type { SrtpCryptoSuite, SrtpParameters } from './srtp-parameters.js';
import type {
  BaseTransportDump,
  BaseTransportStats,
  TransportListenInfo,
  TransportListenIp,
  TransportTuple,
} from './transport.js';
import type { TransportMediaCounters } from './webrtc-transport.js';

type PlainTransportListen =
  | { listenInfo: TransportListenInfo; rtcpListenInfo?: TransportListenInfo; listenIp?: never; port?: never }
  | { listenIp: TransportListenIp | string; port?: number; listenInfo?: never; rtcpListenInfo?: never };

/** Options of `router.createPlainTransport()`. */
export type PlainTransportOptions<PlainTransportAppData extends AppData = AppData> = {
  /** RTP and RTCP on one port (default true); false opens a second socket for RTCP. */
  rtcpMux?: boolean;
  /** Learn the remote tuple from the first packet received (default false). */
  comedia?: boolean;
  /** SCTP (stored: data channels come later). */
  enableSctp?: boolean;
  /** @deprecated mediasoup < 3.20's name (stored). */
  numSctpStreams?: { OS: number; MIS: number };
  /** @deprecated mediasoup < 3.20's name: sets both sizes below. */
  maxSctpMessageSize?: number;
  maxSendMessageSize?: number;
  maxReceiveMessageSize?: number;
  sctpSendBufferSize?: number;
  sctpPerStreamSendQueueLimit?: number;
  sctpMaxReceiverWindowBufferSize?: number;
  sctpDefaultStreamBufferedAmountLowThreshold?: number;
  /** SRTP with keys given in `connect()` (default false). */
  enableSrtp?: boolean;
  /** Default 'AES_CM_128_HMAC_SHA1_80'. */
  srtpCryptoSuite?: SrtpCryptoSuite;
  appData?: PlainTransportAppData;
} & PlainTransportListen;

/** What `plainTransport.dump()` returns. */
export type PlainTransportDump = BaseTransportDump & {
  rtcpMux: boolean;
  comedia: boolean;
  tuple: TransportTuple;
  rtcpTuple?: TransportTuple;
  srtpParameters?: SrtpParameters;
};

/** What `plainTransport.getStats()` returns (one entry, `type: 'plain-rtp-transport'`). */
export type PlainTransportStat = BaseTransportStats & {
  type: string;
  rtcpMux: boolean;
  comedia: boolean;
  tuple: TransportTuple;
  rtcpTuple?: TransportTuple;
};

/** Our counters beyond mediasoup's stats (`getStats()[0].tsfuCounters`). */
export interface PlainTransportCounters {
  /** Packets from a source other than the (connected or learnt) remote tuple: dropped. */
  packetsFromUnknownTuple: number;
  /** Packets before `connect()` gave a remote (comedia off) or SRTP keys: dropped. */
  packetsBeforeConnect: number;
  /** Packets whose first byte is no RTP/RTCP: dropped. */
  packetsUnknownKind: number;
  /** SRTP/SRTCP that failed to unprotect (authentication, replay, malformed): dropped. */
  srtpFailures: number;
  /** Sends dropped because the ring to the I/O thread was full. */
  sendsDroppedRingFull: number;
  media: TransportMediaCounters;
  retransmissionBufferBytes: number;
}

export type PlainTransportStatWithCounters = PlainTransportStat & { tsfuCounters: PlainTransportCounters };

/** What the worker answers to `router.createPlainTransport` and `plainTransport.connect`. */
export type PlainTransportState = {
  tuple: TransportTuple;
  rtcpTuple?: TransportTuple;
  srtpParameters?: SrtpParameters;
  sctpParameters?: SctpParameters;
};
