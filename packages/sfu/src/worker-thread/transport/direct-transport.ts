/**
 * The worker half of a DirectTransport (mediasoup's RTC::DirectTransport): a
 * `Transport` whose packets come from and go to the main thread's API, not a
 * socket. In: `producer.send()` and `transport.sendRtcp()` packets (main
 * thread notifications). Out: each consumer's RTP packets and the RTCP it
 * sends, as notifications to the main thread (`consumer.rtp`,
 * `transport.rtcp`), each with its own copy of the bytes.
 */
import type { DirectTransportDump, DirectTransportStatWithCounters } from '../../types/direct-transport.js';
import type { Consumer } from '../consumer/consumer.js';
import type { Producer } from '../producer.js';
import { Transport } from './transport.js';

/** A view of a notification's bytes as a Buffer (no copy). */
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class DirectTransport extends Transport {
  get canSend(): boolean {
    return !this.closed;
  }

  /** One packet of `producer.send()` (`producer` is this transport's); bad ones are dropped and counted. */
  receiveFromProducer(producer: Producer, data: Uint8Array): void {
    if (this.closed) return;
    this.bytesReceived += data.byteLength;
    this.rtpBytesReceived += data.byteLength;
    this.receiveRtpPacket(asBuffer(data), data.byteLength, performance.now(), producer);
  }

  /** One RTCP packet of `directTransport.sendRtcp()`, handled as if the remote had sent it. */
  receiveRtcpFromApi(data: Uint8Array): void {
    if (this.closed) return;
    this.bytesReceived += data.byteLength;
    this.receiveRtcpPacket(asBuffer(data), data.byteLength, performance.now());
  }

  protected sendRtpPacket(packet: Buffer, length: number, consumer: Consumer): boolean {
    if (this.closed) return false;
    this.bytesSent += length;
    this.notify('consumer.rtp', consumer.id, new Uint8Array(packet.subarray(0, length)));
    return true;
  }

  protected sendRtcpPacket(packet: Buffer, length: number): boolean {
    if (this.closed) return false;
    this.bytesSent += length;
    this.notify('transport.rtcp', this.id, new Uint8Array(packet.subarray(0, length)));
    return true;
  }

  getStats(): DirectTransportStatWithCounters {
    return {
      type: 'direct-transport',
      ...this.baseStats(),
      tsfuCounters: {
        media: { ...this.mediaCounters },
        retransmissionBufferBytes: this.retransmissionBufferBytes(),
      },
    };
  }

  dump(): DirectTransportDump {
    return this.baseDump();
  }
}
