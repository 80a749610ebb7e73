/**
 * The I/O thread: owns every UDP socket and TCP listener of the process and
 * demultiplexes what arrives to the worker threads (see `io-protocol.ts`):
 * a known tuple goes to its owner; a STUN Binding Request from an unknown
 * tuple goes to the worker that registered the local ufrag in its USERNAME
 * (nothing is stored for it); everything else is dropped and counted. A tuple
 * becomes known only when the owning worker's ICE agent validated a request
 * from it and asked for it (`bindTuple`).
 *
 * Started by `IoThreadStrategy` (main thread) as a `worker_threads` thread.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { frameRfc4571, IceUfragTable, Rfc4571Deframer } from '@tsfu/ice-lite';
import { ipLiteralLookup } from '../ip-literal-lookup.js';
import { LIMIT_DEFAULTS } from '../limits.js';
import { Channel, type RequestHandlers } from '../protocol/channel.js';
import {
  ADDRESS_HEADER_LENGTH,
  type IoBindTupleRequest,
  type IoCounters,
  type IoEnd,
  type IoLinkEnd,
  type IoListenRequest,
  type IoMainMethods,
  type IoMethods,
  type IoSocketInfo,
  type IoStrategyEnd,
  type IoThreadMainEnd,
  type IoTupleAddress,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  readAddressHeader,
  TUPLE_UNKNOWN,
  writeAddressHeader,
  zeroIoCounters,
} from '../protocol/io-protocol.js';
import { PacketRingReader, PacketRingWriter } from '../protocol/packet-ring.js';
import { attachThreadLog, setThreadLogSettings, ThreadLogger } from '../protocol/thread-logger.js';

const logger = new ThreadLogger('IoThread');
/** The I/O thread has no logLevel of its own: it forwards warnings and errors, at most this many a second. */
const IO_LOG_LINES_PER_SECOND = 20;

interface IoSocket {
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
  /** Open TCP connections on this listener. */
  tcpOpen: number;
  /** Open connections no worker claimed yet, by source address. */
  pendingByIp: Map<string, number>;
}

interface IoTuple {
  id: number;
  worker: number;
  socketIndex: number;
  address: string;
  port: number;
  /** True for a UDP tuple (in `udpTuples`), false for a TCP connection. */
  udp: boolean;
  conn?: TcpConnection;
  /** The transport (in its worker) that bound it: tuples are capped per transport. */
  owner: number;
}

interface TcpConnection {
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

interface IoWorker {
  index: number;
  channel: Channel<IoEnd, IoLinkEnd>;
  port: MessagePort;
  writer: PacketRingWriter;
  reader: PacketRingReader;
  ufrags: Set<string>;
  tuples: Set<number>;
  /** Bound tuples per owning transport. */
  tuplesByOwner: Map<number, number>;
  closed: boolean;
  flushScheduled: boolean;
}

class IoThread {
  private readonly sockets = new Map<number, IoSocket>();
  private readonly socketsByKey = new Map<string, IoSocket>();
  private readonly workers = new Map<number, IoWorker>();
  private readonly owners = new IceUfragTable<number>();
  private readonly tuples = new Map<number, IoTuple>();
  /** UDP tuples by socket index → remote address → remote port: no key string is built per datagram. */
  private readonly udpTuples = new Map<number, Map<string, Map<number, IoTuple>>>();
  private readonly tcpConnections = new Map<number, TcpConnection>();
  private nextSocketIndex = 1;
  private nextTupleId = 1;
  /** Header + packet for STUN routed by ufrag (reused: nothing allocated for unknown tuples). */
  private readonly scratch = Buffer.allocUnsafe(ADDRESS_HEADER_LENGTH + 65536);
  /** The table sizes in it are filled in by `getCounters()`. */
  private readonly counters: IoCounters = zeroIoCounters();

