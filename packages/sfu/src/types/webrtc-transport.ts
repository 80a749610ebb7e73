/** mediasoup 3.27's WebRtcTransport types: ICE, DTLS and the creation options. */
import type { AppData, Either } from './app-data.js';
import type {
  BaseTransportDump,
  BaseTransportStats,
  TransportListenInfo,
  TransportListenIp,
  TransportProtocol,
  TransportTuple,
} from './transport.js';

/** ICE credentials (`iceLite` is always true for the SFU side). */
export type IceParameters = {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
};

/** ICE candidate type: the SFU only gathers host candidates. */
export type IceCandidateType = 'host';

/** ICE-TCP candidate type: the SFU is always passive. */
export type IceCandidateTcpType = 'passive';

/** A local ICE candidate. */
export type IceCandidate = {
  foundation: string;
  priority: number;
  /** IP or hostname. */
  address: string;
  /** @deprecated Use `address`. */
  ip: string;
  protocol: TransportProtocol;
  port: number;
  type: IceCandidateType;
  tcpType?: IceCandidateTcpType;
};

/** ICE role: an ICE-lite SFU is always 'controlled'. */
export type IceRole = 'controlled' | 'controlling';

/** ICE state. */
export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

/** DTLS role. */
export type DtlsRole = 'auto' | 'client' | 'server';

/** DTLS state. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Hash function of a certificate fingerprint. */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/**
 * The hash function algorithm (as defined in the "Hash function Textual Names"
 * registry of RFC 4572 section 8) and its value as uppercase colon-separated hex.
 */
export type DtlsFingerprint = {
  algorithm: FingerprintAlgorithm;
  value: string;
};

/** DTLS parameters. */
export type DtlsParameters = {
  role?: DtlsRole;
  fingerprints: DtlsFingerprint[];
};

/**
 * The WebRtcServer a transport joins. The full class lands with the Worker;
 * anything with an `id` and the `WebRtcServer` surface will satisfy it.
 */
export interface WebRtcServerHandle {
  readonly id: string;
  readonly closed: boolean;
}

type WebRtcTransportListenIndividualListenInfo = {
  /** Listening information. */
  listenInfos: TransportListenInfo[];
};

type WebRtcTransportListenIndividualListenIp = {
  /** @deprecated Use `listenInfos`. Listening IP addresses in order of preference. */
  listenIps: (TransportListenIp | string)[];
  /** @deprecated Fixed port to listen on instead of a port from the range. */
  port?: number;
};

type WebRtcTransportListenServer = {
  /** Instance of WebRtcServer. */
  webRtcServer: WebRtcServerHandle;
};

// Where a WebRtcTransport listens: its own sockets or a WebRtcServer's
// (mediasoup does not export these two names either).
type WebRtcTransportListen = Either<
  Either<WebRtcTransportListenIndividualListenInfo, WebRtcTransportListenIndividualListenIp>,
  WebRtcTransportListenServer
>;

type WebRtcTransportOptionsBase<WebRtcTransportAppData> = {
  /** Listen in UDP. Default true. */
  enableUdp?: boolean;
  /** Listen in TCP. Default true if webRtcServer is given, false otherwise. */
  enableTcp?: boolean;
  /** Prefer UDP. Default false. */
  preferUdp?: boolean;
  /** Prefer TCP. Default false. */
  preferTcp?: boolean;
  /** ICE consent timeout (in seconds). If 0 it is disabled. Default 30. */
  iceConsentTimeout?: number;
  /** Initial available outgoing bitrate (in bps). Default 600000. */
  initialAvailableOutgoingBitrate?: number;
  /** Create a SCTP association. Default false. */
  enableSctp?: boolean;
  /** Maximum allowed size for SCTP messages sent by DataConsumers (in bytes). Default 262144. */
  maxSendMessageSize?: number;
  /** Maximum allowed size for SCTP messages received by DataProducers (in bytes). Default 262144. */
  maxReceiveMessageSize?: number;
  /** Maximum SCTP send buffer used by DataConsumers (in bytes). Default 2000000. */
  sctpSendBufferSize?: number;
  /** Per stream send queue size limit, like `sctpSendBufferSize` for one stream. Default 2000000. */
  sctpPerStreamSendQueueLimit?: number;
  /**
   * Maximum received window buffer size (in bytes); a bit larger than the
   * largest message to receive. Default 5242880.
   */
  sctpMaxReceiverWindowBufferSize?: number;
  /**
   * Buffered amount (in bytes) at or below which a DataConsumer emits
   * 'bufferedamountlow' (per DataConsumer: `setBufferedAmountLowThreshold()`). Default 1024.
   */
  sctpDefaultStreamBufferedAmountLowThreshold?: number;
  /** Custom application data. */
  appData?: WebRtcTransportAppData;
};

