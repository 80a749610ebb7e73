/**
 * A worker thread's link to the socket layer: a control `Channel` to the I/O
 * thread and the two packet rings. Transports send through it and never see
 * sockets. With `tsfuConnectedUdp`, a validated UDP tuple also gets the
 * worker's own socket on the same local port, connected to the remote: the
 * kernel hands that peer's datagrams to it, so they bypass the I/O thread in
 * both directions.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ipLiteralLookup } from '../ip-literal-lookup.js';
import { LIMIT_DEFAULTS } from '../limits.js';
import { Channel } from '../protocol/channel.js';
import {
  ADDRESS_HEADER_LENGTH,
  type IoBindTupleRequest,
  type IoEnd,
  type IoLinkEnd,
  type IoListenRequest,
  type IoSocketInfo,
  type IoTupleAddress,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  TUPLE_UNKNOWN,
  type WorkerIoHandles,
  writeAddressHeader,
} from '../protocol/io-protocol.js';
import { PacketRingReader, PacketRingWriter } from '../protocol/packet-ring.js';
import { ThreadLogger } from '../protocol/thread-logger.js';

const logger = new ThreadLogger('IoLink');

/** Where a worker sends: a remote address on one local socket (or one TCP connection). */
export interface LinkTuple {
  readonly address: string;
  readonly port: number;
  readonly family: string;
  readonly protocol: 'udp' | 'tcp';
  readonly socketIndex: number;
  /** TCP connection id (0 for UDP). */
  readonly connId: number;
  /** Id the I/O thread gave this tuple once bound (0 until then: sends carry the address). */
  tupleId: number;
  /** The worker's own connected socket for this UDP tuple, once open (`tsfuConnectedUdp`). */
  direct?: ConnectedUdpPath;
}

/** A worker-owned UDP socket on a listening socket's ip:port, connected to one remote tuple. */
export class ConnectedUdpPath {
  packetsReceived = 0;
  packetsSent = 0;
  constructor(
    readonly socket: UdpSocket,
    readonly tuple: LinkTuple,
  ) {}
}

// Buffer#copy copies between any Uint8Arrays without allocating a subarray view.
const bufferCopy = Buffer.prototype.copy;

/** Called for every packet from the I/O thread; `data[offset, offset + length)` is valid during the call. */
export type LinkPacketHandler = (
  data: Buffer,
  offset: number,
  length: number,
  meta: number,
  aux: number,
) => void;

export class IoLink {
  readonly channel: Channel<IoLinkEnd, IoEnd>;
  private readonly writer: PacketRingWriter;
  private readonly reader: PacketRingReader;
  private readonly scratch = Buffer.allocUnsafe(ADDRESS_HEADER_LENGTH + 65536);
  private flushScheduled = false;
  private closed = false;
  /** Sends dropped because the ring to the I/O thread was full. */
  sendsDroppedRingFull = 0;
  /** Connected sockets that could not be opened (the tuple stays on the I/O thread). */
  connectedUdpFallbacks = 0;
  /** Datagrams from other peers caught by a connected socket while it was being connected: dropped. */
  connectedUdpStrays = 0;
  private readonly connected = new Map<number, ConnectedUdpPath>();

  constructor(
    handles: WorkerIoHandles,
    private readonly onPacket: LinkPacketHandler,
  ) {
    this.channel = new Channel<IoLinkEnd, IoEnd>(handles.port, {
      logger: new ThreadLogger('Channel'),
    });
    this.writer = new PacketRingWriter(handles.fromWorker);
    this.reader = new PacketRingReader(handles.toWorker);
    void this.pump();
  }

  // Control messages go out after everything queued before them: the ring is published first, and the
  // I/O thread reads this worker's ring to the end before it handles a control message (io-protocol.ts).

  listen(requests: IoListenRequest[]): Promise<IoSocketInfo[]> {
    this.writer.publish();
    return this.channel.request('listen', requests);
  }

