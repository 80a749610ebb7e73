/**
 * The worker half of a WebRtcTransport (mediasoup's RTC::WebRtcTransport):
 * a `Transport` whose packets come and go as (tuple, bytes) through
 * `IoLink`, with one ICE-Lite agent, one DTLS transport and, once DTLS
 * connects, a receiving and a sending SRTP context. It tells the main
 * thread its ICE/DTLS state changes and tells `PacketRoutes` which ufrag and
 * which tuples reach it.
 */
import { type DtlsCertificate, DtlsTransport, resolveDtlsRole } from '@tsfu/dtls';
import {
  classifyPacket,
  type IceCandidate,
  IceLiteAgent,
  type IceParameters,
  type IceTuple,
  PacketKind,
} from '@tsfu/ice-lite';
import { SrtpContext, SrtpError } from '@tsfu/srtp';
import type { IoSocketInfo } from '../../protocol/io-protocol.js';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type {
  DtlsParameters,
  DtlsState,
  IceState,
  TransportTuple,
  WebRtcTransportCounters,
  WebRtcTransportDump,
  WebRtcTransportStatWithCounters,
} from '../../types/index.js';
import type { IoLink, LinkTuple } from '../io-link.js';
import { IceTuples } from './ice-tuples.js';
import { Transport, type TransportOptions } from './transport.js';

const logger = new ThreadLogger('WebRtcTransport');

/** A socket a transport may receive on (its own, or its WebRtcServer's). */
export type ListenSocket = IoSocketInfo & { announcedAddress?: string; exposeInternalIp?: boolean };

/** What a WebRtcTransport tells whoever routes packets to it (mediasoup's WebRtcTransport::Listener). */
export interface WebRtcTransportRoutes {
  onIceUsernameFragmentAdded(transport: WebRtcTransport, ufrag: string): void;
  onIceUsernameFragmentRemoved(transport: WebRtcTransport, ufrag: string): void;
  /** The I/O thread bound `tupleId` to this transport: route its packets here. */
  onTupleAdded(transport: WebRtcTransport, tupleId: number): void;
  onTupleRemoved(transport: WebRtcTransport, tupleId: number): void;
}

export interface WebRtcTransportOptions extends TransportOptions {
  link: IoLink;
  routes: WebRtcTransportRoutes;
  certificate: DtlsCertificate;
  sockets: ListenSocket[];
  candidates: IceCandidate[];
  /** Sockets opened for this transport alone (closed with it). */
  ownSocketIndices: number[];
  iceConsentTimeoutMs: number;
  /** Most validated ICE tuples kept (`tsfuMaxIceTuplesPerTransport`). */
  maxIceTuples: number;
}

const FINGERPRINT_ORDER = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];

// One pair of scratch buffers for every transport of this thread (packets are handled one at a time,
// each to completion, and nothing re-enters an unprotect): SRTP unprotect output, handed to the media
// plane from there; and protect output for sends, never the same buffer, since a packet is fanned out
// from `plainScratch` while its copies are protected.
const plainScratch = Buffer.allocUnsafe(65536);
const protectedScratch = Buffer.allocUnsafe(65536 + 64);

type SrtpCounters = Pick<
  WebRtcTransportCounters,
  | 'srtpPacketsAccepted'
  | 'srtcpPacketsAccepted'
  | 'srtpAuthFailures'
  | 'srtpReplayed'
  | 'srtpMalformed'
  | 'rtpBeforeKeys'
  | 'packetsFromInvalidTuple'
  | 'packetsUnknownKind'
>;