  constructor(
    main: Channel<IoThreadMainEnd, IoStrategyEnd>,
    private readonly allowCrashForTesting: boolean,
  ) {
    main.serve(this.mainHandlers());
  }

  private mainHandlers(): RequestHandlers<IoMainMethods> {
    return {
      addWorker: (d) => this.addWorker(d.index, d.port, d.toWorker, d.fromWorker),
      removeWorker: (d) => this.removeWorker(d.index),
      getCounters: () => this.getCounters(),
      'tsfu.crashForTesting': () => {
        // Only the main thread can ask (never a packet), and only when the process opted in.
        if (!this.allowCrashForTesting) throw new Error('crashForTesting is disabled in this process');
        setImmediate(() => {
          throw new Error('I/O thread crashed on purpose (crashIoThreadForTesting)');
        });
      },
    };
  }

  getCounters(): IoCounters {
    return {
      ...this.counters,
      tuples: this.tuples.size,
      ufrags: [...this.workers.values()].reduce((n, w) => n + w.ufrags.size, 0),
      sockets: this.sockets.size,
      tcpConnections: this.tcpConnections.size,
    };
  }

  private addWorker(
    index: number,
    port: MessagePort,
    toWorker: SharedArrayBuffer,
    fromWorker: SharedArrayBuffer,
  ): void {
    const channel = new Channel<IoEnd, IoLinkEnd>(port);
    const worker: IoWorker = {
      index,
      channel,
      port,
      writer: new PacketRingWriter(toWorker),
      reader: new PacketRingReader(fromWorker),
      ufrags: new Set(),
      tuples: new Set(),
      tuplesByOwner: new Map(),
      closed: false,
      flushScheduled: false,
    };
    this.workers.set(index, worker);
    channel.serve(this.workerHandlers(worker));
    channel.onNotification((n) => {
      // Behind every packet this worker queued before it (io-protocol.ts).
      this.drain(worker);
      switch (n.event) {
        case 'unbindTuple':
          this.unbindTuple(worker, n.data);
          break;
        case 'unlisten':
          for (const index of n.data) this.unlisten(worker, index);
          break;
      }
    });
    void this.pump(worker);
  }

  private removeWorker(index: number): void {
    const worker = this.workers.get(index);
    if (!worker) return;
    // What it queued (close_notify records) goes out before its tuples and sockets do.
    this.drain(worker);
    worker.closed = true;
    this.workers.delete(index);
    for (const ufrag of worker.ufrags) this.owners.delete(ufrag);
    for (const id of worker.tuples) this.unbindTuple(worker, id);
    for (const socket of [...this.sockets.values()]) {
      if (socket.refs.delete(index) && socket.refs.size === 0) this.closeSocket(socket);
    }
    worker.channel.close();
    worker.port.close();
  }

  /** A worker's requests, each handled after every packet it queued before it (io-protocol.ts). */
  private workerHandlers(worker: IoWorker): RequestHandlers<IoMethods> {
    return {
      listen: (requests) => {
        this.drain(worker);
        return this.listen(worker, requests);
      },
      registerUfrag: (ufrag) => {
        this.drain(worker);
        this.owners.set(ufrag, worker.index);
        worker.ufrags.add(ufrag);
      },
      unregisterUfrag: (ufrag) => {
        this.drain(worker);
        if (worker.ufrags.delete(ufrag)) this.owners.delete(ufrag);
      },
      bindTuple: (request) => {
        this.drain(worker);
        return this.bindTuple(worker, request);
      },
    };
  }

  // ---- sockets ---------------------------------------------------------------------------

