/**
 * A WebRTC client built from tsfu's own packages, for node-level tests and
 * benchmarks of the SFU without a browser: a UDP socket on 127.0.0.1, ICE as
 * the controlling agent (Binding requests with USE-CANDIDATE, short-term
 * credentials, refreshed for consent), DTLS as the client, and SRTP contexts
 * keyed from it. It sends what the caller gives it (protected) and hands back
 * what arrives (unprotected). Not part of the forwarding path.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { DtlsCertificate, DtlsTransport } from '@tsfu/dtls';
import {
  classifyPacket,
  PacketKind,
  randomIceString,
  StunAttr,
  StunClass,
  StunMessageView,
  StunMessageWriter,
  StunMethod,
  StunParseResult,
  shortTermKey,
} from '@tsfu/ice-lite';
import { SrtpContext } from '@tsfu/srtp';
import type { DtlsParameters, IceCandidate, IceParameters } from '../types/index.js';

/** What a server returns from `createWebRtcTransport` (mediasoup-client's `TransportOptions` subset). */
export interface SyntheticTransportInfo {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface SyntheticClientCounters {
  rtpSent: number;
  rtcpSent: number;
  rtpReceived: number;
  rtcpReceived: number;
  srtpFailures: number;
  stunResponses: number;
}

let sharedCertificate: Promise<DtlsCertificate> | undefined;

export class SyntheticWebRtcClient {
  readonly socket: Socket;
  readonly localUfrag = randomIceString(8);
  readonly localPassword = randomIceString(24);
  private certificate: DtlsCertificate | undefined;
  private dtls: DtlsTransport | undefined;
  private srtpSend: SrtpContext | undefined;
  private srtpRecv: SrtpContext | undefined;
  private remote: { address: string; port: number } | undefined;
  private remoteIce: IceParameters | undefined;
  private stunTimer: NodeJS.Timeout | undefined;
  private iceConnected = false;
  private readonly stunWriter = new StunMessageWriter(new Uint8Array(548));
  private readonly stunView = new StunMessageView();
  private readonly out = Buffer.allocUnsafe(65536);
  private readonly plain = Buffer.allocUnsafe(65536);
  private dtlsStateValue = 'new';
  private connectedResolve: (() => void) | undefined;
  private connectedReject: ((e: Error) => void) | undefined;
  /** False: count incoming SRTP without unprotecting it (benchmarks measure the SFU, not this client). */
  unprotectIncoming = true;
  /** Decrypted RTP as it arrives (`packet` is reused after the call). */
  onRtp: (packet: Buffer) => void = () => {};
  /** Decrypted RTCP as it arrives (`packet` is reused after the call). */
  onRtcp: (packet: Buffer) => void = () => {};
  readonly counters: SyntheticClientCounters = {
    rtpSent: 0,
    rtcpSent: 0,
    rtpReceived: 0,
    rtcpReceived: 0,
    srtpFailures: 0,
    stunResponses: 0,
  };

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address, rinfo.port));
  }

  /** Binds a UDP socket on 127.0.0.1 (ephemeral port) and prepares a DTLS certificate (shared by all clients). */
  static async create(): Promise<SyntheticWebRtcClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    const client = new SyntheticWebRtcClient(socket);
    sharedCertificate ??= DtlsCertificate.generate();
    client.certificate = await sharedCertificate;
    return client;
  }

  /** Our DTLS parameters for the server's `transport.connect()` (we are the DTLS client). */
  get dtlsParameters(): DtlsParameters {
    const fp = this.certificate!.fingerprints().find((f) => f.algorithm === 'sha-256')!;
    return { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fp.value.toUpperCase() }] };
  }

  /** The client's DTLS state: 'closed' once the server's close_notify arrived. */
  get dtlsState(): string {
    return this.dtlsStateValue;
  }

  get connected(): boolean {
    return this.srtpSend !== undefined;
  }

  /**
   * Runs ICE (to the first UDP candidate) and DTLS against the transport;
   * resolves once SRTP keys are in place. Call the server's `connect()` with
   * `dtlsParameters` before or while this runs.
   */
  connect(info: SyntheticTransportInfo, timeoutMs = 10_000): Promise<void> {
    const cand = info.iceCandidates.find((c) => c.protocol === 'udp');
    if (!cand) return Promise.reject(new Error('no UDP candidate'));
    this.remote = { address: cand.address, port: cand.port };
    this.remoteIce = info.iceParameters;
    const fps = info.dtlsParameters.fingerprints.map((f) => ({
      algorithm: f.algorithm,
      value: f.value.toLowerCase(),
    }));
    this.dtls = new DtlsTransport({
      role: 'client',
      certificate: this.certificate!,
      remoteFingerprints: fps,
      send: (d: Uint8Array) => this.sendRaw(d),
    });
    this.dtls.on('data', (d: Uint8Array) =>
      this.onApplicationData?.(Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
    );
    this.dtls.on('statechange', (state: string) => {
      this.dtlsStateValue = state;
      if (state === 'connected') {
        const keys = this.dtls!.getSrtpKeyingMaterial()!;
        this.srtpSend = new SrtpContext({
          profile: keys.profile,
          masterKey: keys.localMasterKey,
          masterSalt: keys.localMasterSalt,
        });
        this.srtpRecv = new SrtpContext({
          profile: keys.profile,
          masterKey: keys.remoteMasterKey,
          masterSalt: keys.remoteMasterSalt,
        });
        this.connectedResolve?.();
      } else if (state === 'failed' || state === 'closed') {
        this.connectedReject?.(new Error(`DTLS ${state}`));
      }
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('synthetic client: connect timed out')), timeoutMs);
      this.connectedResolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.connectedReject = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      this.sendBindingRequest();
      this.stunTimer = setInterval(() => this.sendBindingRequest(), this.iceConnected ? 2000 : 50);
    });
  }

  private sendBindingRequest(): void {
    if (!this.remote || !this.remoteIce) return;
    const w = this.stunWriter
      .begin(StunMethod.Binding, StunClass.Request, randomBytes(12))
      .addString(StunAttr.Username, `${this.remoteIce.usernameFragment}:${this.localUfrag}`)
      .addUint32(StunAttr.Priority, 0x6e0001ff)
      .addUint64(StunAttr.IceControlling, 0x1234567890n)
      .addFlag(StunAttr.UseCandidate)
      .addIntegrity(shortTermKey(this.remoteIce.password))
      .addFingerprint();
    this.sendRaw(w.toBuffer());
  }

  private sendRaw(data: Uint8Array): void {
    if (!this.remote) return;
    this.socket.send(data, this.remote.port, this.remote.address);
  }

  /** DTLS application data from the transport (SCTP packets, RFC 8261). */
  onApplicationData: ((data: Buffer) => void) | undefined;

  /** Sends DTLS application data (an SCTP packet); false before DTLS is up. */
  sendApplicationData(data: Uint8Array): boolean {
    return this.dtls?.send(data) ?? false;
  }

  /** Protects and sends one RTP packet; false before SRTP is up. */
  sendRtp(packet: Buffer, length: number = packet.length): boolean {
    if (!this.srtpSend || !this.remote) return false;
    const n = this.srtpSend.protectRtp(packet, length, this.out);
    if (n < 0) return false;
    this.counters.rtpSent++;
    // dgram.send keeps a reference until the datagram leaves: give it its own copy.
    this.socket.send(Buffer.from(this.out.subarray(0, n)), this.remote.port, this.remote.address);
    return true;
  }

  /** Protects and sends one RTCP compound packet. */
  sendRtcp(packet: Buffer, length: number = packet.length): boolean {
    if (!this.srtpSend || !this.remote) return false;
    const n = this.srtpSend.protectRtcp(packet, length, this.out);
    if (n < 0) return false;
    this.counters.rtcpSent++;
    this.socket.send(Buffer.from(this.out.subarray(0, n)), this.remote.port, this.remote.address);
    return true;
  }

  private onDatagram(msg: Buffer, address: string, port: number): void {
    if (!this.remote || address !== this.remote.address || port !== this.remote.port) return;
    const kind = classifyPacket(msg, msg.length);
    if (kind === PacketKind.Stun) {
      if (
        this.stunView.parse(msg, msg.length) === StunParseResult.Ok &&
        this.stunView.cls === StunClass.SuccessResponse
      ) {
        this.counters.stunResponses++;
        if (!this.iceConnected) {
          this.iceConnected = true;
          clearInterval(this.stunTimer);
          this.stunTimer = setInterval(() => this.sendBindingRequest(), 2000);
          this.stunTimer.unref();
          this.dtls?.start();
        }
      }
      return;
    }
    if (kind === PacketKind.Dtls) {
      this.dtls?.handle(Buffer.from(msg));
      return;
    }
    if ((kind === PacketKind.Rtp || kind === PacketKind.Rtcp) && this.srtpRecv) {
      const isRtcp = kind === PacketKind.Rtcp;
      if (!this.unprotectIncoming && !isRtcp) {
        this.counters.rtpReceived++;
        return;
      }
      const r = isRtcp
        ? this.srtpRecv.unprotectRtcp(msg, msg.length, this.plain)
        : this.srtpRecv.unprotectRtp(msg, msg.length, this.plain);
      if (r < 0) {
        this.counters.srtpFailures++;
        return;
      }
      if (isRtcp) {
        this.counters.rtcpReceived++;
        this.onRtcp(this.plain.subarray(0, r));
      } else {
        this.counters.rtpReceived++;
        this.onRtp(this.plain.subarray(0, r));
      }
    }
  }

  close(): void {
    clearInterval(this.stunTimer);
    try {
      this.dtls?.close();
    } catch {
      // already closed
    }
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
