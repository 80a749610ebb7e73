/**
 * The I/O thread: owns every UDP socket and TCP listener of the process and
 * demultiplexes what arrives to the worker threads (see `io-protocol.ts`).
 * This file is its entry and its control plane — the main thread's requests
 * (attach and detach workers, counters) and each worker's (listen, ufrags,
 * tuple binding) — over the parts that carry packets:
 * - `sockets.ts`: listening sockets, shared by reference;
 * - `tcp-connections.ts`: ICE-TCP admission (caps, eviction, deadlines), RFC 4571 deframing;
 * - `tuple-table.ts`: the tuples workers validated and bound;
 * - `routing.ts`: datagrams and frames into the workers' rings;
 * - `send-path.ts`: the workers' rings out to sockets and connections.
 * A tuple becomes known only when the owning worker's ICE agent validated a
 * request from it and asked for it (`bindTuple`).
 *
 * Started by `IoThreadStrategy` (main thread) as a `worker_threads` thread.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Socket as TcpSocket } from 'node:net';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { IceUfragTable } from '@tsfu/ice-lite';
import { threadHeapForTesting } from '../heap-for-testing.js';
import { Channel, type RequestHandlers } from '../protocol/channel.js';
import {
  type IoBindTupleRequest,
  type IoCounters,
  type IoEnd,
  type IoLinkEnd,
  type IoMainMethods,
  type IoMethods,
  type IoStrategyEnd,
  type IoThreadMainEnd,
  PROTOCOL_TCP,
  zeroIoCounters,
} from '../protocol/io-protocol.js';
import { PacketRingReader, PacketRingWriter } from '../protocol/packet-ring.js';
import { attachThreadLog, setThreadLogSettings, ThreadLogger } from '../protocol/thread-logger.js';
import type { IoWorker } from './io-worker.js';
import { Routing } from './routing.js';
import { SendPath } from './send-path.js';
import { type IoSocket, IoSockets, type SocketEvents } from './sockets.js';
import { type TcpConnection, TcpConnections } from './tcp-connections.js';
import { TupleTable } from './tuple-table.js';

/** The I/O thread has no logLevel of its own: it forwards warnings and errors, at most this many a second. */
const IO_LOG_LINES_PER_SECOND = 20;

class IoThread implements SocketEvents {
  private readonly workers = new Map<number, IoWorker>();
  /** Which worker registered each local ufrag. */
  private readonly owners = new IceUfragTable<number>();
  /** The table sizes in it are filled in by `getCounters()`. */
  private readonly counters: IoCounters = zeroIoCounters();
  private readonly sockets: IoSockets;
  private readonly tuples: TupleTable;
  private readonly tcp: TcpConnections;
  private readonly routing: Routing;
  private readonly sendPath: SendPath;
  readonly onUdp: SocketEvents['onUdp'];

  constructor(
    main: Channel<IoThreadMainEnd, IoStrategyEnd>,
    private readonly allowCrashForTesting: boolean,
  ) {
    const counters = this.counters;
    this.sockets = new IoSockets(this, counters);
    this.tuples = new TupleTable(counters, (index) => this.workers.get(index));
    this.routing = new Routing(this.workers, this.owners, this.tuples, counters);
    this.onUdp = this.routing.onUdp;
    this.tcp = new TcpConnections(
      {
        allocateId: () => this.tuples.allocateId(),
        onFrame: (conn, frame) => this.routing.onTcpFrame(conn, frame),
        onClose: (conn) => this.onTcpClose(conn),
      },
      counters,
    );
    this.sendPath = new SendPath(this.sockets, this.tuples, this.tcp, counters);
    main.serve(this.mainHandlers());
  }

  // ---- the main thread -------------------------------------------------------------------

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
      'tsfu.heapForTesting': () => threadHeapForTesting(),
    };
  }

  private getCounters(): IoCounters {
    return {
      ...this.counters,
      tuples: this.tuples.size,
      ufrags: [...this.workers.values()].reduce((n, w) => n + w.ufrags.size, 0),
      sockets: this.sockets.size,
      tcpConnections: this.tcp.size,
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
      this.sendPath.drain(worker);
      switch (n.event) {
        case 'unbindTuple':
          this.tuples.unbind(worker, n.data);
          break;
        case 'unlisten':
          for (const index of n.data) this.sockets.unlisten(worker.index, index);
          break;
      }
    });
    void this.sendPath.pump(worker);
  }

  private removeWorker(index: number): void {
    const worker = this.workers.get(index);
    if (!worker) return;
    // What it queued (close_notify records) goes out before its tuples and sockets do.
    this.sendPath.drain(worker);
    worker.closed = true;
    this.workers.delete(index);
    for (const ufrag of worker.ufrags) this.owners.delete(ufrag);
    for (const id of [...worker.tuples]) this.tuples.unbind(worker, id);
    this.sockets.releaseWorker(index);
    worker.channel.close();
    worker.port.close();
  }

  // ---- a worker --------------------------------------------------------------------------

  /** A worker's requests, each handled after every packet it queued before it (io-protocol.ts). */
  private workerHandlers(worker: IoWorker): RequestHandlers<IoMethods> {
    const drain = () => this.sendPath.drain(worker);
    return {
      listen: (requests) => {
        drain();
        return this.sockets.listen(worker.index, requests);
      },
      registerUfrag: (ufrag) => {
        drain();
        this.owners.set(ufrag, worker.index);
        worker.ufrags.add(ufrag);
      },
      unregisterUfrag: (ufrag) => {
        drain();
        if (worker.ufrags.delete(ufrag)) this.owners.delete(ufrag);
      },
      bindTuple: (request) => {
        drain();
        return this.bindTuple(worker, request);
      },
    };
  }

  private bindTuple(worker: IoWorker, d: IoBindTupleRequest): number {
    for (const a of d.evict) this.tuples.evict(worker, d.owner, a);
    if (d.protocol !== PROTOCOL_TCP)
      return this.sockets.get(d.socketIndex) ? this.tuples.bindUdp(worker, d) : 0;
    const conn = this.tcp.get(d.connId);
    if (!conn || (conn.worker >= 0 && conn.worker !== worker.index)) return 0;
    const id = this.tuples.bindTcp(worker, d, conn);
    if (id !== 0) this.tcp.claim(conn, worker.index);
    return id;
  }

  // ---- SocketEvents and connections ------------------------------------------------------

  onUdpToOwner(socket: IoSocket, msg: Buffer, rinfo: RemoteInfo): void {
    // A transport's own socket has one worker holding it.
    const owner = socket.refs.keys().next().value;
    this.routing.onUdpToOwner(owner ?? -1, socket.index, msg, rinfo);
  }

  onTcpConnection(listener: IoSocket, socket: TcpSocket): void {
    if (this.sockets.get(listener.index) !== listener) {
      // Accepted as the listener was closing.
      this.counters.tcpConnectionsRejected++;
      socket.destroy();
      return;
    }
    this.tcp.accept(listener, socket);
  }

  onSocketClosing(socket: IoSocket): void {
    for (const id of this.tuples.idsOnSocket(socket.index)) {
      const tuple = this.tuples.get(id);
      const w = tuple && this.workers.get(tuple.worker);
      if (w) this.tuples.unbind(w, id);
    }
    this.tcp.destroyOnSocket(socket.index);
  }

  private onTcpClose(conn: TcpConnection): void {
    const worker = this.tuples.forgetTcp(conn.id);
    worker?.channel.notify('tcpclosed', String(conn.id));
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
