/**
 * Standalone transport for one {@link IceLiteAgent}: a UDP socket and/or a
 * passive TCP listener (RFC 6544, RFC 4571 framing). For using the package
 * alone and for tests against real peers; the SFU itself feeds agents from
 * its own I/O thread instead.
 *
 * Datagrams are demultiplexed per RFC 7983: STUN goes to the agent, anything
 * else is emitted as `data` only when it comes from a validated tuple.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIPv6, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { classifyPacket, PacketKind } from './demux.js';
import {
  hostCandidates,
  type IceCandidate,
  type IceCandidateOptions,
  type IceListenInfo,
  type IceProtocol,
} from './ice-candidate.js';
import type { IceParameters } from './ice-credentials.js';
import {
  IceLiteAgent,
  type IceLiteAgentOptions,
  type IceRemoteAddress,
  type IceTuple,
} from './ice-lite-agent.js';
import { frameRfc4571, Rfc4571Deframer } from './rfc4571-framing.js';

export interface IceLiteListenOptions {
  /** Local address to bind (e.g. `127.0.0.1`, `::1`, `0.0.0.0`). */
  address: string;
  /** Port to bind; 0 (the default) picks an ephemeral one. */
  port?: number;
  /** Address announced in the candidate instead of `address`. */
  announcedAddress?: string;
}

export interface IceLiteServerOptions extends IceCandidateOptions {
  udp?: IceLiteListenOptions;
  tcp?: IceLiteListenOptions;
  /** Agent options (its `send` is provided by the server). */
  agent?: Omit<IceLiteAgentOptions, 'send'>;
  /** Most simultaneous TCP connections (default 32); more are refused. */
  maxTcpConnections?: number;
  /** A TCP connection that has not sent a valid check by then is closed (default 10 000 ms). */
  tcpAuthTimeoutMs?: number;
  /** Cap on one RFC 4571 frame (default 65535). */
  maxTcpFrameLength?: number;
}

export interface IceLiteServerEvents {
  /** A non-STUN datagram or frame from a validated tuple (a view valid during the call). */
  data: [data: Buffer, from: IceTuple];
  /** A socket error; the server keeps running (errors are counted even with no listener). */
  error: [err: Error];
}

interface TcpConnection {
  socket: TcpSocket;
  remote: IceRemoteAddress;
  deframer: Rfc4571Deframer;
}

/** Counters of what the transports dropped before or beside the agent. */
export interface IceLiteServerCounters {
  /** Non-STUN packets from a tuple that never sent a valid check. */
  droppedUnvalidated: number;
  /** Packets that are neither STUN, DTLS nor RTP/RTCP. */
  droppedUnknown: number;
  /** TCP connections closed for a frame over the cap, no check in time, or over the connection cap. */
  tcpConnectionsRejected: number;
  /** Errors reported by the UDP socket or the TCP listener. */
  socketErrors: number;
}

export class IceLiteServer extends EventEmitter<IceLiteServerEvents> {
  readonly agent: IceLiteAgent;
  readonly counters: IceLiteServerCounters = {
    droppedUnvalidated: 0,
    droppedUnknown: 0,
    tcpConnectionsRejected: 0,
    socketErrors: 0,
  };
  private udp: UdpSocket | undefined;
  private tcp: TcpServer | undefined;
  private readonly connections = new Map<string, TcpConnection>();
  private _candidates: IceCandidate[] = [];
  private closed = false;

  private constructor(private readonly opts: IceLiteServerOptions) {
    super();
    this.agent = new IceLiteAgent({
      ...opts.agent,
      send: (data, remote, protocol) => this.sendRaw(data, remote, protocol),
    });
  }

