/**
 * The I/O thread's send path: what each worker puts in its ring leaves on
 * the socket (UDP) or connection (TCP, RFC 4571 framed) of its tuple — by
 * tuple id, or by the address header of an answer to an unknown tuple's STUN
 * request. A worker's ring is read whenever it wakes the thread, and to the
 * end before any control message of that worker is handled (`drain`).
 */
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket as TcpSocket } from 'node:net';
import { frameRfc4571 } from '@tsfu/ice-lite';
import {
  ADDRESS_HEADER_LENGTH,
  type IoCounters,
  PROTOCOL_TCP,
  readAddressHeader,
  TUPLE_UNKNOWN,
} from '../protocol/io-protocol.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import type { IoWorker } from './io-worker.js';
import type { IoSockets } from './sockets.js';
import type { TcpConnections } from './tcp-connections.js';
import type { TupleTable } from './tuple-table.js';

const logger = new ThreadLogger('IoThread');

export class SendPath {
  constructor(
    private readonly sockets: IoSockets,
    private readonly tuples: TupleTable,
    private readonly tcp: TcpConnections,
    private readonly counters: IoCounters,
  ) {}

  /** Reads `worker`'s ring until it closes, sleeping while it is empty. */
  async pump(worker: IoWorker): Promise<void> {
    while (!worker.closed) {
      this.drain(worker);
      await worker.reader.waitAsync(500);
    }
  }

  /** Sends everything `worker` has published so far. */
  drain(worker: IoWorker): void {
    const reader = worker.reader;
    while (reader.next()) {
      this.onRecord(worker, reader.data, reader.offset, reader.length, reader.meta, reader.aux);
    }
    reader.commit();
  }

  private onRecord(
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
        const conn = this.tcp.get(h.connId);
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
    // dgram keeps the buffer when the kernel queue is full and sends it later, and the ring slot is
    // reused once committed, so the datagram is copied out (a slice of Node's pool for small sizes).
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
