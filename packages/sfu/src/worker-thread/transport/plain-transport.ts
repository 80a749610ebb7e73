/**
 * The worker half of a PlainTransport (mediasoup's RTC::PlainTransport): a
 * `Transport` on its own UDP socket (and a second one for RTCP when
 * `rtcpMux` is off), held by the I/O thread like every socket, which hands
 * this worker every datagram on them with its source address. The remote
 * tuple comes from `connect()`, or with `comedia` from the first packet that
 * arrives (and authenticates, with SRTP): RTP and RTCP separately when not
 * muxed. Packets from any other source are dropped and counted. With
 * `enableSrtp`, media is protected with static keys: the local one is
 * generated here (`srtpParameters`), the remote one comes with `connect()`.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { classifyPacket, PacketKind } from '@tsfu/ice-lite';
import { SrtpContext, srtpProfileByName } from '@tsfu/srtp';
import type { PlainConnectRequest } from '../../protocol/worker-protocol.js';
import type { PipeTransportDump, PipeTransportStatWithCounters } from '../../types/pipe-transport.js';
import type {
  PlainTransportCounters,
  PlainTransportDump,
  PlainTransportState,
  PlainTransportStatWithCounters,
} from '../../types/plain-transport.js';
import type { SrtpCryptoSuite, SrtpParameters } from '../../types/srtp-parameters.js';
import type { TransportTuple } from '../../types/transport.js';
import { isSctpDatagram } from '../data/plain-sctp.js';
import type { IoLink, LinkTuple } from '../io-link.js';
import { Transport, type TransportOptions } from './transport.js';
import type { ListenSocket } from './webrtc-transport.js';

export interface PlainTransportOptions extends TransportOptions {
  link: IoLink;
  rtpSocket: ListenSocket;
  /** The RTCP socket when `rtcpMux` is off. */
  rtcpSocket?: ListenSocket;
  comedia: boolean;
  /** The suite of the local key when SRTP is enabled. */
  srtpCryptoSuite?: SrtpCryptoSuite;
}

// Shared by every transport of this thread (a packet is handled to completion): unprotect output, and
// protect output (never the same buffer: a packet is fanned out from the first while copies are protected).
const plainScratch = Buffer.allocUnsafe(65536);
const protectedScratch = Buffer.allocUnsafe(65536 + 64);

/** A random master key + salt for `suite`, base64 (mediasoup's `srtpParameters.keyBase64`). */
function generateSrtpParameters(suite: SrtpCryptoSuite): SrtpParameters {
  const profile = srtpProfileByName(suite);
  if (!profile) throw new TypeError(`invalid srtpCryptoSuite: ${suite}`);
  const key = randomBytes(profile.masterKeyLength + profile.masterSaltLength);
  return { cryptoSuite: suite, keyBase64: key.toString('base64') };
}

/** An SRTP context for `params` (TypeError for a key of the wrong length for its suite). */
function srtpContext(params: SrtpParameters): SrtpContext {
  const profile = srtpProfileByName(params.cryptoSuite);
  if (!profile) throw new TypeError(`invalid srtpParameters.cryptoSuite: ${params.cryptoSuite}`);
  const key = Buffer.from(params.keyBase64, 'base64');
  if (key.length !== profile.masterKeyLength + profile.masterSaltLength) {
    throw new TypeError(`invalid srtpParameters.keyBase64 length for ${params.cryptoSuite}`);
  }
  return new SrtpContext({
    profile,
    masterKey: key.subarray(0, profile.masterKeyLength),
    masterSalt: key.subarray(profile.masterKeyLength),
  });
}

export class PlainTransport extends Transport {
  protected readonly link: IoLink;
  readonly rtpSocket: ListenSocket;
  readonly rtcpSocket: ListenSocket | undefined;
  readonly comedia: boolean;
  private connected = false;
  private tuple: LinkTuple | undefined;
  private rtcpTuple: LinkTuple | undefined;
  private srtpParameters: SrtpParameters | undefined;
  private srtpSend: SrtpContext | undefined;
  private srtpRecv: SrtpContext | undefined;
  protected readonly counters: Omit<
    PlainTransportCounters,
    'media' | 'retransmissionBufferBytes' | 'sendsDroppedRingFull'
  > = {
    packetsFromUnknownTuple: 0,
    packetsBeforeConnect: 0,
    packetsUnknownKind: 0,
    srtpFailures: 0,
  };

  constructor(options: PlainTransportOptions) {
    super(options);
    this.link = options.link;
    this.rtpSocket = options.rtpSocket;
    this.rtcpSocket = options.rtcpSocket;
    this.comedia = options.comedia;
    if (options.srtpCryptoSuite) this.srtpParameters = generateSrtpParameters(options.srtpCryptoSuite);
  }

