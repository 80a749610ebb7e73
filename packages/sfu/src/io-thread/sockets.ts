/**
 * The I/O thread's listening sockets: UDP sockets and TCP listeners, opened
 * for workers' `listen` requests and shared by reference — a WebRtcServer's
 * ip:port asked for by several workers is one socket — and closed when no
 * worker holds them. What arrives goes to `SocketEvents`.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { ipLiteralLookup } from '../ip-literal-lookup.js';
import { LIMIT_DEFAULTS } from '../limits.js';
import type { IoCounters, IoListenRequest, IoSocketInfo } from '../protocol/io-protocol.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import type { TcpConnection } from './tcp-connections.js';

const logger = new ThreadLogger('IoThread');

export interface IoSocket {
  index: number;
  key: string;
  protocol: 'udp' | 'tcp';
  ip: string;
  port: number;
  shared: boolean;
  /** Only loopback sources are accepted (`TransportListenInfo.tsfuLoopbackOnly`). */
  loopbackOnly: boolean;
  /** Bound with SO_REUSEADDR for workers' connected sockets (`TransportListenInfo.tsfuConnectedUdp`). */
  connectedUdp: boolean;
  sendBufferSize?: number;
  recvBufferSize?: number;
  udp?: UdpSocket;
  tcp?: TcpServer;
  /** Listen references per worker index. */
  refs: Map<number, number>;
  /** TCP limits (README "Limits"). */
  maxTcpConnections: number;
  maxPendingTcpConnectionsPerIp: number;
  tcpAuthTimeoutMs: number;
  tcpFirstFrameTimeoutMs: number;
  /** Open TCP connections on this listener. */
  tcpOpen: number;
  /** Open connections no worker claimed yet, by source address. */
  pendingByIp: Map<string, number>;
  /** Unclaimed connections, oldest first: no check for a known ufrag yet / one arrived (the eviction order). */
  tcpUnchecked: Set<TcpConnection>;
  tcpChecked: Set<TcpConnection>;
}

/** Where the sockets' traffic and closes go. */
export interface SocketEvents {
  onUdp(socketIndex: number, msg: Buffer, rinfo: RemoteInfo): void;
  /** A datagram on a `deliverUnknown` socket (a PlainTransport's): to its worker, whatever the source. */
  onUdpToOwner(socket: IoSocket, msg: Buffer, rinfo: RemoteInfo): void;
  onTcpConnection(listener: IoSocket, socket: TcpSocket): void;
  /** The socket is about to close: forget its tuples and connections. */
  onSocketClosing(socket: IoSocket): void;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Warned once per process: the kernel granted less receive buffer than the default asks. */
let defaultCapWarned = false;

/**
 * Logs (warn) when the kernel granted less SO_RCVBUF than asked: Linux caps
 * it at `net.core.rmem_max` (and reports twice what it granted, its
 * bookkeeping overhead). Once per process for the default, per socket for an
 * explicit `recvBufferSize`.
 */
function checkRecvBuffer(udp: UdpSocket, req: IoListenRequest, asked: number): void {
  let obtained: number;
  try {
    obtained = udp.getRecvBufferSize();
  } catch {
    return;
  }
  if (obtained >= asked) return;
  if (req.recvBufferSize === undefined) {
    if (defaultCapWarned) return;
    defaultCapWarned = true;
  }
  logger.warn(
    `openSocket() | UDP ${req.ip}:${udp.address().port} receive buffer: asked ${asked} bytes, the kernel granted ${obtained}` +
      ' (capped by net.core.rmem_max; raise it to absorb packet floods, see the README "Limits")',
  );
}

export class IoSockets {
  private readonly byIndex = new Map<number, IoSocket>();
  private readonly byKey = new Map<string, IoSocket>();
  private nextIndex = 1;

  constructor(
    private readonly events: SocketEvents,
    private readonly counters: IoCounters,
  ) {}

  get size(): number {
    return this.byIndex.size;
  }

  get(index: number): IoSocket | undefined {
    return this.byIndex.get(index);
  }

  /** Opens (or shares) a socket per request for `worker`; all or none. */
  async listen(worker: number, requests: IoListenRequest[]): Promise<IoSocketInfo[]> {
    const opened: IoSocket[] = [];
    try {
      for (const req of requests) {
        const key = `${req.protocol}|${req.ip}|${req.port}`;
        let socket = req.shared && req.port !== 0 ? this.byKey.get(key) : undefined;
        if (socket && !socket.shared) {
          throw new Error(`${req.protocol} ${req.ip}:${req.port} is in use by a transport (EADDRINUSE)`);
        }
        if (!socket) socket = await this.open(req);
        socket.refs.set(worker, (socket.refs.get(worker) ?? 0) + 1);
        opened.push(socket);
      }
    } catch (error) {
      for (const s of opened) this.unlisten(worker, s.index);
      throw error;
    }
    return opened.map((s) => ({
      index: s.index,
      protocol: s.protocol,
      ip: s.ip,
      port: s.port,
      connectedUdp: s.connectedUdp,
      sendBufferSize: s.sendBufferSize,
      recvBufferSize: s.recvBufferSize,
    }));
  }

