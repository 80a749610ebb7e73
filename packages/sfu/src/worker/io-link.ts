/**
 * A worker thread's link to the socket layer: a control `Channel` to the I/O
 * thread and the two packet rings. Transports send through it and never see
 * sockets, so another socket strategy (`reusePort`) only replaces this class.
 */
import { Channel, type MessageEndpoint } from '../channel/channel.js';
import { PacketRingReader, PacketRingWriter } from '../channel/packet-ring.js';
import {
  ADDRESS_HEADER_LENGTH,
  type IoListenRequest,
  type IoSocketInfo,
  PROTOCOL_TCP,
  PROTOCOL_UDP,
  RING_CONTROL_UNBIND,
  TUPLE_UNKNOWN,
  writeAddressHeader,
} from '../io/io-protocol.js';
import type { WorkerIoHandles } from '../io/socket-strategy.js';

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
}

/** Called for every packet from the I/O thread; `data[offset, offset + length)` is valid during the call. */
export type LinkPacketHandler = (
  data: Buffer,
  offset: number,
  length: number,
  meta: number,
  aux: number,
) => void;

export class IoLink {
  readonly channel: Channel;
  private readonly writer: PacketRingWriter;
  private readonly reader: PacketRingReader;
  private readonly scratch = Buffer.allocUnsafe(ADDRESS_HEADER_LENGTH + 65536);
  private flushScheduled = false;
  private closed = false;
  /** Sends dropped because the ring to the I/O thread was full. */
  sendsDroppedRingFull = 0;

  constructor(
    handles: WorkerIoHandles,
    private readonly onPacket: LinkPacketHandler,
  ) {
    this.channel = new Channel(handles.port as unknown as MessageEndpoint);
    this.writer = new PacketRingWriter(handles.fromWorker);
    this.reader = new PacketRingReader(handles.toWorker);
    void this.pump();
  }

  listen(requests: IoListenRequest[]): Promise<IoSocketInfo[]> {
    return this.channel.request('listen', requests);
  }

  unlisten(indices: number[]): Promise<void> {
    return this.channel.request('unlisten', indices);
  }

  registerUfrag(ufrag: string): Promise<void> {
    return this.channel.request('registerUfrag', ufrag);
  }

  unregisterUfrag(ufrag: string): Promise<void> {
    return this.channel.request('unregisterUfrag', ufrag);
  }

  /** Asks the I/O thread to route `tuple` to this worker; resolves to its id (0 if it is gone). */
  bindTuple(tuple: LinkTuple): Promise<number> {
    return this.channel.request('bindTuple', {
      socketIndex: tuple.socketIndex,
      address: tuple.address,
      port: tuple.port,
      protocol: tuple.protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP,
      connId: tuple.connId,
    });
  }

  /** Forgets a bound tuple, in order with the packets already queued for it. */
  unbindTuple(tupleId: number): void {
    if (tupleId === 0) return;
    this.writer.tryWrite(this.scratch, 0, RING_CONTROL_UNBIND, tupleId);
    this.scheduleFlush();
  }

  /** Queues `data[0, length)` for `tuple`. Copies it: the caller may reuse `data` at once. */
  send(tuple: LinkTuple, data: Uint8Array, length: number = data.length): boolean {
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
    this.writer.publish();
    this.channel.close();
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