export class WebRtcTransport extends Transport {
  readonly agent: IceLiteAgent;
  private readonly link: IoLink;
  private readonly routes: WebRtcTransportRoutes;
  private readonly certificate: DtlsCertificate;
  readonly sockets: Map<number, ListenSocket>;
  readonly candidates: IceCandidate[];
  readonly ownSocketIndices: number[];
  /** The validated tuples and their bindings in the I/O thread. */
  readonly tuples: IceTuples;
  /** The tuple of the packet being handled (the agent's `send` answers it). */
  private current: LinkTuple | undefined;
  private dtls: DtlsTransport | undefined;
  private dtlsStarted = false;
  private dtlsStateValue: DtlsState = 'new';
  /** `auto` until `connect()` decides (mediasoup's `dtlsParameters.role` after connect). */
  private dtlsLocalRole: DtlsParameters['role'] = 'auto';
  private dtlsRemoteCert: string | undefined;
  private srtpRecv: SrtpContext | undefined;
  private srtpSend: SrtpContext | undefined;
  private selected: LinkTuple | undefined;
  private readonly counters: SrtpCounters = {
    srtpPacketsAccepted: 0,
    srtcpPacketsAccepted: 0,
    srtpAuthFailures: 0,
    srtpReplayed: 0,
    srtpMalformed: 0,
    rtpBeforeKeys: 0,
    packetsFromInvalidTuple: 0,
    packetsUnknownKind: 0,
  };

  constructor(options: WebRtcTransportOptions) {
    super(options);
    this.link = options.link;
    this.routes = options.routes;
    this.certificate = options.certificate;
    this.sockets = new Map(options.sockets.map((s) => [s.index, s]));
    this.candidates = options.candidates;
    this.ownSocketIndices = options.ownSocketIndices;
    this.agent = new IceLiteAgent({
      consentTimeoutMs: options.iceConsentTimeoutMs,
      maxTuples: options.maxIceTuples,
      send: (data, _remote, _protocol) => this.sendToCurrent(data),
    });
    this.agent.on('statechange', (state) => this.onIceState(state));
    this.agent.on('selectedtuplechange', (tuple) => this.onSelectedTuple(tuple));
    this.agent.on('previousufragdropped', (ufrag) => this.forgetUfrag(ufrag));
    this.tuples = new IceTuples({
      agent: this.agent,
      link: options.link,
      sockets: this.sockets,
      maxTuples: options.maxIceTuples,
      onBound: (id) => this.routes.onTupleAdded(this, id),
      onUnbound: (id) => this.routes.onTupleRemoved(this, id),
    });
  }

  get canSend(): boolean {
    return this.srtpSend !== undefined && this.selected !== undefined && !this.closed;
  }

  get iceParameters(): IceParameters {
    return { ...this.agent.localParameters, iceLite: true };
  }

  get dtlsParameters(): DtlsParameters {
    const fps = this.certificate
      .fingerprints()
      .sort((a, b) => FINGERPRINT_ORDER.indexOf(a.algorithm) - FINGERPRINT_ORDER.indexOf(b.algorithm));
    return {
      role: this.dtlsLocalRole,
      fingerprints: fps.map((f) => ({
        algorithm: f.algorithm as DtlsParameters['fingerprints'][number]['algorithm'],
        value: f.value.toUpperCase(),
      })),
    };
  }

  get iceState(): IceState {
    return this.agent.state;
  }

  get dtlsState(): DtlsState {
    return this.dtlsStateValue;
  }

  get iceSelectedTuple(): TransportTuple | undefined {
    return this.selected ? this.toTransportTuple(this.selected) : undefined;
  }

  // ---- receive ---------------------------------------------------------------------------

  /** A STUN request from a tuple the I/O thread does not know, routed here by its ufrag. */
  handleUnknownTupleStun(tuple: LinkTuple, buf: Buffer, length: number): void {
    if (this.closed || !this.sockets.has(tuple.socketIndex)) return;
    const t = this.tuples.known(tuple) ?? tuple;
    this.current = t;
    this.agent.handleStun(buf, length, t, t.protocol);
    this.current = undefined;
    this.tuples.checked(t);
  }

