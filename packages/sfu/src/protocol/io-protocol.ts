/**
 * What travels between the I/O thread and the other threads.
 *
 * Packets go through two `PacketRing`s per worker (I/O → worker, worker → I/O).
 * A record's `meta` word says where it belongs:
 * - `meta = tupleId` (≥ 1): a packet of a known tuple (a 5-tuple a worker's ICE
 *   agent validated, or a TCP connection the worker owns).
 * - `meta = TUPLE_UNKNOWN` (0): the payload starts with an `AddressHeader`
 *   (remote address, port, protocol, TCP connection id) followed by the packet.
 *   I/O → worker this is a STUN Binding Request routed by its local ufrag;
 *   worker → I/O it is an answer to such a request.
 * `aux` carries the local socket index.
 *
 * Control messages travel on the worker's `MessagePort` to the I/O thread
 * through `Channel`, typed by `IoMethods` (worker → I/O) and
 * `IoMainMethods` (main → I/O). One rule orders them with packets: a worker
 * publishes its ring before it sends a control message, and the I/O thread
 * reads that worker's ring to the end before it handles one. So an `unbindTuple`
 * or `unlisten` never overtakes the packets queued before it (a DTLS close_notify).
 */
import type { MessagePort } from 'node:worker_threads';
import type { ThreadHeapForTesting } from '../heap-for-testing.js';
import type { Method } from './channel.js';

export const TUPLE_UNKNOWN = 0;

export const PROTOCOL_UDP = 0;
export const PROTOCOL_TCP = 1;

/** `[u16 port][u8 protocol][u8 address length][u32 tcp connection id][address latin1 …]`. */
export const ADDRESS_HEADER_LENGTH = 56;
const MAX_ADDRESS_LENGTH = ADDRESS_HEADER_LENGTH - 8;

/** Writes an address header at `buf[offset…]`. Returns false if the address does not fit. */
export function writeAddressHeader(
  buf: Buffer,
  offset: number,
  address: string,
  port: number,
  protocol: number,
  connId: number,
): boolean {
  if (address.length > MAX_ADDRESS_LENGTH) return false;
  buf.writeUInt16BE(port, offset);
  buf[offset + 2] = protocol;
  buf[offset + 3] = address.length;
  buf.writeUInt32BE(connId >>> 0, offset + 4);
  buf.write(address, offset + 8, address.length, 'latin1');
  return true;
}

export interface AddressHeader {
  address: string;
  port: number;
  protocol: number;
  connId: number;
}

/** Reads an address header; undefined when the record is too short or inconsistent. */
export function readAddressHeader(buf: Buffer, offset: number, length: number): AddressHeader | undefined {
  if (length < ADDRESS_HEADER_LENGTH) return undefined;
  const addressLength = buf[offset + 3];
  if (addressLength === 0 || addressLength > MAX_ADDRESS_LENGTH) return undefined;
  const protocol = buf[offset + 2];
  if (protocol !== PROTOCOL_UDP && protocol !== PROTOCOL_TCP) return undefined;
  return {
    port: buf.readUInt16BE(offset),
    protocol,
    connId: buf.readUInt32BE(offset + 4),
    address: buf.toString('latin1', offset + 8, offset + 8 + addressLength),
  };
}

/** One socket the I/O thread opened (`listen` answer). */
export interface IoSocketInfo {
  index: number;
  protocol: 'udp' | 'tcp';
  ip: string;
  port: number;
  /** Bound with SO_REUSEADDR so workers may open connected sockets on its port (`tsfuConnectedUdp`). */
  connectedUdp?: boolean;
  /** The listen's socket buffer sizes, which workers' connected sockets on this port get too. */
  sendBufferSize?: number;
  recvBufferSize?: number;
}

