/**
 * The smallest Transport there can be, for tests of the worker side without
 * sockets: plain packets in (`receiveRtp` / `receiveRtcp`), what it would
 * protect and send recorded (`sent`), as a DirectTransport will hand packets
 * to the app.
 */
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import { Transport, type TransportListener } from './transport.js';

/** Plain packets in, plain packets recorded out. */
export class RecordingTransport extends Transport {
  readonly sent: Array<{ kind: 'rtp' | 'rtcp'; bytes: Buffer }> = [];

  get canSend(): boolean {
    return true;
  }

  protected sendRtpPacket(packet: Buffer, length: number): boolean {
    this.sent.push({ kind: 'rtp', bytes: Buffer.from(packet.subarray(0, length)) });
    return true;
  }

  protected sendRtcpPacket(packet: Buffer, length: number): boolean {
    this.sent.push({ kind: 'rtcp', bytes: Buffer.from(packet.subarray(0, length)) });
    return true;
  }

  receiveRtp(buf: Buffer, length: number, nowMs: number): void {
    this.receiveRtpPacket(buf, length, nowMs);
  }

  receiveRtcp(buf: Buffer, length: number, nowMs: number): void {
    this.receiveRtcpPacket(buf, length, nowMs);
  }
}

/** A RecordingTransport `id` on `listener` (a Router), notifications to `notify`. */
export function recordingTransport(id: string, listener: TransportListener, notify: NotifyMain = () => {}) {
  return new RecordingTransport({
    id,
    listener,
    notify,
    initialAvailableOutgoingBitrate: 600000,
    maxSendMessageSize: 262144,
    maxReceiveMessageSize: 262144,
  });
}
