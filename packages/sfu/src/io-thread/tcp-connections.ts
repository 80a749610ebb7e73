/**
 * ICE-TCP connections on the I/O thread's listeners (RFC 6544 passive
 * candidates, RFC 4571 framing): accepted within the listener's caps (open
 * connections; unclaimed ones per source address), closed when no worker
 * claims them by the auth deadline or when they frame badly; their frames
 * go to `onFrame`, their close to `onClose`.
 */
import type { Socket as TcpSocket } from 'node:net';
import { Rfc4571Deframer } from '@tsfu/ice-lite';
import type { IoCounters } from '../protocol/io-protocol.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import { type IoSocket, isLoopbackAddress } from './sockets.js';

const logger = new ThreadLogger('IoThread');

export interface TcpConnection {
  /** Also its tuple id once a worker binds it. */
  id: number;
  socketIndex: number;
  listener: IoSocket;
  /** Counted in `listener.pendingByIp` until a worker claims it. */
  pending: boolean;
  socket: TcpSocket;
  address: string;
  port: number;
  /** Owning worker, -1 until a worker binds it. */
  worker: number;
  deframer: Rfc4571Deframer;
  authTimer: NodeJS.Timeout | undefined;
}

export interface TcpConnectionEvents {
  /** A new connection's id (tuple ids and connection ids share one space). */
  allocateId(): number;
  onFrame(conn: TcpConnection, frame: Uint8Array): void;
  onClose(conn: TcpConnection): void;
}

export class TcpConnections {
  private readonly byId = new Map<number, TcpConnection>();

  constructor(
    private readonly events: TcpConnectionEvents,
    private readonly counters: IoCounters,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): TcpConnection | undefined {
    return this.byId.get(id);
  }

  accept(listener: IoSocket, socket: TcpSocket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (listener.loopbackOnly && !isLoopbackAddress(address ?? '')) {
      this.counters.droppedNotLoopback++;
      socket.destroy();
      return;
    }
    if (!address || !port) {
      this.counters.tcpConnectionsRejected++;
      socket.destroy();
      return;
    }
    const pending = listener.pendingByIp.get(address) ?? 0;
    const overCap = listener.tcpOpen >= listener.maxTcpConnections;
    if (overCap || pending >= listener.maxPendingTcpConnectionsPerIp) {
      this.counters.tcpConnectionsRejected++;
      if (overCap) this.counters.tcpRejectedOverCap++;
      else this.counters.tcpRejectedPerIpCap++;
      socket.destroy();
      return;
    }
    listener.pendingByIp.set(address, pending + 1);
    listener.tcpOpen++;
    this.counters.tcpConnectionsAccepted++;
    const id = this.events.allocateId();
    const conn: TcpConnection = {
      id,
      socketIndex: listener.index,
      listener,
      pending: true,
      socket,
      address,
      port,
      worker: -1,
      deframer: new Rfc4571Deframer((frame) => this.events.onFrame(conn, frame)),
      authTimer: undefined,
    };
    conn.authTimer = setTimeout(() => {
      if (conn.worker < 0) {
        this.counters.tcpConnectionsRejected++;
        this.counters.tcpAuthTimeouts++;
        socket.destroy();
      }
    }, listener.tcpAuthTimeoutMs);
    this.byId.set(id, conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (!conn.deframer.push(chunk)) {
        this.counters.tcpConnectionsRejected++;
        socket.destroy();
      }
    });
    socket.on('error', (error) => {
      // A reset by the peer is ordinary; 'close' follows and cleans up.
      logger.debug(`onTcpConnection() | TCP connection error [id:${id}]: ${error.message}`);
    });
    socket.on('close', () => this.onClose(conn));
  }

  /** A worker bound the connection: no auth deadline, no longer counted against its source. */
  claim(conn: TcpConnection, worker: number): void {
    conn.worker = worker;
    clearTimeout(conn.authTimer);
    this.releasePending(conn);
  }

  /** The listener closes: its connections go, except those their transport ended (they flush first). */
  destroyOnSocket(socketIndex: number): void {
    for (const conn of [...this.byId.values()]) {
      if (conn.socketIndex === socketIndex && !conn.socket.writableEnded) conn.socket.destroy();
    }
  }

  private onClose(conn: TcpConnection): void {
    clearTimeout(conn.authTimer);
    this.byId.delete(conn.id);
    this.releasePending(conn);
    conn.listener.tcpOpen--;
    this.events.onClose(conn);
  }

  /** A worker claimed the connection (or it closed): it no longer counts against its source's cap. */
  private releasePending(conn: TcpConnection): void {
    if (!conn.pending) return;
    conn.pending = false;
    const byIp = conn.listener.pendingByIp;
    const n = (byIp.get(conn.address) ?? 1) - 1;
    if (n > 0) byIp.set(conn.address, n);
    else byIp.delete(conn.address);
  }
}