  get rtcpMux(): boolean {
    return this.rtcpSocket === undefined;
  }

  /** The indices of its own sockets (closed with it). */
  get socketIndices(): number[] {
    return this.rtcpSocket ? [this.rtpSocket.index, this.rtcpSocket.index] : [this.rtpSocket.index];
  }

  get canSend(): boolean {
    return !this.closed && this.tuple !== undefined && (this.srtpParameters === undefined || !!this.srtpSend);
  }

  /** What the main thread keeps (creation and `connect()` answers). */
  get state(): PlainTransportState {
    return {
      tuple: this.transportTuple(this.rtpSocket, this.tuple),
      rtcpTuple: this.rtcpSocket ? this.transportTuple(this.rtcpSocket, this.rtcpTuple) : undefined,
      srtpParameters: this.srtpParameters ? { ...this.srtpParameters } : undefined,
    };
  }

  /** mediasoup's `connect()`: the remote (unless comedia) and its SRTP key; once only. */
  connect(d: PlainConnectRequest): PlainTransportState {
    if (this.connected) throw new Error('connect() already called');
    if (this.srtpParameters && !d.srtpParameters)
      throw new TypeError('missing srtpParameters (SRTP enabled)');
    if (!this.srtpParameters && d.srtpParameters)
      throw new TypeError('invalid srtpParameters (SRTP not enabled)');
    let recv: SrtpContext | undefined;
    let local = this.srtpParameters;
    if (d.srtpParameters) {
      recv = srtpContext(d.srtpParameters);
      // As mediasoup: the local key follows the remote's suite.
      if (local && local.cryptoSuite !== d.srtpParameters.cryptoSuite) {
        local = generateSrtpParameters(d.srtpParameters.cryptoSuite);
      }
    }
    if (!this.comedia) {
      if (!d.ip || d.port === undefined) throw new TypeError('missing ip or port');
      if (!this.rtcpMux && d.rtcpPort === undefined) throw new TypeError('missing rtcpPort (rtcpMux is off)');
    }
    this.connected = true;
    if (local) {
      this.srtpParameters = local;
      this.srtpSend = srtpContext(local);
      this.srtpRecv = recv;
    }
    if (!this.comedia && d.ip && d.port !== undefined) {
      this.tuple = this.linkTuple(this.rtpSocket, d.ip, d.port);
      if (this.rtcpSocket && d.rtcpPort !== undefined) {
        this.rtcpTuple = this.linkTuple(this.rtcpSocket, d.ip, d.rtcpPort);
      }
    }
    // mediasoup starts SCTP once the transport is connected to a known remote.
    if (this.tuple) this.plainSctp()?.connect();
    return this.state;
  }

  // ---- receive ---------------------------------------------------------------------------

  /** A datagram on one of its sockets from `address:port`; `buf[0, length)` is valid during the call. */
  handleDatagram(socketIndex: number, address: string, port: number, buf: Buffer, length: number): void {
    if (this.closed || length < 1) return;
    this.bytesReceived += length;
    const onRtcpSocket = socketIndex !== this.rtpSocket.index;
    if (!onRtcpSocket && this.options.sctpParameters && isSctpDatagram(buf, length)) {
      this.receiveSctp(address, port, buf, length);
      return;
    }
    const kind = onRtcpSocket ? PacketKind.Rtcp : classifyPacket(buf, length);
    if (kind !== PacketKind.Rtp && kind !== PacketKind.Rtcp) {
      this.counters.packetsUnknownKind++;
      return;
    }
    if (this.srtpParameters && !this.srtpRecv) {
      this.counters.packetsBeforeConnect++;
      return;
    }
    const known = onRtcpSocket ? this.rtcpTuple : this.tuple;
    const fromKnown = known !== undefined && known.address === address && known.port === port;
    if (!fromKnown && !(known === undefined && this.comedia)) {
      if (known === undefined) this.counters.packetsBeforeConnect++;
      else this.counters.packetsFromUnknownTuple++;
      return;
    }
    const isRtcp = kind === PacketKind.Rtcp;
    let data = buf;
    let n = length;
    if (this.srtpRecv) {
      n = isRtcp
        ? this.srtpRecv.unprotectRtcp(buf, length, plainScratch)
        : this.srtpRecv.unprotectRtp(buf, length, plainScratch);
      if (n < 0) {
        this.counters.srtpFailures++;
        return;
      }
      data = plainScratch;
    }
    // comedia: the first packet that is valid (authenticated, with SRTP) names the remote.
    if (!fromKnown) this.learnTuple(onRtcpSocket, address, port);
    const now = performance.now();
    if (isRtcp) this.receiveRtcpPacket(data, n, now);
    else {
      this.rtpBytesReceived += length;
      this.receiveRtpPacket(data, n, now);
    }
  }

