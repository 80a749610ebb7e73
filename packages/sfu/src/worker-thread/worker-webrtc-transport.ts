/**
 * The worker-thread half of a WebRtcTransport: one ICE-Lite agent, one DTLS
 * transport and, once DTLS connects, a receiving and a sending SRTP context.
 * It sees packets as (tuple, bytes) from `IoLink` and reports state changes
 * to the main thread as notifications.
 */
import { type DtlsCertificate, DtlsTransport, resolveDtlsRole } from '@tsfu/dtls';
import { type IceCandidate, IceLiteAgent, type IceParameters, type IceTuple } from '@tsfu/ice-lite';
import { SrtpContext, SrtpError } from '@tsfu/srtp';
import type { IoSocketInfo } from '../protocol/io-protocol.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import type { NotifyMain } from '../protocol/worker-protocol.js';
import type {
  DtlsParameters,
  DtlsState,
  IceState,
  SctpParameters,
  TransportTuple,
  WebRtcTransportCounters,
  WebRtcTransportDump,
  WebRtcTransportStatWithCounters,
} from '../types/index.js';
import type { IoLink, LinkTuple } from './io-link.js';
import { TransportMedia } from './media/transport-media.js';

const logger = new ThreadLogger('WebRtcTransport');

export interface WorkerWebRtcTransportOptions {
  id: string;
  link: IoLink;
  certificate: DtlsCertificate;
  /** Sockets this transport may receive on (its own, or its WebRtcServer's). */
  sockets: Array<IoSocketInfo & { announcedAddress?: string }>;
  candidates: IceCandidate[];
  /** Sockets opened for this transport alone (closed with it). */
  ownSocketIndices: number[];
  iceConsentTimeoutMs: number;
  initialAvailableOutgoingBitrate: number;
  sctpParameters?: SctpParameters;
  maxSendMessageSize: number;
  maxReceiveMessageSize: number;
  /** Most validated ICE tuples kept (`tsfuMaxIceTuplesPerTransport`). */
  maxIceTuples: number;
  /** Notifications to the main thread: the transport's own (its id) and its producers' and consumers'. */
  notify: NotifyMain;
}

const FINGERPRINT_ORDER = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];

/** Names transports to the I/O thread, which caps tuples per transport (unique in this thread). */
let nextIoOwner = 1;

// One pair of scratch buffers for every transport of this thread (packets are handled one at a time,
// each to completion, and nothing re-enters an unprotect): SRTP unprotect output, handed to the media
// plane from there; and protect output for sends, never the same buffer, since a packet is fanned out
// from `plainScratch` while its copies are protected.
const plainScratch = Buffer.allocUnsafe(65536);
const protectedScratch = Buffer.allocUnsafe(65536 + 64);

export class WorkerWebRtcTransport {
  readonly id: string;
  readonly agent: IceLiteAgent;
  private readonly link: IoLink;
  private readonly certificate: DtlsCertificate;
  private readonly notify: NotifyMain;
  readonly sockets: Map<number, IoSocketInfo & { announcedAddress?: string }>;
  readonly candidates: IceCandidate[];
  readonly ownSocketIndices: number[];
  private readonly options: WorkerWebRtcTransportOptions;
  /** Tuples the agent validated, by `protocol|address|port`. */
  private readonly tuples = new Map<string, LinkTuple>();
  /** The tuple of the packet being handled (the agent's `send` answers it). */
  private current: LinkTuple | undefined;
  private dtls: DtlsTransport | undefined;
  private dtlsStarted = false;
  private dtlsStateValue: DtlsState = 'new';
  private dtlsRemoteCert: string | undefined;
  private srtpRecv: SrtpContext | undefined;
  private srtpSend: SrtpContext | undefined;
  private selected: LinkTuple | undefined;
  private closed = false;
  maxIncomingBitrate: number | undefined;
  maxOutgoingBitrate: number | undefined;
  private readonly stats = {
    bytesReceived: 0,
    bytesSent: 0,
    rtpBytesReceived: 0,
  };
  private readonly counters: Omit<
    WebRtcTransportCounters,
    | 'ice'
    | 'sendsDroppedRingFull'
    | 'media'
    | 'retransmissionBufferBytes'
    | 'connectedUdpPacketsReceived'
    | 'connectedUdpPacketsSent'
    | 'connectedUdpFallbacks'
    | 'connectedUdpStrays'
  > = {
    srtpPacketsAccepted: 0,
    srtcpPacketsAccepted: 0,
    srtpAuthFailures: 0,
    srtpReplayed: 0,
    srtpMalformed: 0,
    rtpBeforeKeys: 0,
    packetsFromInvalidTuple: 0,
    packetsUnknownKind: 0,
    iceTuplesEvicted: 0,
  };
  private readonly ioOwner = nextIoOwner++;
  /** Tuples whose bind request is in flight. */
  private readonly binding = new Set<LinkTuple>();
  /** Tuple ids bound in the I/O thread, for this transport. */
  readonly boundTupleIds = new Set<number>();
  /** Called with a tuple id once the I/O thread bound it (the worker routes it here). */
  onTupleBound: (tupleId: number, transport: WorkerWebRtcTransport) => void = () => {};
  /** Called with a tuple id the agent dropped (the worker stops routing it here). */
  onTupleUnbound: (tupleId: number, transport: WorkerWebRtcTransport) => void = () => {};
  /** Producers, consumers, RTCP: the media plane of this transport. */
  readonly media: TransportMedia;