  /** Binds the requested transports and returns a running server. */
  static async listen(opts: IceLiteServerOptions): Promise<IceLiteServer> {
    if (!opts.udp && !opts.tcp) throw new TypeError('IceLiteServer needs udp and/or tcp');
    const server = new IceLiteServer(opts);
    try {
      const infos: IceListenInfo[] = [];
      if (opts.udp) infos.push(await server.bindUdp(opts.udp));
      if (opts.tcp) infos.push(await server.bindTcp(opts.tcp));
      server._candidates = hostCandidates(infos, opts);
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  /** Host candidates for the transports bound. */
  get candidates(): IceCandidate[] {
    return this._candidates.map((c) => ({ ...c }));
  }

  get localParameters(): IceParameters {
    return this.agent.localParameters;
  }

  /** Sends `data` to the selected tuple; false when there is none. */
  send(data: Uint8Array): boolean {
    const t = this.agent.selectedTuple;
    if (!t) return false;
    return this.sendRaw(data, t, t.protocol);
  }

  /** Sends `data` to a tuple over its transport; false when that transport or connection is gone. */
  sendRaw(data: Uint8Array, remote: IceRemoteAddress, protocol: IceProtocol): boolean {
    if (this.closed) return false;
    if (protocol === 'udp') {
      if (!this.udp) return false;
      // dgram may queue the buffer; the agent reuses its own, so send a copy.
      this.udp.send(Buffer.from(data), remote.port, remote.address);
      return true;
    }
    const conn = this.connections.get(tcpKey(remote.address, remote.port));
    if (!conn || conn.socket.destroyed) return false;
    conn.socket.write(frameRfc4571(data));
    return true;
  }

  private dispatch(buf: Buffer, remote: IceRemoteAddress, protocol: 'udp' | 'tcp'): void {
    const kind = classifyPacket(buf, buf.length);
    if (kind === PacketKind.Stun) {
      this.agent.handleStun(buf, buf.length, remote, protocol);
      return;
    }
    if (kind === PacketKind.Unknown) {
      this.counters.droppedUnknown++;
      return;
    }
    const tuple = this.agent.validTuple(remote, protocol);
    if (tuple) this.emit('data', buf, tuple);
    else this.counters.droppedUnvalidated++;
  }

  private bindUdp(o: IceLiteListenOptions): Promise<IceListenInfo> {
    const socket = createSocket({ type: isIPv6(o.address) ? 'udp6' : 'udp4' });
    this.udp = socket;
    socket.on('message', (msg, rinfo) => this.dispatch(msg, rinfo, 'udp'));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port ?? 0, o.address, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.onSocketError(err));
        resolve({
          protocol: 'udp',
          ip: o.address,
          announcedAddress: o.announcedAddress,
          port: socket.address().port,
        });
      });
    });
  }

  private bindTcp(o: IceLiteListenOptions): Promise<IceListenInfo> {
    const server = createServer({ noDelay: true }, (socket) => this.onTcpConnection(socket));
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.address, () => {
        server.off('error', reject);
        server.on('error', (err) => this.onSocketError(err));
        const addr = server.address();
        resolve({
          protocol: 'tcp',
          ip: o.address,
          announcedAddress: o.announcedAddress,
          port: typeof addr === 'object' && addr ? addr.port : 0,
        });
      });
    });
  }

  private onTcpConnection(socket: TcpSocket): void {
    const max = this.opts.maxTcpConnections ?? 32;
    if (this.closed || this.connections.size >= max || !socket.remoteAddress || !socket.remotePort) {
      this.counters.tcpConnectionsRejected++;
      socket.destroy();
      return;
    }
    const remote: IceRemoteAddress = {
      address: socket.remoteAddress,
      port: socket.remotePort,
      family: socket.remoteFamily ?? 'IPv4',
    };
    const key = tcpKey(remote.address, remote.port);
    const deframer = new Rfc4571Deframer(
      (frame) => this.dispatch(frame as Buffer, remote, 'tcp'),
      this.opts.maxTcpFrameLength,
    );
    this.connections.set(key, { socket, remote, deframer });
    socket.on('data', (chunk: Buffer) => {
      if (!deframer.push(chunk)) {
        this.counters.tcpConnectionsRejected++;
        socket.destroy();
      }
    });
    socket.on('error', () => {
      // 'close' follows and cleans up.
    });
    socket.on('close', () => {
      this.connections.delete(key);
      this.agent.removeTuple(remote, 'tcp');
    });
    // Unauthenticated connections hold a slot and a frame buffer: give them a deadline.
    const authTimer = setTimeout(() => {
      if (!this.agent.isValidTuple(remote, 'tcp')) {
        this.counters.tcpConnectionsRejected++;
        socket.destroy();
      }
    }, this.opts.tcpAuthTimeoutMs ?? 10_000);
    authTimer.unref();
    socket.once('close', () => clearTimeout(authTimer));
  }

  private onSocketError(err: Error): void {
    this.counters.socketErrors++;
    // An 'error' event nobody listens to would throw; a socket error must not take the process down.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Closes the agent, the sockets and every TCP connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.agent.close();
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    const waits: Promise<void>[] = [];
    if (this.udp) {
      const udp = this.udp;
      waits.push(
        new Promise((r) => {
          try {
            udp.close(() => r());
          } catch {
            r(); // never bound
          }
        }),
      );
    }
    if (this.tcp) {
      const tcp = this.tcp;
      waits.push(new Promise((r) => tcp.close(() => r())));
    }
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all(waits);
  }
}

function tcpKey(address: string, port: number): string {
  return `${address}|${port}`;
}
