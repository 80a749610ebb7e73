/**
 * The I/O thread's tuple table: the 5-tuples (and TCP connections) workers'
 * ICE agents validated and bound, by id and — for UDP, per datagram — by
 * socket → remote address → remote port, with no key string built per
 * datagram. Tuples are counted per owning transport and capped there; a
 * tuple validated again by another transport moves to it.
 */
import {
  type IoBindTupleRequest,
  type IoCounters,
  type IoTupleAddress,
  PROTOCOL_TCP,
} from '../protocol/io-protocol.js';
import type { IoWorker } from './io-worker.js';
import type { TcpConnection } from './tcp-connections.js';

export interface IoTuple {
  id: number;
  worker: number;
  socketIndex: number;
  address: string;
  port: number;
  /** True for a UDP tuple (in the address table), false for a TCP connection. */
  udp: boolean;
  conn?: TcpConnection;
  /** The transport (in its worker) that bound it: tuples are capped per transport. */
  owner: number;
}

export class TupleTable {
  private readonly byId = new Map<number, IoTuple>();
  /** UDP tuples by socket index → remote address → remote port. */
  private readonly udpTuples = new Map<number, Map<string, Map<number, IoTuple>>>();
  private nextId = 1;

  constructor(
    private readonly counters: IoCounters,
    private readonly workerOf: (index: number) => IoWorker | undefined,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** A fresh id (TCP connections take theirs from here too: a bound connection's tuple id is its id). */
  allocateId(): number {
    return this.nextId++;
  }

  get(id: number): IoTuple | undefined {
    return this.byId.get(id);
  }

  /** The UDP tuple of a datagram, if bound (the receive path's lookup). */
  udp(socketIndex: number, address: string, port: number): IoTuple | undefined {
    return this.udpTuples.get(socketIndex)?.get(address)?.get(port);
  }

  /** Ids of the tuples on socket `socketIndex`. */
  idsOnSocket(socketIndex: number): number[] {
    const ids: number[] = [];
    for (const t of this.byId.values()) if (t.socketIndex === socketIndex) ids.push(t.id);
    return ids;
  }

  /** Binds TCP connection `conn` to `worker` (first forgetting `d.evict`); its id, or 0 when refused. */
  bindTcp(worker: IoWorker, d: IoBindTupleRequest, conn: TcpConnection): number {
    if (this.byId.has(conn.id)) return conn.id;
    if (this.atCap(worker, d)) return 0;
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
    this.byId.set(conn.id, tuple);
    worker.tuples.add(conn.id);
    this.count(worker, d.owner, 1);
    return conn.id;
  }

  /** Binds the UDP tuple `d` to `worker`; its id, or 0 when refused (tuple cap). */
  bindUdp(worker: IoWorker, d: IoBindTupleRequest): number {
    const existing = this.udp(d.socketIndex, d.address, d.port);
    if (existing) {
      if (existing.worker === worker.index && existing.owner === d.owner) return existing.id;
      if (this.atCap(worker, d)) return 0;
      // The tuple moved to another transport (a client reused its port): the newest validation wins.
      const old = this.workerOf(existing.worker);
      if (old) {
        old.tuples.delete(existing.id);
        this.count(old, existing.owner, -1);
        // Another worker's transport held it: tell that worker its session there is over.
        if (old !== worker) old.channel.notify('tupletakenover', String(existing.id));
      }
      existing.worker = worker.index;
      existing.owner = d.owner;
      worker.tuples.add(existing.id);
      this.count(worker, d.owner, 1);
      return existing.id;
    }
    if (this.atCap(worker, d)) return 0;
    const tuple: IoTuple = {
      id: this.nextId++,
      worker: worker.index,
      socketIndex: d.socketIndex,
      address: d.address,
      port: d.port,
      udp: true,
      owner: d.owner,
    };
    this.byId.set(tuple.id, tuple);
    this.count(worker, d.owner, 1);
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
  evict(worker: IoWorker, owner: number, a: IoTupleAddress): void {
    const tuple =
      a.protocol === PROTOCOL_TCP ? this.byId.get(a.connId) : this.udp(a.socketIndex, a.address, a.port);
    if (tuple && tuple.worker === worker.index && tuple.owner === owner) this.unbind(worker, tuple.id);
  }

  /** Forgets tuple `id` of `worker`; a TCP connection ends (after what is queued), as mediasoup does. */
  unbind(worker: IoWorker, id: number): void {
    const tuple = this.byId.get(id);
    if (!tuple || tuple.worker !== worker.index) return;
    this.byId.delete(id);
    worker.tuples.delete(id);
    this.count(worker, tuple.owner, -1);
    if (tuple.udp) {
      const byAddress = this.udpTuples.get(tuple.socketIndex);
      const byPort = byAddress?.get(tuple.address);
      if (byPort?.get(tuple.port) === tuple) {
        byPort.delete(tuple.port);
        if (byPort.size === 0) byAddress?.delete(tuple.address);
        if (byAddress?.size === 0) this.udpTuples.delete(tuple.socketIndex);
      }
    }
    tuple.conn?.socket.end();
  }

  /** TCP connection `id` closed: its tuple goes; returns the worker it belonged to. */
  forgetTcp(id: number): IoWorker | undefined {
    const tuple = this.byId.get(id);
    if (!tuple) return undefined;
    this.byId.delete(id);
    const worker = this.workerOf(tuple.worker);
    if (!worker) return undefined;
    worker.tuples.delete(id);
    this.count(worker, tuple.owner, -1);
    return worker;
  }

  /** True (and counted) when the transport asking already has its most tuples bound. */
  private atCap(worker: IoWorker, d: IoBindTupleRequest): boolean {
    if ((worker.tuplesByOwner.get(d.owner) ?? 0) < d.maxTuples) return false;
    this.counters.tuplesRejectedOverCap++;
    return true;
  }

  private count(worker: IoWorker, owner: number, delta: 1 | -1): void {
    const n = (worker.tuplesByOwner.get(owner) ?? 0) + delta;
    if (n > 0) worker.tuplesByOwner.set(owner, n);
    else worker.tuplesByOwner.delete(owner);
  }
}