  /** A packet of a known tuple; `buf[0, length)` is valid during the call. */
  handlePacket(tuple: LinkTuple, buf: Buffer, length: number): void {
    if (this.closed || length < 1) return;
    this.bytesReceived += length;
    const kind = classifyPacket(buf, length);
    if (kind === PacketKind.Stun) {
      this.current = tuple;
      this.agent.handleStun(buf, length, tuple, tuple.protocol);
      this.current = undefined;
      return;
    }
    if (!this.agent.isValidTuple(tuple, tuple.protocol)) {
      this.counters.packetsFromInvalidTuple++;
      logger.warnTag('rtp', 'handlePacket() | ignoring packet coming from an invalid tuple');
      return;
    }
    switch (kind) {
      case PacketKind.Dtls:
        // The DTLS transport may keep records (reordering), so it gets its own copy.
        if (this.dtls && this.dtlsStarted) this.dtls.handle(Buffer.from(buf.subarray(0, length)));
        return;
      case PacketKind.Rtp:
      case PacketKind.Rtcp:
        this.handleSrtp(buf, length, kind === PacketKind.Rtcp);
        return;
      default:
        this.counters.packetsUnknownKind++;
        logger.warnTag('rtp', 'handlePacket() | ignoring received packet of unknown type');
    }
  }

  private handleSrtp(buf: Buffer, length: number, isRtcp: boolean): void {
    const ctx = this.srtpRecv;
    if (!ctx) {
      this.counters.rtpBeforeKeys++;
      logger.debugTag('srtp', 'handleSrtp() | ignoring packet due to non receiving SRTP session');
      return;
    }
    const r = isRtcp
      ? ctx.unprotectRtcp(buf, length, plainScratch)
      : ctx.unprotectRtp(buf, length, plainScratch);
    if (r >= 0) {
      if (isRtcp) {
        this.counters.srtcpPacketsAccepted++;
        this.receiveRtcpPacket(plainScratch, r, performance.now());
      } else {
        this.counters.srtpPacketsAccepted++;
        this.rtpBytesReceived += length;
        this.receiveRtpPacket(plainScratch, r, performance.now());
      }
      return;
    }
    if (r === SrtpError.AuthFailed) this.counters.srtpAuthFailures++;
    else if (r === SrtpError.Replayed || r === SrtpError.TooOld) this.counters.srtpReplayed++;
    else this.counters.srtpMalformed++;
    if (logger.debugTagEnabled('srtp')) {
      logger.debugTag('srtp', `handleSrtp() | unprotect${isRtcp ? 'Rtcp' : 'Rtp'}() failed [error:${r}]`);
    }
  }

  /** The I/O thread saw a TCP connection close. */
  handleTcpClosed(tupleId: number): void {
    for (const t of this.tuples.forget(tupleId)) this.agent.removeTuple(t, 'tcp');
  }

  /** Another transport validated tuple `tupleId` (a new ICE session from that address): it is not ours any more. */
  handleTupleTakenOver(tupleId: number): void {
    // Its connected socket (tsfuConnectedUdp) would keep catching the new session's datagrams.
    this.link.closeConnectedTuple(tupleId);
    for (const t of this.tuples.forget(tupleId)) this.agent.removeTuple(t, t.protocol);
  }

  // ---- send ------------------------------------------------------------------------------

  private sendToCurrent(data: Buffer): void {
    const t = this.current;
    if (!t) return;
    this.bytesSent += data.length;
    this.link.send(t, data, data.length);
  }

  private sendToSelected(data: Uint8Array): void {
    const t = this.selected;
    if (!t) return;
    this.bytesSent += data.length;
    this.link.send(t, data, data.length);
  }

  /** Protects and sends one RTP packet to the selected tuple (`packet` is left as it was). */
  protected sendRtpPacket(packet: Buffer, length: number): boolean {
    const ctx = this.srtpSend;
    const t = this.selected;
    if (!ctx || !t) return false;
    if (t.direct !== undefined) {
      // A connected socket keeps the buffer it sends: protect straight into one it can own (the
      // scratch + copy for the socket would copy every packet once more).
      const owned = Buffer.allocUnsafe(length + ctx.rtpOverhead);
      const n = ctx.protectRtp(packet, length, owned);
      if (n < 0) return false;
      this.bytesSent += n;
      if (this.link.sendOwned(t, n === owned.length ? owned : owned.subarray(0, n))) return true;
      this.link.send(t, owned, n);
      return true;
    }
    const n = ctx.protectRtp(packet, length, protectedScratch);
    if (n < 0) return false;
    this.bytesSent += n;
    this.link.send(t, protectedScratch, n);
    return true;
  }

