/** mediasoup 3.27's transport-level types shared by every transport kind. */
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctp-parameters.js';

/** Transport type. */
export type TransportType = 'webrtc' | 'plain' | 'pipe' | 'direct';

/** Transport protocol. */
export type TransportProtocol = 'udp' | 'tcp';

/** A range of ports to pick from. */
export type TransportPortRange = {
  /** Lowest port in the range. */
  min: number;
  /** Highest port in the range. */
  max: number;
};

/** Socket flags. */
export type TransportSocketFlags = {
  /** Disable dual-stack support so only IPv6 is used (only if `ip` is IPv6). */
  ipv6Only?: boolean;
  /**
   * Make several sockets (of several workers) share the same port. UDP only.
   * tsfu shares a WebRtcServer's port across workers without this flag.
   */
  udpReusePort?: boolean;
};

/** Where a transport or WebRtcServer listens. */
export type TransportListenInfo = {
  /** Network protocol. */
  protocol: TransportProtocol;
  /** Listening IPv4 or IPv6. */
  ip: string;
  /**
   * Announced IPv4, IPv6 or hostname (useful when running behind NAT with a
   * private IP).
   */
  announcedAddress?: string;
  /** @deprecated Use `announcedAddress`. */
  announcedIp?: string;
  /**
   * If true and `announcedAddress` is set, the internal `ip` is also exposed
   * as an ICE candidate (WebRtcTransport and WebRtcServer only).
   */
  exposeInternalIp?: boolean;
  /** Listening port (0 or unset: a free port is chosen). */
  port?: number;
  /** Listening port range, used when `port` is not given. */
  portRange?: TransportPortRange;
  /** Socket flags. */
  flags?: TransportSocketFlags;
  /** Send buffer size (bytes). */
  sendBufferSize?: number;
  /** Recv buffer size (bytes). */
  recvBufferSize?: number;
  /**
   * tsfu extension (not in mediasoup): the socket accepts datagrams and TCP
   * connections from loopback sources only (127.0.0.0/8, ::1); anything else
   * is dropped in the I/O thread before any lookup and counted in
   * `ioCounters.droppedNotLoopback`. For tests on machines whose other
   * interfaces must not be answered. A shared socket keeps the setting of the
   * listen that opened it.
   */
  tsfuLoopbackOnly?: boolean;
  /**
   * tsfu extension (not in mediasoup; UDP; meant for Linux): once ICE has
   * validated a remote UDP tuple, the worker that owns the transport opens its
   * own socket on the same local ip:port, connected to that remote. The kernel
   * delivers a connected socket's peer traffic to it rather than to the
   * listening socket, so that peer's packets skip the I/O thread both ways
   * (no ring copies, no cross-thread wake-ups) and workers forward in
   * parallel. Unknown peers (new ICE checks) still reach the I/O thread.
   * Needs SO_REUSEADDR on the listening socket: another local process that
   * also sets it could bind the same port, so use it on hosts you control.
   * When the worker cannot open its socket, that tuple stays on the I/O
   * thread (counted in `tsfuCounters.connectedUdpFallbacks`). A shared socket
   * keeps the setting of the listen that opened it.
   */
  tsfuConnectedUdp?: boolean;
  /**
   * tsfu extension (TCP only): most open connections on this listening socket.
   * When they are all open, a new connection closes the oldest one no
   * transport has claimed (`ioCounters.tcpEvicted`; those with no ICE check
   * for a known ufrag go first), or is closed at once when every one is
   * claimed (`ioCounters.tcpRejectedOverCap`). Default 1024. A shared socket
   * keeps the limits of the listen that opened it.
   */
  tsfuMaxTcpConnections?: number;
  /**
   * tsfu extension (TCP only): most connections from one source IP that no
   * transport has claimed yet (no valid ICE check on them); more are closed at
   * once and counted in `ioCounters.tcpRejectedPerIpCap`, so one client
   * reopening connections cannot take every slot. Default 16.
   */
  tsfuMaxPendingTcpConnectionsPerIp?: number;
  /**
   * tsfu extension (TCP only): a connection no transport claimed within this
   * many milliseconds is closed (`ioCounters.tcpAuthTimeouts`). Default 10000.
   */
  tsfuTcpAuthTimeoutMs?: number;
  /**
   * tsfu extension (TCP only): a connection that brought no STUN Binding
   * Request for a known ufrag (a live transport's) within this many
   * milliseconds is closed (`ioCounters.tcpFirstFrameTimeouts`): silent,
   * garbage and slowly trickled connections give their slot back early.
   * Default 2000; at or above `tsfuTcpAuthTimeoutMs` only that deadline applies.
   */
  tsfuTcpFirstFrameTimeoutMs?: number;
};

