/**
 * The I/O thread's receive path: a datagram or TCP frame of a bound tuple
 * goes into its worker's ring as is (`meta` = tuple id); a STUN Binding
 * Request from an unknown tuple goes to the worker that registered the local
 * ufrag its USERNAME names, behind an address header (`meta` =
 * TUPLE_UNKNOWN; nothing is stored for it); anything else is dropped and
 * counted. Each worker's ring is published once per event-loop turn.
 */
import type { RemoteInfo } from 'node:dgram';
import type { IceUfragTable } from '@tsfu/ice-lite';
import {
  ADDRESS_HEADER_LENGTH,
  type IoCounters,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  TUPLE_UNKNOWN,
  writeAddressHeader,
} from '../protocol/io-protocol.js';
import type { IoWorker } from './io-worker.js';
import type { TcpConnection } from './tcp-connections.js';
import type { TupleTable } from './tuple-table.js';

export class Routing {
  /** Header + packet for STUN routed by ufrag (reused: nothing allocated for unknown tuples). */
  private readonly scratch = Buffer.allocUnsafe(ADDRESS_HEADER_LENGTH + 65536);

  constructor(
    private readonly workers: ReadonlyMap<number, IoWorker>,
    /** Which worker registered each local ufrag. */
    private readonly owners: IceUfragTable<number>,
    private readonly tuples: TupleTable,
    private readonly counters: IoCounters,
  ) {}

  readonly onUdp = (socketIndex: number, msg: Buffer, rinfo: RemoteInfo): void => {
    this.counters.udpDatagramsReceived++;
    const tuple = this.tuples.udp(socketIndex, rinfo.address, rinfo.port);
    if (tuple !== undefined && !this.isCheckForAnotherWorker(msg, tuple.worker)) {
      const worker = this.workers.get(tuple.worker);
      if (worker && this.deliver(worker, msg, msg.length, tuple.id, socketIndex))
        this.counters.routedByTuple++;
      return;
    }
    this.routeByUfrag(socketIndex, msg, rinfo.address, rinfo.port, PROTOCOL_UDP, 0);
  };

  /**
   * A Binding Request from a bound tuple naming a ufrag another worker registered: the address was
   * handed to a new ICE session (a TURN server reusing a relay port, a NAT reusing a mapping), so it
   * goes by its ufrag; the transport that validates it takes the tuple over. Only STUN requests
   * are looked at (two byte compares for everything else).
   */
  private isCheckForAnotherWorker(msg: Buffer, tupleWorker: number): boolean {
    if (msg.length < 20 || msg[0] !== 0x00 || msg[1] !== 0x01) return false;
    const owner = this.owners.lookup(msg, msg.length);
    return owner !== undefined && owner !== tupleWorker;
  }

  /** A datagram on a PlainTransport's socket: by bound tuple if any, else by address to `owner`. */
  onUdpToOwner(owner: number, socketIndex: number, msg: Buffer, rinfo: RemoteInfo): void {
    this.counters.udpDatagramsReceived++;
    const tuple = this.tuples.udp(socketIndex, rinfo.address, rinfo.port);
    const worker = this.workers.get(tuple?.worker ?? owner);
    if (worker === undefined) {
      this.counters.droppedUnknownTuple++;
      return;
    }
    if (tuple !== undefined) {
      if (this.deliver(worker, msg, msg.length, tuple.id, socketIndex)) this.counters.routedByTuple++;
      return;
    }
    const scratch = this.scratch;
    if (msg.length > 65536 || !writeAddressHeader(scratch, 0, rinfo.address, rinfo.port, PROTOCOL_UDP, 0)) {
      this.counters.droppedUnknownTuple++;
      return;
    }
    scratch.set(msg, ADDRESS_HEADER_LENGTH);
    if (this.deliver(worker, scratch, ADDRESS_HEADER_LENGTH + msg.length, TUPLE_UNKNOWN, socketIndex)) {
      this.counters.routedToSocketOwner++;
    }
  }

  /** True when the frame, on a connection no worker claimed, is a Binding Request for a known ufrag. */
  onTcpFrame(conn: TcpConnection, frame: Uint8Array): boolean {
    this.counters.tcpFramesReceived++;
    if (conn.worker >= 0) {
      const worker = this.workers.get(conn.worker);
      if (worker && this.deliver(worker, frame, frame.length, conn.id, conn.socketIndex)) {
        this.counters.routedByTuple++;
      }
      return false;
    }
    return this.routeByUfrag(conn.socketIndex, frame, conn.address, conn.port, PROTOCOL_TCP, conn.id);
  }

  /** True when the packet names a registered ufrag (whether or not the worker's ring had room). */
  private routeByUfrag(
    socketIndex: number,
    packet: Uint8Array,
    address: string,
    port: number,
    protocol: number,
    connId: number,
  ): boolean {
    const owner = this.owners.lookup(packet, packet.length);
    const worker = owner === undefined ? undefined : this.workers.get(owner);
    if (worker === undefined || packet.length > 65536) {
      this.counters.droppedUnknownTuple++;
      return false;
    }
    const scratch = this.scratch;
    if (!writeAddressHeader(scratch, 0, address, port, protocol, connId)) {
      this.counters.droppedUnknownTuple++;
      return false;
    }
    scratch.set(packet, ADDRESS_HEADER_LENGTH);
    if (this.deliver(worker, scratch, ADDRESS_HEADER_LENGTH + packet.length, TUPLE_UNKNOWN, socketIndex)) {
      this.counters.routedByUfrag++;
    }
    return true;
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
}