/** A listen request from a worker (one entry of mediasoup's `listenInfos`). */
export interface IoListenRequest {
  protocol: 'udp' | 'tcp';
  ip: string;
  port: number;
  /** True for WebRtcServer sockets: another worker asking for the same ip:port shares the socket. */
  shared: boolean;
  /** tsfu extension: drop datagrams/connections whose source is not a loopback address (tests). */
  loopbackOnly?: boolean;
  /** tsfu extension: bind with SO_REUSEADDR so workers can open connected sockets on this port. */
  connectedUdp?: boolean;
  /** `flags.udpReusePort`: bind with SO_REUSEADDR so other sockets with the flag may bind the same ip:port. */
  reusePort?: boolean;
  /**
   * A PlainTransport's socket (UDP): every datagram from a tuple nobody bound goes to the worker that
   * opened it, behind an address header (`meta` = TUPLE_UNKNOWN), not only STUN requests by ufrag.
   */
  deliverUnknown?: boolean;
  sendBufferSize?: number;
  recvBufferSize?: number;
  /** TCP limits (`TransportListenInfo.tsfuMaxTcpConnections` …; defaults in `limits.ts`). */
  maxTcpConnections?: number;
  maxPendingTcpConnectionsPerIp?: number;
  tcpAuthTimeoutMs?: number;
  tcpFirstFrameTimeoutMs?: number;
}

/** A tuple as a worker names it before knowing its id: local socket, remote address, TCP connection. */
export interface IoTupleAddress {
  socketIndex: number;
  address: string;
  port: number;
  protocol: number;
  connId: number;
}

/** A worker's `bindTuple` request: route this tuple to the worker from now on. */
export interface IoBindTupleRequest extends IoTupleAddress {
  /** The transport asking (a number unique in its worker): tuples are counted per transport. */
  owner: number;
  /** Most tuples the transport may have bound: a bind beyond it is refused (answer 0) and counted. */
  maxTuples: number;
  /**
   * Tuples of this transport to forget first (its ICE agent dropped them for this one), by address:
   * their bind answers may not have reached the worker yet.
   */
  evict: IoTupleAddress[];
}

/** I/O-thread counters (`webRtcServer.dump().ioCounters`, `getIoCounters()`). */
export interface IoCounters {
  /** UDP datagrams received on every socket. */
  udpDatagramsReceived: number;
  /** RFC 4571 frames received on every TCP connection. */
  tcpFramesReceived: number;
  /** Packets of known tuples handed to their worker. */
  routedByTuple: number;
  /** STUN Binding Requests from unknown tuples handed to the worker owning their ufrag. */
  routedByUfrag: number;
  /** Packets from unknown tuples that were not a STUN request for a known ufrag: dropped. */
  droppedUnknownTuple: number;
  /** Datagrams on a PlainTransport's socket handed to its worker by address (no bound tuple). */
  routedToSocketOwner: number;
  /** Packets/connections from a non-loopback source on a `tsfuLoopbackOnly` socket: dropped. */
  droppedNotLoopback: number;
  /** Packets dropped because the worker's ring was full. */
  droppedRingFull: number;
  /** Packets sent (UDP datagrams and TCP frames). */
  packetsSent: number;
  /** Sends dropped: unknown tuple id or closed connection. */
  sendsDropped: number;
  /** TCP connections accepted / closed by us for misbehaving (bad framing, auth deadline, cap). */
  tcpConnectionsAccepted: number;
  tcpConnectionsRejected: number;
  /** Of those rejected: the listening socket had `tsfuMaxTcpConnections` open, every one claimed by a transport. */
  tcpRejectedOverCap: number;
  /**
   * Of those rejected: the oldest unclaimed connection, closed to admit a new one while the listening socket
   * had `tsfuMaxTcpConnections` open.
   */
  tcpEvicted: number;
  /** Of those rejected: that source IP had `tsfuMaxPendingTcpConnectionsPerIp` connections no transport claimed. */
  tcpRejectedPerIpCap: number;
  /** Of those rejected: no transport claimed them within `tsfuTcpAuthTimeoutMs`. */
  tcpAuthTimeouts: number;
  /** Of those rejected: no STUN Binding Request for a known ufrag within `tsfuTcpFirstFrameTimeoutMs`. */
  tcpFirstFrameTimeouts: number;
  /** Tuple bindings refused: the transport had `tsfuMaxIceTuplesPerTransport` bound already. */
  tuplesRejectedOverCap: number;
  /** Current table sizes: known tuples, registered ufrags, open sockets, open TCP connections. */
  tuples: number;
  ufrags: number;
  sockets: number;
  tcpConnections: number;
}