  private async listen(worker: IoWorker, requests: IoListenRequest[]): Promise<IoSocketInfo[]> {
    const opened: IoSocket[] = [];
    try {
      for (const req of requests) {
        const key = `${req.protocol}|${req.ip}|${req.port}`;
        let socket = req.shared && req.port !== 0 ? this.socketsByKey.get(key) : undefined;
        if (socket && !socket.shared) {
          throw new Error(`${req.protocol} ${req.ip}:${req.port} is in use by a transport (EADDRINUSE)`);
        }
        if (!socket) socket = await this.openSocket(req);
        socket.refs.set(worker.index, (socket.refs.get(worker.index) ?? 0) + 1);
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

  private unlisten(worker: IoWorker, index: number): void {
    const socket = this.sockets.get(index);
    if (!socket) return;
    const n = socket.refs.get(worker.index) ?? 0;
    if (n <= 1) socket.refs.delete(worker.index);
    else socket.refs.set(worker.index, n - 1);
    if (socket.refs.size === 0) this.closeSocket(socket);
  }

  private async openSocket(req: IoListenRequest): Promise<IoSocket> {
    const index = this.nextSocketIndex++;
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
      tcpOpen: 0,
      pendingByIp: new Map(),
    };
    let socket: IoSocket;
    if (req.protocol === 'udp') {
      const udp = createSocket({
        type: isIPv6(req.ip) ? 'udp6' : 'udp4',
        lookup: ipLiteralLookup,
        reuseAddr: req.connectedUdp === true,
        recvBufferSize: req.recvBufferSize,
        sendBufferSize: req.sendBufferSize,
      });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: req.ip, port: req.port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      udp.on('error', (error) => {
        // ICMP-triggered send errors etc.: the socket stays usable (lines are rate-bounded).
        logger.warn(`openSocket() | UDP socket error [${req.ip}:${req.port}]: ${error.message}`);
      });
      if (req.loopbackOnly) {
        udp.on('message', (msg, rinfo) => {
          if (isLoopbackAddress(rinfo.address)) this.onUdp(index, msg, rinfo);
          else this.counters.droppedNotLoopback++;
        });
      } else {
        udp.on('message', (msg, rinfo) => this.onUdp(index, msg, rinfo));
      }
      socket = { ...base, key: '', port: udp.address().port, udp };
    } else {
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
      tcp.on('connection', (s) => this.onTcpConnection(index, s));
      const address = tcp.address();
      socket = { ...base, key: '', port: typeof address === 'object' && address ? address.port : 0, tcp };
    }
    socket.key = `${socket.protocol}|${socket.ip}|${socket.port}`;
    this.sockets.set(index, socket);
    this.socketsByKey.set(socket.key, socket);
    return socket;
  }

  private closeSocket(socket: IoSocket): void {
    this.sockets.delete(socket.index);
    if (this.socketsByKey.get(socket.key) === socket) this.socketsByKey.delete(socket.key);
    for (const tuple of [...this.tuples.values()]) {
      if (tuple.socketIndex === socket.index) {
        const w = this.workers.get(tuple.worker);
        if (w) this.unbindTuple(w, tuple.id);
      }
    }
    for (const conn of [...this.tcpConnections.values()]) {
      // A connection its transport ended already leaves once what was queued is sent.
      if (conn.socketIndex === socket.index && !conn.socket.writableEnded) conn.socket.destroy();
    }
    try {
      socket.udp?.close();
      socket.tcp?.close();
    } catch {
      // dgram's close() throws only when the socket is already closed, which is the goal here.
    }
  }

  // ---- receive path ----------------------------------------------------------------------

  private onUdp(socketIndex: number, msg: Buffer, rinfo: RemoteInfo): void {
    this.counters.udpDatagramsReceived++;
    const tuple = this.udpTuples.get(socketIndex)?.get(rinfo.address)?.get(rinfo.port);
    if (tuple !== undefined) {
      const worker = this.workers.get(tuple.worker);
      if (worker && this.deliver(worker, msg, msg.length, tuple.id, socketIndex))
        this.counters.routedByTuple++;
      return;
    }
    this.routeByUfrag(socketIndex, msg, rinfo.address, rinfo.port, PROTOCOL_UDP, 0);
  }

  private routeByUfrag(
    socketIndex: number,
    packet: Uint8Array,
    address: string,
    port: number,
    protocol: number,
    connId: number,
  ): void {
    const owner = this.owners.lookup(packet, packet.length);
    const worker = owner === undefined ? undefined : this.workers.get(owner);
    if (worker === undefined || packet.length > 65536) {
      this.counters.droppedUnknownTuple++;
      return;
    }
    const scratch = this.scratch;
    if (!writeAddressHeader(scratch, 0, address, port, protocol, connId)) {
      this.counters.droppedUnknownTuple++;
      return;
    }
    scratch.set(packet, ADDRESS_HEADER_LENGTH);
    if (this.deliver(worker, scratch, ADDRESS_HEADER_LENGTH + packet.length, TUPLE_UNKNOWN, socketIndex)) {
      this.counters.routedByUfrag++;
    }
  }

  private deliver(
    worker: IoWorker,
    data: Uint8Array,
    length: number,
    meta: number,
    socketIndex: number,
  ): boolean {
    if (!worker.writer.tryWrite(data, length, meta, socketIndex)) {
      this.counters.droppedRingFull++;
      return false;
    }
    if (!worker.flushScheduled) {
      worker.flushScheduled = true;
      setImmediate(this.flushAll);
    }
    return true;
  }

  // One publish per event-loop turn per worker, however many datagrams arrived.
  private readonly flushAll = (): void => {
    for (const worker of this.workers.values()) {
      if (worker.flushScheduled) {
        worker.flushScheduled = false;
        worker.writer.publish();
      }
    }
  };

  private onTcpConnection(socketIndex: number, socket: TcpSocket): void {
    const listener = this.sockets.get(socketIndex);
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (listener?.loopbackOnly && !isLoopbackAddress(address ?? '')) {
      this.counters.droppedNotLoopback++;
      socket.destroy();
      return;
    }
    if (!listener || !address || !port) {
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
    const id = this.nextTupleId++;
    const conn: TcpConnection = {
      id,
      socketIndex,
      listener,
      pending: true,
      socket,
      address,
      port,
      worker: -1,
      deframer: new Rfc4571Deframer((frame) => this.onTcpFrame(conn, frame)),
      authTimer: undefined,
    };
    conn.authTimer = setTimeout(() => {
      if (conn.worker < 0) {
        this.counters.tcpConnectionsRejected++;
        this.counters.tcpAuthTimeouts++;
        socket.destroy();
      }
    }, listener.tcpAuthTimeoutMs);
    this.tcpConnections.set(id, conn);
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
    socket.on('close', () => this.onTcpClose(conn));
  }

  private onTcpFrame(conn: TcpConnection, frame: Uint8Array): void {
    this.counters.tcpFramesReceived++;
    if (conn.worker >= 0) {
      const worker = this.workers.get(conn.worker);
      if (worker && this.deliver(worker, frame, frame.length, conn.id, conn.socketIndex)) {
        this.counters.routedByTuple++;
      }
      return;
    }
    this.routeByUfrag(conn.socketIndex, frame, conn.address, conn.port, PROTOCOL_TCP, conn.id);
  }

  private onTcpClose(conn: TcpConnection): void {
    clearTimeout(conn.authTimer);
    this.tcpConnections.delete(conn.id);
    this.releasePending(conn);
    conn.listener.tcpOpen--;
    const tuple = this.tuples.get(conn.id);
    if (tuple) {
      this.tuples.delete(conn.id);
      const worker = this.workers.get(tuple.worker);
      if (worker) {
        worker.tuples.delete(conn.id);
        this.countTuple(worker, tuple.owner, -1);
        worker.channel.notify('tcpclosed', String(conn.id));
      }
    }
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

  // ---- tuples ----------------------------------------------------------------------------

  private bindTuple(worker: IoWorker, d: IoBindTupleRequest): number {
    for (const a of d.evict) this.evictTuple(worker, d.owner, a);
    if (d.protocol === PROTOCOL_TCP) {
      const conn = this.tcpConnections.get(d.connId);
      if (!conn || (conn.worker >= 0 && conn.worker !== worker.index)) return 0;
      if (this.tuples.has(conn.id)) return conn.id;
      if (this.atTupleCap(worker, d)) return 0;
      conn.worker = worker.index;
      clearTimeout(conn.authTimer);
      this.releasePending(conn);
      const tuple: IoTuple = {
        id: conn.id,
        worker: worker.index,
        socketIndex: conn.socketIndex,
        address: conn.address,
        port: conn.port,
        udp: false,
        conn,
        owner: d.owner,
      };
      this.tuples.set(conn.id, tuple);
      worker.tuples.add(conn.id);
      this.countTuple(worker, d.owner, 1);
      return conn.id;
    }
    if (!this.sockets.has(d.socketIndex)) return 0;
    const existing = this.udpTuples.get(d.socketIndex)?.get(d.address)?.get(d.port);
    if (existing) {
      if (existing.worker === worker.index && existing.owner === d.owner) return existing.id;
      if (this.atTupleCap(worker, d)) return 0;
      // The tuple moved to another transport (a client reused its port): the newest validation wins.
      const old = this.workers.get(existing.worker);
      if (old) {
        old.tuples.delete(existing.id);
        this.countTuple(old, existing.owner, -1);
      }
      existing.worker = worker.index;
      existing.owner = d.owner;
      worker.tuples.add(existing.id);
      this.countTuple(worker, d.owner, 1);
      return existing.id;
    }
    if (this.atTupleCap(worker, d)) return 0;
    const tuple: IoTuple = {
      id: this.nextTupleId++,
      worker: worker.index,
      socketIndex: d.socketIndex,
      address: d.address,
      port: d.port,
      udp: true,
      owner: d.owner,
    };
    this.tuples.set(tuple.id, tuple);
    this.countTuple(worker, d.owner, 1);
    let byAddress = this.udpTuples.get(d.socketIndex);
    if (!byAddress) {
      byAddress = new Map();
      this.udpTuples.set(d.socketIndex, byAddress);
    }
    let byPort = byAddress.get(d.address);
    if (!byPort) {
      byPort = new Map();
      byAddress.set(d.address, byPort);
    }
    byPort.set(d.port, tuple);
    worker.tuples.add(tuple.id);
    return tuple.id;
  }

  /** Forgets the tuple at `a` if `owner` (in `worker`) still holds it. */
  private evictTuple(worker: IoWorker, owner: number, a: IoTupleAddress): void {
    const tuple =
      a.protocol === PROTOCOL_TCP
        ? this.tuples.get(a.connId)
        : this.udpTuples.get(a.socketIndex)?.get(a.address)?.get(a.port);
    if (tuple && tuple.worker === worker.index && tuple.owner === owner) this.unbindTuple(worker, tuple.id);
  }

  /** True (and counted) when the transport asking already has its most tuples bound. */
  private atTupleCap(worker: IoWorker, d: IoBindTupleRequest): boolean {
    if ((worker.tuplesByOwner.get(d.owner) ?? 0) < d.maxTuples) return false;
    this.counters.tuplesRejectedOverCap++;
    return true;
  }

  private countTuple(worker: IoWorker, owner: number, delta: 1 | -1): void {
    const n = (worker.tuplesByOwner.get(owner) ?? 0) + delta;
    if (n > 0) worker.tuplesByOwner.set(owner, n);
    else worker.tuplesByOwner.delete(owner);
  }

  private unbindTuple(worker: IoWorker, id: number): void {
    const tuple = this.tuples.get(id);
    if (!tuple || tuple.worker !== worker.index) return;
    this.tuples.delete(id);
    worker.tuples.delete(id);
    this.countTuple(worker, tuple.owner, -1);
    if (tuple.udp) {
      const byAddress = this.udpTuples.get(tuple.socketIndex);
      const byPort = byAddress?.get(tuple.address);
      if (byPort?.get(tuple.port) === tuple) {
        byPort.delete(tuple.port);
        if (byPort.size === 0) byAddress?.delete(tuple.address);
        if (byAddress?.size === 0) this.udpTuples.delete(tuple.socketIndex);
      }
    }
    // A closed transport closes its TCP connections (after what is queued), as mediasoup does.
    tuple.conn?.socket.end();
  }

  // ---- send path -------------------------------------------------------------------------

  private async pump(worker: IoWorker): Promise<void> {
    while (!worker.closed) {
      this.drain(worker);
      await worker.reader.waitAsync(500);
    }
  }

  /** Sends everything `worker` has published so far. */
  private drain(worker: IoWorker): void {
    const reader = worker.reader;
    while (reader.next()) {
      this.onWorkerRecord(worker, reader.data, reader.offset, reader.length, reader.meta, reader.aux);
    }
    reader.commit();
  }

  private onWorkerRecord(
    worker: IoWorker,
    data: Buffer,
    offset: number,
    length: number,
    meta: number,
    aux: number,
  ): void {
    if (meta === TUPLE_UNKNOWN) {
      const h = readAddressHeader(data, offset, length);
      if (!h) {
        this.counters.sendsDropped++;
        return;
      }
      const start = offset + ADDRESS_HEADER_LENGTH;
      const end = offset + length;
      if (h.protocol === PROTOCOL_TCP) {
        const conn = this.tcpConnections.get(h.connId);
        if (conn) this.sendTcp(conn.socket, data, start, end);
        else this.counters.sendsDropped++;
      } else {
        const socket = this.sockets.get(aux);
        if (socket?.udp) this.sendUdp(socket.udp, data, start, end, h.port, h.address);
        else this.counters.sendsDropped++;
      }
      return;
    }
    const tuple = this.tuples.get(meta);
    if (!tuple || tuple.worker !== worker.index) {
      this.counters.sendsDropped++;
      return;
    }
    if (tuple.conn) {
      this.sendTcp(tuple.conn.socket, data, offset, offset + length);
      return;
    }
    const socket = this.sockets.get(tuple.socketIndex);
    if (socket?.udp) this.sendUdp(socket.udp, data, offset, offset + length, tuple.port, tuple.address);
    else this.counters.sendsDropped++;
  }

  private sendUdp(
    udp: UdpSocket,
    data: Buffer,
    start: number,
    end: number,
    port: number,
    address: string,
  ): void {
    // dgram sends asynchronously (after an address lookup tick), and the ring slot is reused once
    // committed, so the datagram is copied out (a slice of Node's pool for small sizes).
    const copy = Buffer.allocUnsafe(end - start);
    data.copy(copy, 0, start, end);
    try {
      udp.send(copy, port, address);
      this.counters.packetsSent++;
    } catch (error) {
      // A socket closing under a queued send: counted (ioCounters.sendsDropped), lines rate-bounded.
      this.counters.sendsDropped++;
      logger.debug(`sendUdp() | send failed: ${error}`);
    }
  }

  private sendTcp(socket: TcpSocket, data: Buffer, start: number, end: number): void {
    if (socket.destroyed || end - start > 0xffff) {
      this.counters.sendsDropped++;
      return;
    }
    socket.write(frameRfc4571(data.subarray(start, end)));
    this.counters.packetsSent++;
  }
}

if (parentPort) {
  const port = parentPort;
  const channel = new Channel<IoThreadMainEnd, IoStrategyEnd>(port, { logger: new ThreadLogger('Channel') });
  attachThreadLog((line) => channel.sendLog(line), IO_LOG_LINES_PER_SECOND);
  setThreadLogSettings({ logLevel: 'warn' });
  const data = workerData as { allowCrashForTesting?: boolean } | undefined;
  new IoThread(channel, data?.allowCrashForTesting === true);
  channel.notify('ready', '');
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
