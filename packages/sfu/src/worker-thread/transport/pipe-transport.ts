/**
 * The worker half of a PipeTransport (mediasoup's RTC::PipeTransport): a
 * PlainTransport joining two routers — one UDP socket, RTCP muxed, the remote
 * from `connect()` only (no comedia), optional SRTP with AEAD_AES_256_GCM
 * keys exchanged by the app. Its consumers are pipe consumers (every stream
 * of a producer); the far router's `produce()` takes their RTP parameters.
 * Same RTP/RTCP on the wire as mediasoup's pipe. Between two worker threads
 * of this process, RTP/RTCP can go through shared memory instead
 * (`attachRing`, `pipe-ring-link.ts`); SCTP stays on the socket.
 */

import { classifyPacket, PacketKind } from '@tsfu/ice-lite';
import type {
  PipeTransportDump,
  PipeTransportState,
  PipeTransportStatWithCounters,
} from '../../types/pipe-transport.js';
import { PipeRingLink } from './pipe-ring-link.js';
import { PlainTransport, type PlainTransportOptions } from './plain-transport.js';

export interface PipeTransportOptions extends Omit<PlainTransportOptions, 'comedia' | 'rtcpSocket'> {
  /** NACK/RTX across the pipe (its consumers' parameters carry RTX; reported in `dump()`). */
  enableRtx: boolean;
}

export class PipeTransport extends PlainTransport {
  readonly enableRtx: boolean;

  constructor(options: PipeTransportOptions) {
    super({ ...options, comedia: false });
    this.enableRtx = options.enableRtx;
  }

  override get isPipe(): boolean {
    return true;
  }

  /** The shared-memory path to the paired transport in another worker thread, once attached. */
  private ring: PipeRingLink | undefined;

  /** RTP/RTCP from now on through these rings (`send`: to the paired transport, `recv`: from it). */
  attachRing(send: SharedArrayBuffer, recv: SharedArrayBuffer): void {
    if (this.ring) throw new Error('ring already attached');
    this.ring = new PipeRingLink(send, recv, this.onRingPacket);
  }

  private readonly onRingPacket = (buf: Buffer, length: number): void => {
    if (this.closed) return;
    this.bytesReceived += length;
    const kind = classifyPacket(buf, length);
    const now = performance.now();
    if (kind === PacketKind.Rtcp) this.receiveRtcpPacket(buf, length, now);
    else if (kind === PacketKind.Rtp) {
      this.rtpBytesReceived += length;
      this.receiveRtpPacket(buf, length, now);
    } else this.counters.packetsUnknownKind++;
  };

  protected override sendRtpPacket(packet: Buffer, length: number): boolean {
    if (this.ring === undefined) return super.sendRtpPacket(packet, length);
    this.bytesSent += length;
    return this.ring.send(packet, length);
  }

  protected override sendRtcpPacket(packet: Buffer, length: number): boolean {
    if (this.ring === undefined) return super.sendRtcpPacket(packet, length);
    this.bytesSent += length;
    return this.ring.send(packet, length);
  }

  override close(): void {
    this.ring?.close();
    super.close();
  }

  get pipeState(): PipeTransportState {
    const { tuple, srtpParameters } = this.state;
    return { tuple, ...(srtpParameters ? { srtpParameters } : {}) };
  }

  override getStats(): PipeTransportStatWithCounters {
    const { tuple } = this.state;
    return {
      type: 'pipe-transport',
      ...this.baseStats(),
      tuple,
      tsfuCounters: {
        ...this.counters,
        sendsDroppedRingFull: this.link.sendsDroppedRingFull,
        media: { ...this.mediaCounters },
        retransmissionBufferBytes: this.retransmissionBufferBytes(),
        ...(this.ring
          ? {
              sharedMemory: {
                packetsSent: this.ring.packetsSent,
                packetsReceived: this.ring.packetsReceived,
                sendsDropped: this.ring.sendsDropped,
              },
            }
          : {}),
      },
    };
  }

  override dump(): PipeTransportDump {
    const { tuple, srtpParameters } = this.state;
    return {
      ...this.baseDump(),
      tuple,
      rtx: this.enableRtx,
      ...(srtpParameters ? { srtpParameters } : {}),
    };
  }
}
