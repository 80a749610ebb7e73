/**
 * ICE-TCP connections on the I/O thread's listeners (RFC 6544 passive
 * candidates, RFC 4571 framing), each in a listener slot until it closes.
 * Their frames go to `onFrame`, their close to `onClose`.
 *
 * Admission (README "Limits"), so that no client without a live ufrag can
 * hold the table:
 * - a source address holds at most `maxPendingTcpConnectionsPerIp`
 *   connections no worker claimed;
 * - a connection that brought no STUN Binding Request for a known local
 *   ufrag ("checked") within `tcpFirstFrameTimeoutMs` is closed, and one no
 *   worker claimed within `tcpAuthTimeoutMs` too;
 * - a full listener admits a new connection by closing its oldest unclaimed
 *   one — unchecked first, then checked — and refuses it only when every
 *   slot is claimed.
 * Why eviction rather than a reserve of slots: before its first frame a
 * legitimate connection looks like any other, so a reserve needs a
 * probation area that admits unknown connections, and an attacker fills a
 * small area as easily as the table. With eviction the whole unclaimed
 * table is that area: oldest first, a new connection is closed only after
 * every unclaimed connection accepted before it has gone, so an attacker
 * without a ufrag must open as many connections as there are unclaimed
 * ones within a client's accept-to-first-check time (about one one-way trip)
 * to lock it out — ~20 000/s at 1024 slots and 50 ms, where holding the old
 * table took ~100/s (1024 per 10 s deadline). Once checked, the client is
 * behind every unchecked connection. State stays within the slots.
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
  /** A STUN Binding Request for a known local ufrag arrived on it. */
  checked: boolean;
  /** Its slot was given back (we closed it, or it closed); 'close' may still be on its way. */
  released: boolean;
  /** Closes it unless checked (`tcpFirstFrameTimeoutMs`), or unless claimed (`tcpAuthTimeoutMs`). */
  firstFrameTimer: NodeJS.Timeout | undefined;
  authTimer: NodeJS.Timeout | undefined;
}

export interface TcpConnectionEvents {
  /** A new connection's id (tuple ids and connection ids share one space). */
  allocateId(): number;
  /** True when `frame` on an unclaimed connection is a Binding Request for a known local ufrag. */
  onFrame(conn: TcpConnection, frame: Uint8Array): boolean;
  onClose(conn: TcpConnection): void;
}

export class TcpConnections {
  /** Connections holding a slot. */
  private readonly byId = new Map<number, TcpConnection>();

  constructor(
    private readonly events: TcpConnectionEvents,
    private readonly counters: IoCounters,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** An open connection (not one we closed whose 'close' has not come yet). */
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
    if (pending >= listener.maxPendingTcpConnectionsPerIp) {
      this.refuse(socket);
      this.counters.tcpRejectedPerIpCap++;
      return;
    }
    if (listener.tcpOpen >= listener.maxTcpConnections) {
      const victim = first(listener.tcpUnchecked) ?? first(listener.tcpChecked);
      if (!victim) {
        // Every slot is claimed: that is the listener's capacity, not an attack.
        this.refuse(socket);
        this.counters.tcpRejectedOverCap++;
        return;
      }
      this.counters.tcpEvicted++;
      this.close(victim);
    }
    this.admit(listener, socket, address, port, pending);
  }

  /** A worker bound the connection: no deadline, no longer counted against its source. */
  claim(conn: TcpConnection, worker: number): void {
    conn.worker = worker;
    clearTimeout(conn.firstFrameTimer);
    clearTimeout(conn.authTimer);
    conn.listener.tcpUnchecked.delete(conn);
    conn.listener.tcpChecked.delete(conn);
    this.releasePending(conn);
  }

  /** The listener closes: its connections go, except those their transport ended (they flush first). */
  destroyOnSocket(socketIndex: number): void {
    for (const conn of [...this.byId.values()]) {
      if (conn.socketIndex === socketIndex && !conn.socket.writableEnded) conn.socket.destroy();
    }
  }

  private admit(listener: IoSocket, socket: TcpSocket, address: string, port: number, pending: number): void {
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
      deframer: new Rfc4571Deframer((frame) => {
        if (this.events.onFrame(conn, frame) && !conn.checked) this.onChecked(conn);
      }),
      checked: false,
      released: false,
      firstFrameTimer: undefined,
      authTimer: undefined,
    };
    this.byId.set(id, conn);
    listener.tcpUnchecked.add(conn);
    if (listener.tcpFirstFrameTimeoutMs < listener.tcpAuthTimeoutMs) {
      conn.firstFrameTimer = setTimeout(() => {
        this.counters.tcpFirstFrameTimeouts++;
        this.close(conn);
      }, listener.tcpFirstFrameTimeoutMs);
    }
    conn.authTimer = setTimeout(() => {
      this.counters.tcpAuthTimeouts++;
      this.close(conn);
    }, listener.tcpAuthTimeoutMs);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (!conn.deframer.push(chunk)) this.close(conn);
    });
    socket.on('error', (error) => {
      // A reset by the peer is ordinary; 'close' follows and cleans up.
      logger.debug(`onTcpConnection() | TCP connection error [id:${id}]: ${error.message}`);
    });
    socket.on('close', () => this.onClose(conn));
  }

  /** Its first check: no first-frame deadline; now evicted only after every unchecked connection. */
  private onChecked(conn: TcpConnection): void {
    conn.checked = true;
    clearTimeout(conn.firstFrameTimer);
    if (conn.listener.tcpUnchecked.delete(conn)) conn.listener.tcpChecked.add(conn);
  }

  /** We close it (deadline, bad framing, eviction): its slot is free at once, before 'close'. */
  private close(conn: TcpConnection): void {
    this.counters.tcpConnectionsRejected++;
    this.release(conn);
    conn.socket.destroy();
  }

  private refuse(socket: TcpSocket): void {
    this.counters.tcpConnectionsRejected++;
    socket.destroy();
  }

  private onClose(conn: TcpConnection): void {
    this.release(conn);
    this.events.onClose(conn);
  }

  private release(conn: TcpConnection): void {
    if (conn.released) return;
    conn.released = true;
    clearTimeout(conn.firstFrameTimer);
    clearTimeout(conn.authTimer);
    this.byId.delete(conn.id);
    conn.listener.tcpUnchecked.delete(conn);
    conn.listener.tcpChecked.delete(conn);
    this.releasePending(conn);
    conn.listener.tcpOpen--;
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

/** The oldest member of an insertion-ordered set. */
function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
