/** The association's options in SCTP's own terms, their defaults, and their validation. */
import { DATA_HEADER_LENGTH } from './data-chunk.js';
import { COMMON_HEADER_LENGTH } from './sctp-packet.js';

/** SCTP port used by WebRTC (RFC 8841 default). */
export const SCTP_PORT = 5000;
/** Default largest message sent or accepted. */
export const DEFAULT_MAX_MESSAGE_SIZE = 262144;
/** Default OS and MIS stream counts. */
export const DEFAULT_STREAM_COUNT = 1024;

export interface SctpAssociationOptions {
  /** Sends one SCTP packet to the peer (e.g. as DTLS application data). Called synchronously. */
  send: (packet: Buffer) => void;
  /** SCTP port, 5000 in WebRTC (RFC 8841 default). */
  localPort?: number;
  remotePort?: number;
  /** Outbound streams requested (OS), mediasoup's `numSctpStreams.OS`, default 1024. */
  outboundStreams?: number;
  /** Maximum inbound streams (MIS), default 1024. */
  inboundStreams?: number;
  /** Largest message sent or accepted, like mediasoup's `maxSctpMessageSize` (default 262144). */
  maxMessageSize?: number;
  /** Largest SCTP packet built (default 1200, what fits in DTLS over UDP over any path). */
  mtu?: number;
  /** Receive buffer advertised as a_rwnd and the bound on bytes held for reassembly (default 1 MiB; keep it >= maxMessageSize). */
  receiveWindow?: number;
  rtoInitialMs?: number;
  rtoMinMs?: number;
  rtoMaxMs?: number;
  /** Heartbeat interval while idle (default 30 s; 0 disables). */
  heartbeatIntervalMs?: number;
  /** Consecutive unanswered retransmissions/heartbeats before the association fails (Association.Max.Retrans, default 10). */
  maxRetransmissions?: number;
  /** INIT / COOKIE ECHO retransmissions before giving up (Max.Init.Retransmits, default 8). */
  maxInitRetransmissions?: number;
}

/** Every option resolved to a value. */
export interface AssociationConfig {
  localPort: number;
  remotePort: number;
  outboundStreams: number;
  inboundStreams: number;
  maxMessageSize: number;
  mtu: number;
  receiveWindow: number;
  rtoInitialMs: number;
  rtoMinMs: number;
  rtoMaxMs: number;
  heartbeatIntervalMs: number;
  maxRetransmissions: number;
  maxInitRetransmissions: number;
  /** User data bytes that fit one DATA chunk in one packet. */
  maxPayload: number;
}

/** Applies the defaults; throws RangeError on stream counts or an MTU out of range. */
export function resolveConfig(o: SctpAssociationOptions): AssociationConfig {
  const outboundStreams = o.outboundStreams ?? DEFAULT_STREAM_COUNT;
  const inboundStreams = o.inboundStreams ?? DEFAULT_STREAM_COUNT;
  const mtu = o.mtu ?? 1200;
  if (outboundStreams < 1 || outboundStreams > 65535 || inboundStreams < 1 || inboundStreams > 65535) {
    throw new RangeError('stream counts must be 1..65535');
  }
  if (mtu < 128 || mtu > 65535) throw new RangeError('mtu must be 128..65535');
  return {
    localPort: o.localPort ?? SCTP_PORT,
    remotePort: o.remotePort ?? SCTP_PORT,
    outboundStreams,
    inboundStreams,
    maxMessageSize: o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    mtu,
    receiveWindow: o.receiveWindow ?? 1024 * 1024,
    rtoInitialMs: o.rtoInitialMs ?? 1000,
    rtoMinMs: o.rtoMinMs ?? 200,
    rtoMaxMs: o.rtoMaxMs ?? 60_000,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? 30_000,
    maxRetransmissions: o.maxRetransmissions ?? 10,
    maxInitRetransmissions: o.maxInitRetransmissions ?? 8,
    maxPayload: mtu - COMMON_HEADER_LENGTH - DATA_HEADER_LENGTH,
  };
}