  constructor(options: WorkerWebRtcTransportOptions) {
    const self = this;
    this.options = options;
    this.id = options.id;
    this.link = options.link;
    this.certificate = options.certificate;
    this.notify = options.notify;
    this.sockets = new Map(options.sockets.map((s) => [s.index, s]));
    this.candidates = options.candidates;
    this.ownSocketIndices = options.ownSocketIndices;
    this.agent = new IceLiteAgent({
      consentTimeoutMs: options.iceConsentTimeoutMs,
      maxTuples: options.maxIceTuples,
      send: (data, _remote, _protocol) => this.sendToCurrent(data),
    });
    this.agent.on('statechange', (state) => this.onIceState(state));
    this.media = new TransportMedia({
      id: this.id,
      sendRtp: (packet, length) => this.sendRtp(packet as Buffer, length),
      sendRtcp: (packet, length) => this.sendRtcp(packet as Buffer, length),
      get canSend() {
        return self.srtpSend !== undefined && self.selected !== undefined && !self.closed;
      },
      notify: options.notify,
      get maxIncomingBitrate() {
        return self.maxIncomingBitrate;
      },
    });
    this.agent.on('selectedtuplechange', (tuple) => this.onSelectedTuple(tuple));
  }

  get iceParameters(): IceParameters {
    return { ...this.agent.localParameters, iceLite: true };
  }