/** Every counter at zero (also what a process with no I/O thread running reports). */
export function zeroIoCounters(): IoCounters {
  return {
    udpDatagramsReceived: 0,
    tcpFramesReceived: 0,
    routedByTuple: 0,
    routedByUfrag: 0,
    droppedUnknownTuple: 0,
    routedToSocketOwner: 0,
    droppedNotLoopback: 0,
    droppedRingFull: 0,
    packetsSent: 0,
    sendsDropped: 0,
    tcpConnectionsAccepted: 0,
    tcpConnectionsRejected: 0,
    tcpRejectedOverCap: 0,
    tcpEvicted: 0,
    tcpRejectedPerIpCap: 0,
    tcpAuthTimeouts: 0,
    tcpFirstFrameTimeouts: 0,
    tuplesRejectedOverCap: 0,
    tuples: 0,
    ufrags: 0,
    sockets: 0,
    tcpConnections: 0,
  };
}

/** What a worker thread receives (in `workerData`) to reach the socket layer. */
export interface WorkerIoHandles {
  /** Control channel to the socket owner (listen, ufrag registration, tuple binding). */
  port: MessagePort;
  /** Packets for the worker. */
  toWorker: SharedArrayBuffer;
  /** Packets the worker sends. */
  fromWorker: SharedArrayBuffer;
}

/** The requests the I/O thread serves for a worker (on the worker's `MessagePort`). */
export type IoMethods = {
  listen: Method<IoListenRequest[], IoSocketInfo[]>;
  registerUfrag: Method<string>;
  unregisterUfrag: Method<string>;
  /** Answers the tuple's id, 0 when it is gone or the transport is at its tuple cap. */
  bindTuple: Method<IoBindTupleRequest, number>;
};

/** What a worker tells the I/O thread without an answer. */
export type IoNotifications = {
  /** Forget tuple `data` (its transport dropped or closed it); TCP connections end. */
  unbindTuple: number;
  /** Release the worker's references to these sockets (closed when no worker holds them). */
  unlisten: number[];
};

/**
 * What the I/O thread tells a worker (tuple id in `targetId`): the TCP connection closed; the
 * UDP tuple was validated by a transport of another worker and is routed there now.
 */
export type IoWorkerNotifications = { tcpclosed: undefined; tupletakenover: undefined };

/** The I/O thread's end toward a worker. */
export type IoEnd = { requests: IoMethods; notifications: IoNotifications };
/** A worker's end toward the I/O thread. */
export type IoLinkEnd = { requests: Record<never, never>; notifications: IoWorkerNotifications };

/** Attaches a worker: its control port and its two rings. */
export interface AddWorkerRequest {
  index: number;
  port: MessagePort;
  toWorker: SharedArrayBuffer;
  fromWorker: SharedArrayBuffer;
}

/** The requests the I/O thread serves for the main thread (`IoThreadStrategy`). */
export type IoMainMethods = {
  addWorker: Method<AddWorkerRequest>;
  /** Detaches a worker: what it queued is sent first, then its ufrags, tuples and socket references go. */
  removeWorker: Method<{ index: number }>;
  getCounters: Method<undefined, IoCounters>;
  /** Testing only, and only when the process opted in (`TSFU_ALLOW_CRASH_FOR_TESTING`). */
  'tsfu.crashForTesting': Method<undefined>;
  /** Testing only: the thread's used heap, after a full GC when `gc` is exposed. */
  'tsfu.heapForTesting': Method<undefined, ThreadHeapForTesting>;
};

/** The I/O thread's end toward the main thread; it says `ready` once it serves. */
export type IoThreadMainEnd = { requests: IoMainMethods; notifications: Record<never, never> };
/** The main thread's end toward the I/O thread. */
export type IoStrategyEnd = { requests: Record<never, never>; notifications: { ready: undefined } };