  /** SCTP from the remote (comedia: the first SCTP packet may name it, as in mediasoup), never SRTP-protected. */
  private receiveSctp(address: string, port: number, buf: Buffer, length: number): void {
    const known = this.tuple;
    if (known === undefined ? !this.comedia : known.address !== address || known.port !== port) {
      if (known === undefined) this.counters.packetsBeforeConnect++;
      else this.counters.packetsFromUnknownTuple++;
      return;
    }
    if (known === undefined) this.learnTuple(false, address, port);
    // The association keeps what it needs (reassembly copies): the receive buffer is reused after this call.
    this.plainSctp()?.handle(Buffer.from(buf.subarray(0, length)));
  }

  private plainSctp() {
    return this.createSctp((packet) => {
      if (!this.closed && this.tuple) {
        this.bytesSent += packet.byteLength;
        this.link.send(this.tuple, packet, packet.byteLength);
      }
    });
  }

  private learnTuple(onRtcpSocket: boolean, address: string, port: number): void {
    if (onRtcpSocket && this.rtcpSocket) {
      this.rtcpTuple = this.linkTuple(this.rtcpSocket, address, port);
      this.notify('plaintransport.rtcptuple', this.id, this.transportTuple(this.rtcpSocket, this.rtcpTuple));
      return;
    }
    this.tuple = this.linkTuple(this.rtpSocket, address, port);
    this.notify('plaintransport.tuple', this.id, this.transportTuple(this.rtpSocket, this.tuple));
  }

  // ---- send ------------------------------------------------------------------------------

  protected sendRtpPacket(packet: Buffer, length: number): boolean {
    return this.sendTo(this.tuple, packet, length, false);
  }

  protected sendRtcpPacket(packet: Buffer, length: number): boolean {
    return this.sendTo(this.rtcpSocket ? this.rtcpTuple : this.tuple, packet, length, true);
  }

  private sendTo(t: LinkTuple | undefined, packet: Buffer, length: number, isRtcp: boolean): boolean {
    if (this.closed || t === undefined) return false;
    let data = packet;
    let n = length;
    if (this.srtpParameters) {
      const ctx = this.srtpSend;
      if (!ctx) return false;
      n = isRtcp
        ? ctx.protectRtcp(packet, length, protectedScratch)
        : ctx.protectRtp(packet, length, protectedScratch);
      if (n < 0) return false;
      data = protectedScratch;
    }
    this.bytesSent += n;
    return this.link.send(t, data, n);
  }

  // ---- tuples, close, stats, dump ----------------------------------------------------------

  private linkTuple(socket: ListenSocket, address: string, port: number): LinkTuple {
    return {
      address,
      port,
      family: isIPv6(address) ? 'IPv6' : 'IPv4',
      protocol: 'udp',
      socketIndex: socket.index,
      connId: 0,
      tupleId: 0,
    };
  }

  private transportTuple(socket: ListenSocket, remote: LinkTuple | undefined): TransportTuple {
    const localAddress = socket.announcedAddress ?? socket.ip;
    return {
      // mediasoup reports the announced address as `localIp` too (deprecated field).
      localIp: localAddress,
      localAddress,
      localPort: socket.port,
      ...(remote ? { remoteIp: remote.address, remotePort: remote.port } : {}),
      protocol: 'udp',
    };
  }

  /** Closes producers and consumers, then releases its sockets (after what is queued). */
  override close(): void {
    if (this.closed) return;
    super.close();
    this.link.unlisten(this.socketIndices);
  }

  getStats(): PlainTransportStatWithCounters | PipeTransportStatWithCounters {
    const { tuple, rtcpTuple } = this.state;
    return {
      type: 'plain-rtp-transport',
      ...this.baseStats(),
      rtcpMux: this.rtcpMux,
      comedia: this.comedia,
      tuple,
      ...(rtcpTuple ? { rtcpTuple } : {}),
      tsfuCounters: {
        ...this.counters,
        sendsDroppedRingFull: this.link.sendsDroppedRingFull,
        media: { ...this.mediaCounters },
        retransmissionBufferBytes: this.retransmissionBufferBytes(),
      },
    };
  }

  dump(): PlainTransportDump | PipeTransportDump {
    const { tuple, rtcpTuple, srtpParameters } = this.state;
    return {
      ...this.baseDump(),
      rtcpMux: this.rtcpMux,
      comedia: this.comedia,
      tuple,
      ...(rtcpTuple ? { rtcpTuple } : {}),
      ...(srtpParameters ? { srtpParameters } : {}),
    };
  }
}