  /** Protects and sends one RTCP compound packet to the selected tuple. */
  protected sendRtcpPacket(packet: Buffer, length: number): boolean {
    const ctx = this.srtpSend;
    const t = this.selected;
    if (!ctx || !t) return false;
    const n = ctx.protectRtcp(packet, length, protectedScratch);
    if (n < 0) return false;
    this.bytesSent += n;
    this.link.send(t, protectedScratch, n);
    return true;
  }

  // ---- ICE / DTLS ------------------------------------------------------------------------

  private onIceState(state: IceState): void {
    logger.debugTag('ice', `onIceState() | ICE ${state}`);
    if (state === 'disconnected') {
      this.selected = undefined;
      // Consent lost: the I/O thread forgets the tuples, so a new session from those addresses
      // reaches its own transport by ufrag.
      this.tuples.releaseInvalid();
    }
    this.notify('icestatechange', this.id, { iceState: state });
    this.maybeRunDtls();
  }

  private onSelectedTuple(tuple: IceTuple | undefined): void {
    if (!tuple) {
      this.selected = undefined;
      return;
    }
    const t = this.tuples.byAddress(tuple.protocol, tuple.address, tuple.port) ?? this.current;
    if (!t) return;
    logger.debugTag('ice', 'onSelectedTuple() | ICE selected tuple');
    this.selected = t;
    this.notify('iceselectedtuplechange', this.id, { iceSelectedTuple: this.toTransportTuple(t) });
  }

  private toTransportTuple(t: LinkTuple): TransportTuple {
    const s = this.sockets.get(t.socketIndex);
    const localIp = s?.ip ?? '';
    return {
      localIp,
      localAddress: s?.announcedAddress ?? localIp,
      localPort: s?.port ?? 0,
      remoteIp: t.address,
      remotePort: t.port,
      protocol: t.protocol,
    };
  }

