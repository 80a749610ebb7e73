/**
 * A minimal WebRTC endpoint assembled from tsfu's layers — ICE-Lite
 * (`@tsfu/ice-lite`), DTLS server/client (`@tsfu/dtls`), SRTP (`@tsfu/srtp`)
 * and RTP views (`@tsfu/rtp`) — on one UDP socket bound to 127.0.0.1. It is
 * not the SFU's WebRtcTransport (no reports or congestion feedback of its
 * own, no retransmission, no stream state): it lets tests see what a browser
 * really sends on a send transport (SSRCs, payload types, MID/RID header
 * extensions) and send RTP/RTCP to a browser, independently of the SFU.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import {
  DtlsCertificate,
  type DtlsFingerprint,
  type DtlsRole,
  DtlsTransport,
  resolveDtlsRole,
} from '@tsfu/dtls';
import {
  classifyPacket,
  hostCandidates,
  type IceCandidate,
  IceCheckResult,
  IceLiteAgent,
  type IceParameters,
  PacketKind,
} from '@tsfu/ice-lite';
import { RtpPacketView } from '@tsfu/rtp';
import { SrtpContext } from '@tsfu/srtp';

/** What arrived on one SSRC. */
export interface ReceivedRtpStream {
  ssrc: number;
  packets: number;
  bytes: number;
  payloadTypes: Set<number>;
  /** Last value seen per header extension id (the raw bytes, as latin1 text for the string ones). */
  extensions: Map<number, string>;
}

export interface WebRtcTestEndpointCounters {
  stunAnswered: number;
  dtlsDatagrams: number;
  srtpPackets: number;
  srtpFailures: number;
  srtcpPackets: number;
  /** Datagrams of no known kind, or DTLS/SRTP from an address ICE has not validated. */
  dropped: number;
  /** Datagrams from outside 127.0.0.0/8, ignored unanswered (see `create`). */
  notLoopback: number;
}

