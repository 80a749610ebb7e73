/**
 * The WebSocket side of the protocol: one connection per page. Each text
 * frame is checked by `parseRequestFrame` and answered exactly once; a bad
 * frame gets an error response and the connection stays up. A closed socket
 * takes its peer out of its room.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type ErrorBody,
  encodeError,
  encodeNotification,
  encodeResponse,
  parseRequestFrame,
  type ServerStats,
  SignalError,
  type ValidRequest,
} from '../signalling/protocol.js';
import type { Peer, PeerLink, Room } from './room.js';
import type { RoomRegistry } from './rooms.js';

export interface SignallingOptions {
  maxMessageBytes: number;
  /** Requests one connection may have in flight. */
  maxInFlight?: number;
  /** Ping interval: a connection that misses a pong is dropped (default 15 s). */
  pingIntervalMs?: number;
}

/** What the server counts (the fuzz test reads it). */
export interface SignallingCounters {
  connections: number;
  requests: number;
  errors: number;
  /** Errors thrown by handlers that were not SignalErrors (SFU refusals, bugs): answered, logged. */
  handlerFailures: number;
}

interface Connection {
  socket: WebSocket;
  link: PeerLink;
  room?: Room;
  peer?: Peer;
  joining: boolean;
  inFlight: number;
  alive: boolean;
}

export class SignallingServer {
  readonly counters: SignallingCounters = { connections: 0, requests: 0, errors: 0, handlerFailures: 0 };
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly pingTimer: NodeJS.Timeout;
  private shuttingDown = false;

  constructor(
    http: HttpServer,
    private readonly registry: RoomRegistry,
    private readonly options: SignallingOptions,
    private readonly log: (line: string) => void,
  ) {
    // Frames a bit over the limit still get a 'too-large' answer; far over it, ws closes with 1009.
    this.wss = new WebSocketServer({
      server: http,
      path: '/ws',
      maxPayload: options.maxMessageBytes * 2 + 1024,
    });
    this.wss.on('connection', (socket, req) => this.accept(socket, req));
    this.wss.on('error', (err) => this.log(`signalling server error: ${err.message}`));
    this.pingTimer = setInterval(() => this.ping(), options.pingIntervalMs ?? 15_000);
    this.pingTimer.unref();
  }

  /** Tells every page the server is going away, then closes the sockets. */
  async shutdown(reason: string): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.pingTimer);
    const closed: Promise<void>[] = [];
    for (const c of this.connections) {
      if (c.socket.readyState !== c.socket.OPEN) continue;
      c.socket.send(encodeNotification('serverShutdown', { reason }));
      closed.push(new Promise((resolve) => c.socket.once('close', () => resolve())));
      c.socket.close(1001, 'server shutting down');
    }
    // Pages get a moment to answer the close handshake; then whatever is left is cut.
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Pushes a notification to every joined peer (server stats). */
  broadcastStats(stats: ServerStats): void {
    for (const c of this.connections) c.peer?.notify('serverStats', stats);
  }

  private accept(socket: WebSocket, req: IncomingMessage): void {
    this.counters.connections++;
    const conn: Connection = {
      socket,
      joining: false,
      inFlight: 0,
      alive: true,
      link: {
        send: (text) => {
          if (socket.readyState === socket.OPEN) socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason.slice(0, 120)),
      },
    };
    this.connections.add(conn);
    socket.on('pong', () => {
      conn.alive = true;
    });
    socket.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    // ws reports protocol violations (bad UTF-8, oversized frames) here and closes the socket.
    socket.on('error', (err) => this.log(`socket error from ${req.socket.remoteAddress}: ${err.message}`));
    socket.on('close', () => {
      this.connections.delete(conn);
      if (conn.peer && conn.room) conn.room.leave(conn.peer, 'socket closed');
    });
  }

  private ping(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    // ws hands text frames over as one Buffer (binaryType 'nodebuffer'); the other shapes only for safety.
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      this.fail(conn, null, { code: 'bad-frame', message: 'binary frames are not accepted' });
      return;
    }
    const parsed = parseRequestFrame(buf.toString('utf8'), buf.length, this.options.maxMessageBytes);
    if (!parsed.ok) {
      this.fail(conn, parsed.id, parsed.error);
      return;
    }
    const { request } = parsed;
    this.counters.requests++;
    if (this.shuttingDown) {
      this.fail(conn, request.id, { code: 'shutting-down', message: 'server is shutting down' });
      return;
    }
    if (conn.inFlight >= (this.options.maxInFlight ?? 32)) {
      this.fail(conn, request.id, { code: 'rejected', message: 'too many requests in flight' });
      return;
    }
    conn.inFlight++;
    this.dispatch(conn, request).then(
      (result) => {
        conn.inFlight--;
        conn.link.send(encodeResponse(request.id, result));
      },
      (error: unknown) => {
        conn.inFlight--;
        this.fail(conn, request.id, this.toErrorBody(request, error));
      },
    );
  }

  private async dispatch(conn: Connection, request: ValidRequest): Promise<unknown> {
    switch (request.method) {
      case 'join': {
        if (conn.peer || conn.joining) throw new SignalError('already-joined', 'already joined a room');
        conn.joining = true;
        try {
          const room = await this.registry.getOrCreate(request.data.roomId);
          if (conn.socket.readyState !== conn.socket.OPEN)
            throw new SignalError('not-joined', 'socket closed');
          const peer = room.join(request.data.displayName, conn.link);
          conn.room = room;
          conn.peer = peer;
          return room.welcome(peer);
        } finally {
          conn.joining = false;
        }
      }
      case 'getServerStats':
        return this.registry.stats();
      default: {
        const { room, peer } = conn;
        if (!room || !peer || peer.closed)
          throw new SignalError('not-joined', `${request.method} needs join first`);
        const result = await room.handle(peer, request.method, request.data as never);
        if (request.method === 'leave') {
          conn.room = undefined;
          conn.peer = undefined;
        }
        return result;
      }
    }
  }

  private toErrorBody(request: ValidRequest, error: unknown): ErrorBody {
    if (error instanceof SignalError) return { code: error.code, message: error.message };
    // The SFU's TypeError/UnsupportedError/NotFoundError for parameters it refuses.
    this.counters.handlerFailures++;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log(`request ${request.method} failed: ${message}`);
    return { code: 'rejected', message: message.slice(0, 300) };
  }

  private fail(conn: Connection, id: number | null, error: ErrorBody): void {
    this.counters.errors++;
    conn.link.send(encodeError(id, error));
  }
}