  /** Releases these sockets once the packets queued before (a close_notify) have been sent. */
  unlisten(indices: number[]): void {
    if (indices.length === 0) return;
    this.writer.publish();
    this.channel.notify('unlisten', '', indices);
  }

  registerUfrag(ufrag: string): Promise<void> {
    this.writer.publish();
    return this.channel.request('registerUfrag', ufrag);
  }

  unregisterUfrag(ufrag: string): Promise<void> {
    this.writer.publish();
    return this.channel.request('unregisterUfrag', ufrag);
  }

  /**
   * Asks the I/O thread to route `tuple` to this worker for transport `owner`,
   * first forgetting `evict` (tuples that transport dropped); resolves to the
   * tuple's id, 0 if it is gone or `owner` has `maxTuples` bound already.
   */
  bindTuple(tuple: LinkTuple, owner: number, maxTuples: number, evict: LinkTuple[]): Promise<number> {
    const request: IoBindTupleRequest = {
      ...tupleAddress(tuple),
      owner,
      maxTuples,
      evict: evict.map(tupleAddress),
    };
    this.writer.publish();
    return this.channel.request('bindTuple', request);
  }

  /**
   * Opens this worker's socket on `localIp:localPort` (the listening socket's,
   * bound with SO_REUSEADDR) connected to the bound UDP `tuple`; from then on
   * the tuple's packets come and go through it. On any failure the tuple
   * simply stays on the I/O thread.
   */
  connectTuple(
    tuple: LinkTuple,
    localIp: string,
    localPort: number,
    buffers: { sendBufferSize?: number; recvBufferSize?: number } = {},
  ): void {
    const id = tuple.tupleId;
    if (this.closed || id === 0 || tuple.protocol !== 'udp' || this.connected.has(id)) return;
    const ipv6 = isIPv6(localIp);
    if (ipv6 !== (tuple.family === 'IPv6')) return;
    // IP literals resolve synchronously, so bind() and connect() happen back to back in this turn:
    // between the two the new socket, unconnected, would win the port's unknown-peer traffic.
    const socket = createSocket({
      type: ipv6 ? 'udp6' : 'udp4',
      reuseAddr: true,
      lookup: ipLiteralLookup,
      sendBufferSize: buffers.sendBufferSize,
      recvBufferSize: buffers.recvBufferSize ?? LIMIT_DEFAULTS.connectedUdpRecvBufferSize,
    });
    const path = new ConnectedUdpPath(socket, tuple);
    this.connected.set(id, path);
    const fail = (): void => {
      if (this.connected.get(id) === path) this.connected.delete(id);
      this.connectedUdpFallbacks++;
      closeQuietly(socket);
    };
    const onPacket = this.onPacket;
    const { address, port, socketIndex } = tuple;
    socket.on('message', (msg, rinfo) => {
      // Anything another peer sent in that instant is not this tuple's: drop it (UDP loss) and count it.
      if (rinfo.port !== port || rinfo.address !== address) {
        this.connectedUdpStrays++;
        return;
      }
      path.packetsReceived++;
      onPacket(msg, 0, msg.length, id, socketIndex);
    });
    socket.once('error', fail);
    socket.bind({ address: localIp, port: localPort, exclusive: true }, () => {
      try {
        socket.connect(port, address, () => {
          socket.off('error', fail);
          if (this.connected.get(id) !== path) {
            // Unbound (or the link closed) while opening.
            closeQuietly(socket);
            return;
          }
          socket.on('error', () => {
            // ICMP-triggered errors: the socket stays usable.
          });
          tuple.direct = path;
        });
      } catch (error) {
        logger.warn(`connectTuple() | connect() failed, the tuple stays on the I/O thread: ${error}`);
        socket.off('error', fail);
        fail();
      }
    });
  }