export class WebRtcTestEndpoint {
  readonly ice: IceLiteAgent;
  readonly streams = new Map<number, ReceivedRtpStream>();
  readonly counters: WebRtcTestEndpointCounters = {
    stunAnswered: 0,
    dtlsDatagrams: 0,
    srtpPackets: 0,
    srtpFailures: 0,
    srtcpPackets: 0,
    dropped: 0,
    notLoopback: 0,
  };
  /**
   * Called with every decrypted RTP packet after it is recorded. The view
   * wraps the receive buffer, so the hook may rewrite the packet in place
   * (e.g. to relay it with `sendRtp` of another endpoint) but must not keep it.
   */
  onRtp: ((packet: RtpPacketView) => void) | undefined;
  private dtls: DtlsTransport | undefined;
  private srtp: SrtpContext | undefined;
  private sendSrtp: SrtpContext | undefined;
  private readonly view = new RtpPacketView();
  private lastDtlsRemote: RemoteInfo | undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly certificate: DtlsCertificate,
  ) {
    this.ice = new IceLiteAgent({
      send: (data, remote) => this.socket.send(Buffer.from(data), remote.port, remote.address),
    });
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
  }

  /**
   * Binds 127.0.0.1:0 and makes a fresh certificate. Chromium also sends ICE
   * checks from the machine's interface address; those go unanswered, so the
   * only pair that succeeds (and everything this endpoint sends) stays on
   * 127.0.0.1.
   */
  static async create(): Promise<WebRtcTestEndpoint> {
    const socket = createSocket('udp4');
    const [certificate] = await Promise.all([
      DtlsCertificate.generate(),
      new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve)),
    ]);
    return new WebRtcTestEndpoint(socket, certificate);
  }

  get iceParameters(): IceParameters {
    return this.ice.localParameters;
  }

  get iceCandidates(): IceCandidate[] {
    return hostCandidates([{ protocol: 'udp', ip: '127.0.0.1', port: this.socket.address().port }]);
  }

  /** As mediasoup announces them: role `auto` and the certificate's fingerprints. */
  get dtlsParameters(): { role: DtlsRole; fingerprints: DtlsFingerprint[] } {
    return { role: 'auto', fingerprints: this.certificate.fingerprints() };
  }

  get dtlsState(): string {
    return this.dtls?.state ?? 'new';
  }

  /** The role we took, once `connect` ran. */
  get dtlsRole(): 'client' | 'server' | undefined {
    return this.dtls?.role;
  }

  /** Negotiated SRTP profile name, once DTLS is connected. */
  get srtpProfile(): string | undefined {
    return this.dtls?.srtpProfile?.cryptoSuite;
  }

  /** What mediasoup's `transport.connect({ dtlsParameters })` does: start DTLS opposite to the peer. */
  connect(remote: { role?: DtlsRole; fingerprints: DtlsFingerprint[] }): void {
    if (this.dtls) throw new Error('already connected');
    const role = resolveDtlsRole('auto', remote.role ?? 'auto');
    const dtls = new DtlsTransport({
      role,
      certificate: this.certificate,
      remoteFingerprints: remote.fingerprints,
      send: (datagram) => {
        const to = this.lastDtlsRemote ?? this.ice.selectedTuple;
        if (to && !this.closed) this.socket.send(datagram, to.port, to.address);
      },
    });
    dtls.on('statechange', (state) => {
      if (state !== 'connected') return;
      const keys = dtls.getSrtpKeyingMaterial();
      if (!keys) return;
      this.srtp = new SrtpContext({
        profile: keys.profile,
        masterKey: keys.remoteMasterKey,
        masterSalt: keys.remoteMasterSalt,
      });
      this.sendSrtp = new SrtpContext({
        profile: keys.profile,
        masterKey: keys.localMasterKey,
        masterSalt: keys.localMasterSalt,
      });
    });
    this.dtls = dtls;
    dtls.start();
  }

  /** True once DTLS is connected and SRTP keys exist, so `sendRtp` can send. */
  get canSend(): boolean {
    return this.sendSrtp !== undefined && this.ice.selectedTuple !== undefined && !this.closed;
  }

  /**
   * Protects one plain RTP packet with SRTP and sends it to ICE's selected
   * pair. Returns false when it cannot (not connected yet, or bad packet).
   */
  sendRtp(packet: Uint8Array): boolean {
    const to = this.ice.selectedTuple;
    if (!this.sendSrtp || !to || this.closed) return false;
    const buf = Buffer.alloc(packet.length + this.sendSrtp.rtpOverhead);
    buf.set(packet);
    const len = this.sendSrtp.protectRtp(buf, packet.length);
    if (len < 0) return false;
    this.socket.send(buf.subarray(0, len), to.port, to.address);
    return true;
  }

  /** Protects one plain RTCP compound packet with SRTCP and sends it to ICE's selected pair. */
  sendRtcp(packet: Uint8Array): boolean {
    const to = this.ice.selectedTuple;
    if (!this.sendSrtp || !to || this.closed) return false;
    const buf = Buffer.alloc(packet.length + this.sendSrtp.rtcpOverhead);
    buf.set(packet);
    const len = this.sendSrtp.protectRtcp(buf, packet.length);
    if (len < 0) return false;
    this.socket.send(buf.subarray(0, len), to.port, to.address);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dtls?.close();
    this.ice.close();
    this.socket.close();
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (!rinfo.address.startsWith('127.')) {
      this.counters.notLoopback++;
      return;
    }
    switch (classifyPacket(msg)) {
      case PacketKind.Stun:
        if (this.ice.handleStun(msg, msg.length, rinfo, 'udp') === IceCheckResult.Answered) {
          this.counters.stunAnswered++;
        }
        return;
      case PacketKind.Dtls:
        if (!this.dtls || !this.ice.isValidTuple(rinfo, 'udp')) break;
        this.counters.dtlsDatagrams++;
        this.lastDtlsRemote = rinfo;
        this.dtls.handle(msg);
        return;
      case PacketKind.Rtp: {
        if (!this.srtp || !this.ice.isValidTuple(rinfo, 'udp')) break;
        const len = this.srtp.unprotectRtp(msg);
        if (len < 0 || !this.view.wrap(msg, len)) {
          this.counters.srtpFailures++;
          return;
        }
        this.counters.srtpPackets++;
        this.record(this.view, len);
        this.onRtp?.(this.view);
        return;
      }
      case PacketKind.Rtcp:
        if (!this.srtp || !this.ice.isValidTuple(rinfo, 'udp')) break;
        if (this.srtp.unprotectRtcp(msg) >= 0) this.counters.srtcpPackets++;
        else this.counters.srtpFailures++;
        return;
    }
    this.counters.dropped++;
  }

  private record(v: RtpPacketView, len: number): void {
    let s = this.streams.get(v.ssrc);
    if (!s) {
      s = { ssrc: v.ssrc, packets: 0, bytes: 0, payloadTypes: new Set(), extensions: new Map() };
      this.streams.set(v.ssrc, s);
    }
    s.packets++;
    s.bytes += len;
    s.payloadTypes.add(v.payloadType);
    for (let i = 0; i < v.extensionCount; i++) {
      const id = v.extensionIds[i];
      const o = v.extensionValueOffsets[i];
      s.extensions.set(
        id,
        Buffer.from(v.buffer.subarray(o, o + v.extensionValueLengths[i])).toString('latin1'),
      );
    }
  }
}