  /** mediasoup's `connect()`: the remote DTLS parameters. Returns the local role taken. */
  connect(dtlsParameters: DtlsParameters): 'client' | 'server' {
    if (this.dtls) throw new Error('connect() already called');
    const role = resolveDtlsRole('auto', dtlsParameters.role ?? 'auto');
    this.dtlsLocalRole = role;
    const dtls = new DtlsTransport({
      role,
      certificate: this.certificate,
      remoteFingerprints: dtlsParameters.fingerprints.map((f) => ({
        algorithm: f.algorithm,
        value: f.value.toLowerCase(),
      })),
      send: (datagram: Uint8Array) => this.sendToSelected(datagram),
    });
    dtls.on('statechange', (state: DtlsState) => this.onDtlsState(state));
    // SCTP rides on DTLS application data (RFC 8261).
    const sctp = this.createSctp((packet) => dtls.send(packet));
    if (sctp)
      dtls.on('data', (data: Uint8Array) =>
        sctp.handle(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
      );
    this.dtls = dtls;
    this.maybeRunDtls();
    return role;
  }

  // mediasoup runs DTLS once connect() was called and ICE is connected or completed.
  private maybeRunDtls(): void {
    const ice = this.agent.state;
    if (!this.dtls || this.dtlsStarted || (ice !== 'connected' && ice !== 'completed')) return;
    this.dtlsStarted = true;
    logger.debugTag('dtls', `maybeRunDtls() | running DTLS transport in local role '${this.dtls.role}'`);
    this.dtls.start();
  }

  private onDtlsState(state: DtlsState): void {
    if (this.closed) return;
    if (state === 'failed') logger.warnTag('dtls', 'onDtlsState() | DTLS failed');
    else logger.debugTag('dtls', `onDtlsState() | DTLS ${state}`);
    this.dtlsStateValue = state;
    if (state === 'connected' && this.dtls) {
      this.dtlsRemoteCert = this.dtls.remoteCertificatePem;
      const keys = this.dtls.getSrtpKeyingMaterial();
      if (keys) {
        this.srtpRecv = new SrtpContext({
          profile: keys.profile,
          masterKey: keys.remoteMasterKey,
          masterSalt: keys.remoteMasterSalt,
        });
        this.srtpSend = new SrtpContext({
          profile: keys.profile,
          masterKey: keys.localMasterKey,
          masterSalt: keys.localMasterSalt,
        });
      } else {
        // No SRTP profile was negotiated: media cannot flow on this transport.
        logger.error('onDtlsState() | DTLS connected without SRTP keying material');
      }
    }
    this.notify('dtlsstatechange', this.id, { dtlsState: state, dtlsRemoteCert: this.dtlsRemoteCert });
    if (state === 'connected') this.sctp?.connect();
    else if (state === 'closed' || state === 'failed') this.sctp?.close();
  }

  /** Registers the local ufrag with the I/O thread, then routes STUN requests naming it here. */
  async registerIceUsernameFragment(): Promise<void> {
    const ufrag = this.agent.localParameters.usernameFragment;
    await this.link.registerUfrag(ufrag);
    this.routes.onIceUsernameFragmentAdded(this, ufrag);
  }

  /**
   * New ICE credentials. The old ufrag keeps routing here until the agent retires it (the peer's
   * first check with the new ones, or the next restart), as mediasoup's IceServer does.
   */
  async restartIce(): Promise<IceParameters> {
    const params = this.agent.restartIce();
    await this.link.registerUfrag(params.usernameFragment);
    this.routes.onIceUsernameFragmentAdded(this, params.usernameFragment);
    return { ...params, iceLite: true };
  }

  /** The ufrags checks may name: the current one, and the one before a restart until it is retired. */
  get localUsernameFragments(): string[] {
    const previous = this.agent.previousUsernameFragment;
    const current = this.agent.localParameters.usernameFragment;
    return previous === undefined ? [current] : [previous, current];
  }

  private forgetUfrag(ufrag: string): void {
    this.routes.onIceUsernameFragmentRemoved(this, ufrag);
    void this.link.unregisterUfrag(ufrag).catch(logger.catcher('forgetUfrag() | unregisterUfrag'));
  }

  /**
   * Closes producers and consumers, then DTLS (close_notify), ICE, the I/O
   * routes and the transport's own sockets, in that order (IoLink keeps it).
   */
  override close(): void {
    if (this.closed) return;
    super.close();
    try {
      this.dtls?.close();
    } catch (error) {
      // The peer only misses the close_notify (it sees ICE consent expire instead).
      logger.debugTag('dtls', `close() | DTLS close failed: ${error}`);
    }
    const ufrags = this.localUsernameFragments;
    this.agent.close();
    for (const ufrag of ufrags) this.forgetUfrag(ufrag);
    this.tuples.close();
    this.link.unlisten(this.ownSocketIndices);
  }

  getStats(): WebRtcTransportStatWithCounters {
    return {
      type: 'webrtc-transport',
      ...this.baseStats(),
      iceRole: 'controlled',
      iceState: this.agent.state,
      iceSelectedTuple: this.iceSelectedTuple,
      dtlsState: this.dtlsStateValue,
      tsfuCounters: {
        ...this.counters,
        iceTuplesEvicted: this.tuples.evicted,
        ice: { ...this.agent.counters },
        sendsDroppedRingFull: this.link.sendsDroppedRingFull,
        media: { ...this.mediaCounters },
        retransmissionBufferBytes: this.retransmissionBufferBytes(),
        ...this.tuples.connectedUdpCounters(),
      },
    };
  }

  dump(): WebRtcTransportDump {
    return {
      ...this.baseDump(),
      iceRole: 'controlled',
      iceParameters: this.iceParameters,
      iceCandidates: this.candidates.map((c) => ({ ...c })),
      iceState: this.agent.state,
      iceSelectedTuple: this.iceSelectedTuple,
      dtlsParameters: this.dtlsParameters,
      dtlsState: this.dtlsStateValue,
      dtlsRemoteCert: this.dtlsRemoteCert,
    };
  }
}
