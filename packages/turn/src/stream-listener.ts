/**
 * TURN over TCP and TLS between client and server (RFC 8656 §3.1, UDP
 * relays): each connection is one 5-tuple with at most one allocation, framed
 * by {@link TurnStreamFramer}. A connection that cannot be framed is closed;
 * so is one that has not allocated within `authTimeoutMs`, and connections
 * above the cap are refused.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions } from 'node:tls';
import { StreamTupleScope } from './tuple-scope.js';
import { StreamTurnClient } from './turn-client.js';
import type { TurnProtocol } from './turn-protocol.js';
import { TurnStreamFramer } from './turn-stream-framer.js';

export interface StreamListenerOptions {
  protocol: 'tcp' | 'tls';
  address: string;
  port: number;
  tls?: SecureContextOptions;
  maxConnections: number;
  authTimeoutMs: number;
}

export class StreamListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly protocol: TurnProtocol,
    private readonly options: StreamListenerOptions,
  ) {
    const onSocket = (socket: Socket) => this.onConnection(socket);
    this.server =
      options.protocol === 'tls'
        ? createTlsServer({ ...options.tls }, onSocket)
        : createTcpServer({ noDelay: true }, onSocket);
    // A failed TLS handshake is the client's problem, not a server error.
    this.server.on('tlsClientError', (_e, socket) => socket.destroy());
  }

  static async listen(protocol: TurnProtocol, options: StreamListenerOptions): Promise<StreamListener> {
    const l = new StreamListener(protocol, options);
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(options.port, options.address, () => {
        l.server.off('error', reject);
        resolve();
      });
    });
    l.server.on('error', () => {
      l.protocol.stats.sendErrors++;
    });
    return l;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : this.options.port;
  }

  private onConnection(socket: Socket): void {
    const stats = this.protocol.stats;
    if (this.sockets.size >= this.options.maxConnections) {
      stats.streamConnectionsRefused++;
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    stats.streamConnections++;
    socket.setNoDelay(true);
    const address = socket.remoteAddress ?? '';
    const port = socket.remotePort ?? 0;
    const client = new StreamTurnClient(this.options.protocol, socket, address, port, () => {
      stats.sendErrors++;
    });
    let timer: NodeJS.Timeout | undefined = setTimeout(() => socket.destroy(), this.options.authTimeoutMs);
    timer.unref();
    const scope = new StreamTupleScope(client, () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    });
    const framer = new TurnStreamFramer((message) =>
      this.protocol.handlePacket(scope, address, port, message, message.length),
    );
    socket.on('data', (chunk: Buffer) => {
      if (!framer.push(chunk)) {
        stats.streamFramingErrors++;
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (timer !== undefined) clearTimeout(timer);
      scope.closed = true;
      this.sockets.delete(socket);
      stats.streamConnections--;
      this.protocol.dropScope(scope, address, port);
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