/** Options of `router.createWebRtcTransport()`. */
export type WebRtcTransportOptions<WebRtcTransportAppData extends AppData = AppData> =
  WebRtcTransportOptionsBase<WebRtcTransportAppData> & WebRtcTransportListen;

/** What `webRtcTransport.dump()` returns. */
export type WebRtcTransportDump = BaseTransportDump & {
  iceRole: 'controlled';
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  iceState: IceState;
  iceSelectedTuple?: TransportTuple;
  dtlsParameters: DtlsParameters;
  dtlsState: DtlsState;
  dtlsRemoteCert?: string;
};

/** What `webRtcTransport.getStats()` returns (one entry per transport). */
export type WebRtcTransportStat = BaseTransportStats & {
  type: string;
  iceRole: string;
  iceState: IceState;
  iceSelectedTuple?: TransportTuple;
  dtlsState: DtlsState;
};

/** Our counters beyond mediasoup's stats (`getStats()[0].tsfuCounters`). */
export interface WebRtcTransportCounters {
  /** SRTP packets that authenticated and were accepted. */
  srtpPacketsAccepted: number;
  /** SRTCP packets that authenticated and were accepted. */
  srtcpPacketsAccepted: number;
  /** SRTP/SRTCP packets whose authentication tag did not verify. */
  srtpAuthFailures: number;
  /** SRTP/SRTCP packets dropped as replays or older than the replay window. */
  srtpReplayed: number;
  /** SRTP/SRTCP packets dropped as malformed (too short). */
  srtpMalformed: number;
  /** RTP/RTCP received before DTLS connected (no keys yet): dropped. */
  rtpBeforeKeys: number;
  /** DTLS/RTP from a tuple the ICE agent does not (or no longer) consider valid: dropped. */
  packetsFromInvalidTuple: number;
  /** Packets whose first byte is no known protocol (RFC 7983): dropped. */
  packetsUnknownKind: number;
  /** ICE check results (`IceLiteAgent.counters`): answered, unauthenticated, … */
  ice: Record<string, number>;
  /** Sends dropped because the ring to the I/O thread was full. */
  sendsDroppedRingFull: number;
  /** The media plane's drops: malformed RTP/RTCP, unknown SSRCs/payload types, padding-only RTX, test-only drops. */
  media: TransportMediaCounters;
  /**
   * Bytes held for retransmissions: this transport's producers' kept packets (allocated capacity, shared by
   * all their consumers) plus its consumers' sent-packet logs.
   */
  retransmissionBufferBytes: number;
  /** Packets received / sent through the worker's connected sockets (`tsfuConnectedUdp`), not the I/O thread. */
  connectedUdpPacketsReceived: number;
  connectedUdpPacketsSent: number;
  /** Connected sockets this worker could not open (those tuples stay on the I/O thread). */
  connectedUdpFallbacks: number;
  /** Datagrams from other peers a connected socket of this worker caught while being connected: dropped. */
  connectedUdpStrays: number;
  /**
   * Validated tuples the ICE agent dropped, and the I/O thread with it: a transport keeps
   * `tsfuMaxIceTuplesPerTransport` (a newer valid check drops the oldest unselected one, as
   * mediasoup); a consent loss drops them all.
   */
  iceTuplesEvicted: number;
}

/** A transport's media-plane drops (`getStats()[0].tsfuCounters.media`). */
export interface TransportMediaCounters {
  rtpMalformed: number;
  rtpUnknownSsrc: number;
  rtpUnknownPayloadType: number;
  rtpProbation: number;
  rtxPaddingOnly: number;
  rtcpMalformed: number;
  rtcpUnknownSsrc: number;
  rtpDroppedForTesting: number;
  /** DirectTransport: `producer.send()` packets whose SSRC belongs to another producer. */
  rtpForOtherProducer: number;
}

/** `getStats()` entry: mediasoup's plus `tsfuCounters` (SRTP accepted/auth failures, ICE check results, …). */
export type WebRtcTransportStatWithCounters = WebRtcTransportStat & { tsfuCounters: WebRtcTransportCounters };
