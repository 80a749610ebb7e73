/**
 * mediasoup's DirectTransport: RTP and RTCP to and from this Node process,
 * with no sockets. `producer.send(rtpPacket)` hands a packet to the worker as
 * if a remote had sent it; each consumer emits `rtp` with every packet it
 * sends; `sendRtcp()` hands the worker an RTCP packet, and what the worker
 * sends (reports, NACKs, PLIs) is emitted as `rtcp`.
 */
import { UnsupportedError } from '../errors.js';
import type { AppData } from '../types/app-data.js';
import type { DirectTransportDump, DirectTransportStatWithCounters } from '../types/direct-transport.js';
import type { RtpCapabilities } from '../types/rtp-parameters.js';
import {
  type TransportConstructorOptions,
  type TransportEvents,
  TransportImpl,
  type TransportObserverEvents,
} from './transport.js';
import type { WorkerNotification } from './worker-channel.js';

export type DirectTransportEvents = TransportEvents & { rtcp: [Buffer] };
export type DirectTransportObserverEvents = TransportObserverEvents & { rtcp: [Buffer] };

/** mediasoup's `DirectTransport` type (an interface there, implemented by `DirectTransportImpl`). */
export type DirectTransport<DirectTransportAppData extends AppData = AppData> =
  DirectTransportImpl<DirectTransportAppData>;

export class DirectTransportImpl<DirectTransportAppData extends AppData = AppData> extends TransportImpl<
  DirectTransportAppData,
  DirectTransportEvents,
  DirectTransportObserverEvents
> {
  /** @internal created by `Router.createDirectTransport()`. */
  constructor(opts: TransportConstructorOptions<DirectTransportAppData>) {
    super(opts, 'DirectTransport');
  }

  get type(): 'direct' {
    return 'direct';
  }

  async dump(): Promise<DirectTransportDump> {
    return (await this.requestDump()) as DirectTransportDump;
  }

  /** mediasoup's stats entry plus `tsfuCounters` (packets of `producer.send()` dropped, by reason). */
  async getStats(): Promise<DirectTransportStatWithCounters[]> {
    return (await this.requestStats()) as DirectTransportStatWithCounters[];
  }

  /** Nothing to connect (as mediasoup: a no-op). */
  async connect(): Promise<void> {
    this.logger.debug('connect()');
    this.checkOpen();
  }

  /** Hands one RTCP packet to the worker, as if the remote had sent it (dropped once closed). */
  sendRtcp(rtcpPacket: Buffer): void {
    if (!(rtcpPacket instanceof Uint8Array)) throw new TypeError('rtcpPacket must be a Buffer');
    if (this.closed) return;
    this.channel.notify('transport.sendRtcp', this.id, new Uint8Array(rtcpPacket));
  }

  /** Not for a DirectTransport (no bandwidth): `UnsupportedError`, as mediasoup. */
  override async setMaxIncomingBitrate(_bitrate: number): Promise<void> {
    throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
  }
  override async setMaxOutgoingBitrate(_bitrate: number): Promise<void> {
    throw new UnsupportedError('setMaxOutgoingBitrate() not implemented in DirectTransport');
  }
  override async setMinOutgoingBitrate(_bitrate: number): Promise<void> {
    throw new UnsupportedError('setMinOutgoingBitrate() not implemented in DirectTransport');
  }

  protected override get producersSendFromApi(): boolean {
    return true;
  }

  /** A DirectTransport consumer without `rtpCapabilities` gets the router's (a tsfu convenience). */
  protected override consumerRtpCapabilities(rtpCapabilities: RtpCapabilities | undefined): RtpCapabilities {
    return rtpCapabilities === undefined
      ? this.routerRtpCapabilities
      : super.consumerRtpCapabilities(rtpCapabilities);
  }

  protected override handleNotification(n: WorkerNotification): void {
    if (n.event !== 'transport.rtcp') {
      super.handleNotification(n);
      return;
    }
    const packet = Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength);
    this.safeEmit('rtcp', packet);
    this.observer.safeEmit('rtcp', packet);
  }
}