  /** Forgets a bound tuple once the packets already queued for it have been sent. */
  unbindTuple(tupleId: number): void {
    if (tupleId === 0) return;
    this.closeConnected(tupleId);
    this.writer.publish();
    this.channel.notify('unbindTuple', '', tupleId);
  }

  /**
   * Sends `data`, which the caller gives away (never reuses), on `tuple`'s connected socket: no copy.
   * False when the tuple has no connected socket (or it failed): then use `send`.
   */
  sendOwned(tuple: LinkTuple, data: Buffer): boolean {
    const direct = tuple.direct;
    if (direct === undefined) return false;
    try {
      direct.socket.send(data);
      direct.packetsSent++;
      return true;
    } catch (error) {
      logger.warn(`send() | connected socket failed, back to the I/O thread: ${error}`);
      this.closeConnected(tuple.tupleId);
      return false;
    }
  }

  /** Queues `data[0, length)` for `tuple`. Copies it: the caller may reuse `data` at once. */
  send(tuple: LinkTuple, data: Uint8Array, length: number = data.length): boolean {
    const direct = tuple.direct;
    if (direct !== undefined) {
      // dgram keeps the buffer until the datagram left (if the kernel queue was full): hand it a copy.
      const copy = Buffer.allocUnsafe(length);
      bufferCopy.call(data, copy, 0, 0, length);
      try {
        direct.socket.send(copy);
        direct.packetsSent++;
        return true;
      } catch (error) {
        // Closed under us: the I/O thread still knows the tuple (logged once: the path is dropped here).
        logger.warn(`send() | connected socket failed, back to the I/O thread: ${error}`);
        this.closeConnected(tuple.tupleId);
      }
    }
    let ok: boolean;
    if (tuple.tupleId !== 0) {
      ok = this.writer.tryWrite(data, length, tuple.tupleId, tuple.socketIndex);
    } else {
      const s = this.scratch;
      if (
        length > 65536 ||
        !writeAddressHeader(
          s,
          0,
          tuple.address,
          tuple.port,
          tuple.protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP,
          tuple.connId,
        )
      ) {
        return false;
      }
      s.set(data.subarray(0, length), ADDRESS_HEADER_LENGTH);
      ok = this.writer.tryWrite(s, ADDRESS_HEADER_LENGTH + length, TUPLE_UNKNOWN, tuple.socketIndex);
    }
    if (!ok) {
      this.sendsDroppedRingFull++;
      return false;
    }
    this.scheduleFlush();
    return true;
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.connected.keys()]) this.closeConnected(id);
    this.writer.publish();
    this.channel.close();
  }

  /** Closes tuple `tupleId`'s connected socket, if any, leaving its binding in the I/O thread alone. */
  closeConnectedTuple(tupleId: number): void {
    this.closeConnected(tupleId);
  }

  private closeConnected(tupleId: number): void {
    const path = this.connected.get(tupleId);
    if (path === undefined) return;
    this.connected.delete(tupleId);
    if (path.tuple.direct === path) path.tuple.direct = undefined;
    closeQuietly(path.socket);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  // One publish (and at most one wake-up) per event-loop turn.
  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.writer.publish();
  };

  private async pump(): Promise<void> {
    const reader = this.reader;
    const onPacket = this.onPacket;
    while (!this.closed) {
      while (reader.next()) onPacket(reader.data, reader.offset, reader.length, reader.meta, reader.aux);
      reader.commit();
      await reader.waitAsync(500);
    }
  }
}

function tupleAddress(tuple: LinkTuple): IoTupleAddress {
  return {
    socketIndex: tuple.socketIndex,
    address: tuple.address,
    port: tuple.port,
    protocol: tuple.protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP,
    connId: tuple.connId,
  };
}

function closeQuietly(socket: UdpSocket): void {
  try {
    socket.close();
  } catch {
    // close() throws only ERR_SOCKET_DGRAM_NOT_RUNNING: the socket is already closed, which is the goal.
  }
}