/** @deprecated Use `TransportListenInfo`. */
export type TransportListenIp = {
  /** Listening IPv4 or IPv6. */
  ip: string;
  /** Announced IPv4 or IPv6. */
  announcedIp?: string;
};

/** A 5-tuple a transport uses. */
export type TransportTuple = {
  /** Local IP. */
  localIp: string;
  /** Local IP or announced address. */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Remote IP. */
  remoteIp?: string;
  /** Remote port. */
  remotePort?: number;
  /** Protocol. */
  protocol: TransportProtocol;
};

/** State of a transport's SCTP association. */
export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** The RTP demultiplexing tables of a transport (`dump()`). */
export type RtpListenerDump = {
  ssrcTable: { key: number; value: string }[];
  midTable: { key: number; value: string }[];
  ridTable: { key: number; value: string }[];
};

/** The SCTP demultiplexing table of a transport (`dump()`). */
export type SctpListenerDump = {
  streamIdTable: { key: number; value: string }[];
};

/** Ids of the RTP header extensions a transport reads from received packets. */
export type RecvRtpHeaderExtensions = {
  mid?: number;
  rid?: number;
  rrid?: number;
  absSendTime?: number;
  transportWideCc01?: number;
};

/** What every transport's `dump()` contains. */
export type BaseTransportDump = {
  id: string;
  producerIds: string[];
  consumerIds: string[];
  mapSsrcConsumerId: { key: number; value: string }[];
  mapRtxSsrcConsumerId: { key: number; value: string }[];
  recvRtpHeaderExtensions: RecvRtpHeaderExtensions;
  rtpListener: RtpListenerDump;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
  dataProducerIds: string[];
  dataConsumerIds: string[];
  sctpParameters?: SctpParameters;
  sctpState?: SctpState;
  sctpNegotiatedCapabilities?: SctpNegotiatedCapabilities;
  sctpListener?: SctpListenerDump;
  traceEventTypes?: string[];
};

/** Valid types for a transport's 'trace' event. */
export type TransportTraceEventType = 'probation' | 'bwe';

/** Data of a transport's 'trace' event. */
export type TransportTraceEventData = {
  /** Trace type. */
  type: TransportTraceEventType;
  /** Event timestamp. */
  timestamp: number;
  /** Event direction. */
  direction: 'in' | 'out';
  /** Per type information. */
  info: unknown;
};

/** Counters every transport reports in `getStats()`. */
export type BaseTransportStats = {
  transportId: string;
  timestamp: number;
  sctpState?: SctpState;
  bytesReceived: number;
  recvBitrate: number;
  bytesSent: number;
  sendBitrate: number;
  rtpBytesReceived: number;
  rtpRecvBitrate: number;
  rtpBytesSent: number;
  rtpSendBitrate: number;
  rtxBytesReceived: number;
  rtxRecvBitrate: number;
  rtxBytesSent: number;
  rtxSendBitrate: number;
  probationBytesSent: number;
  probationSendBitrate: number;
  availableOutgoingBitrate?: number;
  availableIncomingBitrate?: number;
  maxIncomingBitrate?: number;
  maxOutgoingBitrate?: number;
  minOutgoingBitrate?: number;
  rtpPacketLossReceived?: number;
  rtpPacketLossSent?: number;
};
