/**
 * A PipeTransport's shared-memory path between two worker threads of one
 * process (tsfu's `pipeToRouter({ tsfuSharedMemory: true })`): two
 * `PacketRing`s, one each way, instead of UDP through the I/O thread. A packet
 * is one copy into the ring and one out, plain (no SRTP: it never leaves the
 * process), no syscall per packet; publishing is batched per event-loop turn,
 * and the reader sleeps on the ring's write cursor (`Atomics.waitAsync`) when
 * it is empty. A full ring drops the packet and counts it.
 */
import { PacketRingReader, PacketRingWriter } from '../../protocol/packet-ring.js';

// The receive copy: one for every ring link of this thread (a packet is handled to completion).
const received = Buffer.allocUnsafe(65536);

export class PipeRingLink {
  private readonly writer: PacketRingWriter;
  private readonly reader: PacketRingReader;
  private closed = false;
  private flushScheduled = false;
  packetsSent = 0;
  packetsReceived = 0;
  sendsDropped = 0;

  constructor(
    sendRing: SharedArrayBuffer,
    recvRing: SharedArrayBuffer,
    private readonly onPacket: (buf: Buffer, length: number) => void,
  ) {
    this.writer = new PacketRingWriter(sendRing);
    this.reader = new PacketRingReader(recvRing);
    void this.pump();
  }

  /** Queues `packet[0, length)` for the other thread; false (and counted) when the ring is full. */
  send(packet: Uint8Array, length: number): boolean {
    if (this.closed) return false;
    if (!this.writer.tryWrite(packet, length)) {
      this.sendsDropped++;
      return false;
    }
    this.packetsSent++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  close(): void {
    this.closed = true;
  }

  // One publish (and at most one wake-up) per event-loop turn.
  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.writer.publish();
  };

  private async pump(): Promise<void> {
    const reader = this.reader;
    while (!this.closed) {
      while (!this.closed && reader.next()) {
        const n = reader.copyRecord(received);
        this.packetsReceived++;
        this.onPacket(received, n);
      }
      reader.commit();
      await reader.waitAsync(500);
    }
  }
}