  /** Drops one of `worker`'s references to socket `index`; the last one closes it. */
  unlisten(worker: number, index: number): void {
    const socket = this.byIndex.get(index);
    if (!socket) return;
    const n = socket.refs.get(worker) ?? 0;
    if (n <= 1) socket.refs.delete(worker);
    else socket.refs.set(worker, n - 1);
    if (socket.refs.size === 0) this.close(socket);
  }

  /** Drops every reference of `worker` (it went away). */
  releaseWorker(worker: number): void {
    for (const socket of [...this.byIndex.values()]) {
      if (socket.refs.delete(worker) && socket.refs.size === 0) this.close(socket);
    }
  }

  private async open(req: IoListenRequest): Promise<IoSocket> {
    const index = this.nextIndex++;
    const base = {
      index,
      protocol: req.protocol,
      ip: req.ip,
      shared: req.shared,
      loopbackOnly: req.loopbackOnly === true,
      connectedUdp: req.protocol === 'udp' && req.connectedUdp === true,
      sendBufferSize: req.sendBufferSize,
      recvBufferSize: req.recvBufferSize,
      refs: new Map(),
      maxTcpConnections: req.maxTcpConnections ?? LIMIT_DEFAULTS.maxTcpConnections,
      maxPendingTcpConnectionsPerIp:
        req.maxPendingTcpConnectionsPerIp ?? LIMIT_DEFAULTS.maxPendingTcpConnectionsPerIp,
      tcpAuthTimeoutMs: req.tcpAuthTimeoutMs ?? LIMIT_DEFAULTS.tcpAuthTimeoutMs,
      tcpFirstFrameTimeoutMs: req.tcpFirstFrameTimeoutMs ?? LIMIT_DEFAULTS.tcpFirstFrameTimeoutMs,
      tcpOpen: 0,
      pendingByIp: new Map(),
      tcpUnchecked: new Set<TcpConnection>(),
      tcpChecked: new Set<TcpConnection>(),
    };
    const socket: IoSocket =
      req.protocol === 'udp'
        ? { ...base, key: '', port: 0, udp: await this.openUdp(index, req) }
        : { ...base, key: '', port: 0, tcp: await this.openTcp(req) };
    if (socket.udp) socket.port = socket.udp.address().port;
    if (socket.tcp) {
      const address = socket.tcp.address();
      socket.port = typeof address === 'object' && address ? address.port : 0;
      const listener = socket;
      socket.tcp.on('connection', (s) => this.events.onTcpConnection(listener, s));
    }
    socket.key = `${socket.protocol}|${socket.ip}|${socket.port}`;
    this.byIndex.set(index, socket);
    this.byKey.set(socket.key, socket);
    return socket;
  }

  private async openUdp(index: number, req: IoListenRequest): Promise<UdpSocket> {
    // A shared port takes every session's traffic and every stray datagram: it gets room to
    // absorb the I/O thread's scheduling stalls under a flood (0 keeps the OS default).
    const recvBufferSize =
      req.recvBufferSize ?? (req.shared ? LIMIT_DEFAULTS.sharedUdpRecvBufferSize : undefined);
    const udp = createSocket({
      type: isIPv6(req.ip) ? 'udp6' : 'udp4',
      lookup: ipLiteralLookup,
      reuseAddr: req.connectedUdp === true || req.reusePort === true,
      recvBufferSize,
      sendBufferSize: req.sendBufferSize,
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: req.ip, port: req.port, exclusive: true }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    if (recvBufferSize) checkRecvBuffer(udp, req, recvBufferSize);
    udp.on('error', (error) => {
      // ICMP-triggered send errors etc.: the socket stays usable (lines are rate-bounded).
      logger.warn(`openSocket() | UDP socket error [${req.ip}:${req.port}]: ${error.message}`);
    });
    const events = this.events;
    const deliver = req.deliverUnknown
      ? (msg: Buffer, rinfo: RemoteInfo) => {
          const socket = this.byIndex.get(index);
          if (socket) events.onUdpToOwner(socket, msg, rinfo);
        }
      : (msg: Buffer, rinfo: RemoteInfo) => events.onUdp(index, msg, rinfo);
    if (req.loopbackOnly) {
      udp.on('message', (msg, rinfo) => {
        if (isLoopbackAddress(rinfo.address)) deliver(msg, rinfo);
        else this.counters.droppedNotLoopback++;
      });
    } else {
      udp.on('message', deliver);
    }
    return udp;
  }

  private async openTcp(req: IoListenRequest): Promise<TcpServer> {
    const tcp = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: req.ip, port: req.port, exclusive: true }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.on('error', (error) => {
      logger.warn(`openSocket() | TCP server error [${req.ip}:${req.port}]: ${error.message}`);
    });
    return tcp;
  }

  private close(socket: IoSocket): void {
    this.byIndex.delete(socket.index);
    if (this.byKey.get(socket.key) === socket) this.byKey.delete(socket.key);
    this.events.onSocketClosing(socket);
    try {
      socket.udp?.close();
      socket.tcp?.close();
    } catch {
      // dgram's close() throws only when the socket is already closed, which is the goal here.
    }
  }
}