  get dtlsParameters(): DtlsParameters {
    const fps = this.certificate
      .fingerprints()
      .sort((a, b) => FINGERPRINT_ORDER.indexOf(a.algorithm) - FINGERPRINT_ORDER.indexOf(b.algorithm));
    return {
      role: 'auto',
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
    const key = `${tuple.protocol}|${tuple.address}|${tuple.port}`;
    const known = this.tuples.get(key);
    const t = known ?? tuple;
    this.current = t;
    this.agent.handleStun(buf, length, t, t.protocol);
    this.current = undefined;
    if (!this.agent.isValidTuple(t, t.protocol)) return;
    if (!known) {
      // Validated: from now on the I/O thread routes this tuple here by id.
      this.tuples.set(key, t);
      this.bind(t, key, this.dropInvalidTuples());
    } else if (t.tupleId === 0 && !this.binding.has(t)) {
      // Its earlier bind was refused or failed: ask again.
      this.bind(t, key, []);
    }
  }

  /** Forgets tuples the agent no longer holds (it keeps `maxIceTuples`); the I/O thread is told with the next bind. */
  private dropInvalidTuples(): LinkTuple[] {
    const dropped: LinkTuple[] = [];
    for (const [key, t] of this.tuples) {
      if (this.agent.isValidTuple(t, t.protocol)) continue;
      this.tuples.delete(key);
      this.counters.iceTuplesEvicted++;
      dropped.push(t);
      if (t.tupleId !== 0) {
        this.boundTupleIds.delete(t.tupleId);
        this.onTupleUnbound(t.tupleId, this);
        // Closes its connected socket, if any (the I/O thread forgets it with the bind request first).
        this.link.unbindTuple(t.tupleId);
      }
    }
    return dropped;
  }

  private bind(t: LinkTuple, key: string, evict: LinkTuple[]): void {
    this.binding.add(t);
    void this.link.bindTuple(t, this.ioOwner, this.options.maxIceTuples, evict).then(
      (id) => {
        this.binding.delete(t);
        // 0: refused (tuple cap) or gone; the next valid check from it asks again.
        if (id === 0) return;
        if (this.closed) {
          this.link.unbindTuple(id);
          return;
        }
        // Dropped while the bind was in flight: the I/O thread forgot it with a later bind's evict list.
        if (this.tuples.get(key) !== t) return;
        t.tupleId = id;
        this.boundTupleIds.add(id);
        this.onTupleBound(id, this);
        const s = this.sockets.get(t.socketIndex);
        if (s?.connectedUdp && t.protocol === 'udp') this.link.connectTuple(t, s.ip, s.port, s);
      },
      // Unbound, the tuple keeps reaching this transport by its ufrag (slower, still correct).
      (error) => {
        this.binding.delete(t);
        logger.catcher('bind() | bindTuple')(error);
      },
    );
  }

  /** A packet of a known tuple; `buf[0, length)` is the worker's scratch copy. */
  handlePacket(tuple: LinkTuple, buf: Buffer, length: number): void {
    if (this.closed || length < 1) return;
    this.stats.bytesReceived += length;
    const b0 = buf[0];
    if (b0 < 4) {
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
    if (b0 >= 20 && b0 <= 63) {
      // DTLS: the transport may keep records (reordering), so it gets its own copy.
      if (this.dtls && this.dtlsStarted) this.dtls.handle(Buffer.from(buf.subarray(0, length)));
      return;
    }
    if (b0 >= 128 && b0 <= 191) {
      this.handleSrtp(buf, length);
      return;
    }
    this.counters.packetsUnknownKind++;
    logger.warnTag('rtp', 'handlePacket() | ignoring received packet of unknown type');
  }

  private handleSrtp(buf: Buffer, length: number): void {
    const ctx = this.srtpRecv;
    if (!ctx) {
      this.counters.rtpBeforeKeys++;
      logger.debugTag('srtp', 'handleSrtp() | ignoring packet due to non receiving SRTP session');
      return;
    }
    // RFC 5761 §4: RTCP packet types 192–223 in the second byte.
    const pt = length > 1 ? buf[1] : 0;
    const isRtcp = pt >= 192 && pt <= 223;
    const r = isRtcp
      ? ctx.unprotectRtcp(buf, length, plainScratch)
      : ctx.unprotectRtp(buf, length, plainScratch);
    if (r >= 0) {
      if (isRtcp) {
        this.counters.srtcpPacketsAccepted++;
        this.media.handleRtcp(plainScratch, r, performance.now());
      } else {
        this.counters.srtpPacketsAccepted++;
        this.stats.rtpBytesReceived += length;
        this.media.handleRtp(plainScratch, r, performance.now());
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

  /** Validated tuples the I/O thread bound under `tupleId`. */
  tuplesWithId(tupleId: number): LinkTuple[] {
    return [...this.tuples.values()].filter((t) => t.tupleId === tupleId);
  }

  /** The I/O thread saw a TCP connection close. */
  handleTcpClosed(tupleId: number): void {
    for (const [key, t] of this.tuples) {
      if (t.tupleId === tupleId) {
        this.tuples.delete(key);
        this.boundTupleIds.delete(tupleId);
        this.agent.removeTuple(t, 'tcp');
      }
    }
  }

  // ---- send ------------------------------------------------------------------------------

  private sendToCurrent(data: Buffer): void {
    const t = this.current;
    if (!t) return;
    this.stats.bytesSent += data.length;
    this.link.send(t, data, data.length);
  }

  private sendToSelected(data: Uint8Array): void {
    const t = this.selected;
    if (!t) return;
    this.stats.bytesSent += data.length;
    this.link.send(t, data, data.length);
  }

  /** Protects and sends one RTP packet to the selected tuple (`packet` is left as it was). */
  sendRtp(packet: Buffer, length: number): boolean {
    const ctx = this.srtpSend;
    const t = this.selected;
    if (!ctx || !t) return false;
    const n = ctx.protectRtp(packet, length, protectedScratch);
    if (n < 0) return false;
    this.stats.bytesSent += n;
    this.link.send(t, protectedScratch, n);
    return true;
  }

  /** Protects and sends one RTCP compound packet to the selected tuple. */
  sendRtcp(packet: Buffer, length: number): boolean {
    const ctx = this.srtpSend;
    const t = this.selected;
    if (!ctx || !t) return false;
    const n = ctx.protectRtcp(packet, length, protectedScratch);
    if (n < 0) return false;
    this.stats.bytesSent += n;
    this.link.send(t, protectedScratch, n);
    return true;
  }

  // ---- ICE / DTLS ------------------------------------------------------------------------

  private onIceState(state: IceState): void {
    logger.debugTag('ice', `onIceState() | ICE ${state}`);
    if (state === 'disconnected') this.selected = undefined;
    this.notify('icestatechange', this.id, { iceState: state });
    this.maybeRunDtls();
  }

  private onSelectedTuple(tuple: IceTuple | undefined): void {
    if (!tuple) {
      this.selected = undefined;
      return;
    }
    const t = this.tuples.get(`${tuple.protocol}|${tuple.address}|${tuple.port}`) ?? this.current;
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

  /** mediasoup's `connect()`: the remote DTLS parameters. */
  connect(dtlsParameters: DtlsParameters): void {
    if (this.dtls) throw new Error('connect() already called');
    const role = resolveDtlsRole('auto', dtlsParameters.role ?? 'auto');
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
    this.dtls = dtls;
    this.maybeRunDtls();
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
  }

  /** New ICE credentials; the old ufrag stops routing here. */
  async restartIce(): Promise<IceParameters> {
    const old = this.agent.localParameters.usernameFragment;
    const params = this.agent.restartIce();
    await this.link.registerUfrag(params.usernameFragment);
    await this.link.unregisterUfrag(old);
    return { ...params, iceLite: true };
  }

  /** Closes DTLS (close_notify), ICE, the I/O routes and the transport's own sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.media.close();
    try {
      this.dtls?.close();
    } catch (error) {
      // The peer only misses the close_notify (it sees ICE consent expire instead).
      logger.debugTag('dtls', `close() | DTLS close failed: ${error}`);
    }
    this.agent.close();
    void this.link
      .unregisterUfrag(this.agent.localParameters.usernameFragment)
      .catch(logger.catcher('close() | unregisterUfrag'));
    for (const id of this.boundTupleIds) this.link.unbindTuple(id);
    // Behind the close_notify and the unbinds above (IoLink keeps that order).
    this.link.unlisten(this.ownSocketIndices);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  getStats(): WebRtcTransportStatWithCounters {
    const now = performance.now();
    return {
      type: 'webrtc-transport',
      transportId: this.id,
      timestamp: Date.now(),
      bytesReceived: this.stats.bytesReceived,
      recvBitrate: this.media.rtpRecvBitrate.rate(now) + this.media.rtxRecvBitrate.rate(now),
      bytesSent: this.stats.bytesSent,
      sendBitrate: this.media.rtpSendBitrate.rate(now) + this.media.rtxSendBitrate.rate(now),
      rtpBytesReceived: this.stats.rtpBytesReceived,
      rtpRecvBitrate: this.media.rtpRecvBitrate.rate(now),
      rtpBytesSent: this.media.rtpBytesSent,
      rtpSendBitrate: this.media.rtpSendBitrate.rate(now),
      rtxBytesReceived: this.media.rtxBytesReceived,
      rtxRecvBitrate: this.media.rtxRecvBitrate.rate(now),
      rtxBytesSent: this.media.rtxBytesSent,
      rtxSendBitrate: this.media.rtxSendBitrate.rate(now),
      probationBytesSent: 0,
      probationSendBitrate: 0,
      availableOutgoingBitrate: this.options.initialAvailableOutgoingBitrate,
      maxIncomingBitrate: this.maxIncomingBitrate,
      maxOutgoingBitrate: this.maxOutgoingBitrate,
      ...(this.options.sctpParameters ? { sctpState: 'new' } : {}),
      iceRole: 'controlled',
      iceState: this.agent.state,
      iceSelectedTuple: this.iceSelectedTuple,
      dtlsState: this.dtlsStateValue,
      tsfuCounters: {
        ...this.counters,
        ice: { ...this.agent.counters },
        sendsDroppedRingFull: this.link.sendsDroppedRingFull,
        media: { ...this.media.counters },
        retransmissionBufferBytes: this.media.retransmissionBufferBytes(),
        ...this.connectedUdpCounters(),
      } satisfies WebRtcTransportCounters,
    };
  }

  private connectedUdpCounters() {
    let received = 0;
    let sent = 0;
    for (const t of this.tuples.values()) {
      received += t.direct?.packetsReceived ?? 0;
      sent += t.direct?.packetsSent ?? 0;
    }
    return {
      connectedUdpPacketsReceived: received,
      connectedUdpPacketsSent: sent,
      connectedUdpFallbacks: this.link.connectedUdpFallbacks,
      connectedUdpStrays: this.link.connectedUdpStrays,
    };
  }

  dump(): WebRtcTransportDump {
    const o = this.options;
    const tables = this.media.dumpTables();
    return {
      id: this.id,
      producerIds: [...this.media.producers.keys()],
      consumerIds: [...this.media.consumers.keys()],
      mapSsrcConsumerId: tables.mapSsrcConsumerId,
      mapRtxSsrcConsumerId: tables.mapRtxSsrcConsumerId,
      recvRtpHeaderExtensions: {},
      rtpListener: { ssrcTable: tables.ssrcTable, midTable: tables.midTable, ridTable: tables.ridTable },
      maxSendMessageSize: o.maxSendMessageSize,
      maxReceiveMessageSize: o.maxReceiveMessageSize,
      dataProducerIds: [],
      dataConsumerIds: [],
      ...(o.sctpParameters ? { sctpParameters: o.sctpParameters, sctpState: 'new' as const } : {}),
      traceEventTypes: [],
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
