/**
 * One SCTP association (RFC 9260) as WebRTC runs it over DTLS (RFC 8261): a
 * single path, no multi-homing, the lower layer handing whole packets both
 * ways. Transport-agnostic: packets leave through the `send` callback and
 * arrive through `handle()`.
 *
 * Covered: the four-way INIT/INIT ACK/COOKIE ECHO/COOKIE ACK handshake with a
 * stateless HMAC cookie (and INIT collision), DATA/SACK with delayed and
 * immediate SACKs, fragmentation and reassembly, ordered and unordered
 * delivery, RTO (RFC 6298 rules in RFC 9260 §6.3), T3 retransmission, fast
 * retransmit and the RFC 9260 §7 congestion control, HEARTBEAT, SHUTDOWN,
 * ABORT, partial reliability with FORWARD TSN (RFC 3758), and outgoing stream
 * reset (RFC 6525) for data channel close.
 *
 * Receive-path rule: nothing a peer sends can make `handle()` throw; malformed
 * or unexpected input is dropped and counted in `stats`.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ChunkType, ErrorCause, unknownChunkAction } from './chunk-type.js';
import { CongestionControl } from './congestion-control.js';
import { DATA_HEADER_LENGTH, DataFlag, marshalData } from './data-chunk.js';
import {
  type ForwardTsnChunk,
  forwardTsnLength,
  marshalForwardTsn,
  unmarshalForwardTsn,
} from './forward-tsn-chunk.js';
import { type Fragment, InboundStream } from './inbound-stream.js';
import { type InitChunk, initChunkLength, marshalInit, ParamType, unmarshalInit } from './init-chunk.js';
import {
  marshalReconfig,
  type ReconfigParam,
  ReconfigResult,
  reconfigLength,
  unmarshalReconfig,
} from './reconfig-chunk.js';
import { RtoEstimator } from './rto-estimator.js';
import { marshalSack, SackView } from './sack-chunk.js';
import {
  COMMON_HEADER_LENGTH,
  checkPacket,
  finishPacket,
  PacketCheck,
  pad4,
  readU16,
  readU32,
  writeChunkHeader,
  writeCommonHeader,
  writeU16,
  writeU32,
} from './sctp-packet.js';
import { tsnAdd, tsnLt, tsnLte } from './serial-number.js';
import { marshalStateCookie, STATE_COOKIE_LIFETIME_MS, unmarshalStateCookie } from './state-cookie.js';

export type SctpAssociationState =
  | 'closed'
  | 'cookie-wait'
  | 'cookie-echoed'
  | 'established'
  | 'shutdown-pending'
  | 'shutdown-sent'
  | 'shutdown-received'
  | 'shutdown-ack-sent';

/** mediasoup's `sctpState` values. */
export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface SctpAssociationOptions {
  /** Sends one SCTP packet to the peer (e.g. as DTLS application data). Called synchronously. */
  send: (packet: Buffer) => void;
  /** SCTP port, 5000 in WebRTC (RFC 8841 default). */
  localPort?: number;
  remotePort?: number;
  /** Outbound streams requested (OS), mediasoup's `numSctpStreams.OS`, default 1024. */
  outboundStreams?: number;
  /** Maximum inbound streams (MIS), default 1024. */
  inboundStreams?: number;
  /** Largest message sent or accepted, like mediasoup's `maxSctpMessageSize` (default 262144). */
  maxMessageSize?: number;
  /** Largest SCTP packet built (default 1200, what fits in DTLS over UDP over any path). */
  mtu?: number;
  /** Receive buffer advertised as a_rwnd and the bound on bytes held for reassembly (default 1 MiB; keep it >= maxMessageSize). */
  receiveWindow?: number;
  rtoInitialMs?: number;
  rtoMinMs?: number;
  rtoMaxMs?: number;
  /** Heartbeat interval while idle (default 30 s; 0 disables). */
  heartbeatIntervalMs?: number;
  /** Consecutive unanswered retransmissions/heartbeats before the association fails (Association.Max.Retrans, default 10). */
  maxRetransmissions?: number;
  /** INIT / COOKIE ECHO retransmissions before giving up (Max.Init.Retransmits, default 8). */
  maxInitRetransmissions?: number;
}

/** Per-message options of `sendMessage`. */
export interface SendOptions {
  /** Unordered delivery (U flag). Default false. */
  unordered?: boolean;
  /** Partial reliability: give up after this many retransmissions (RFC 3758 "rexmit" policy). */
  maxRetransmits?: number;
  /** Partial reliability: give up after this many ms since `sendMessage` ("timed" policy). */
  maxPacketLifeTimeMs?: number;
}

/** Counters of what the association saw; they only go up. */
export interface SctpStats {
  packetsReceived: number;
  packetsSent: number;
  /** Packets dropped before chunk processing (short, bad checksum, bad chunk lengths, wrong port). */
  packetsDropped: number;
  badChecksum: number;
  badVerificationTag: number;
  malformedChunks: number;
  unknownChunks: number;
  dataChunksReceived: number;
  duplicateTsns: number;
  dataChunksSent: number;
  retransmissions: number;
  fastRetransmissions: number;
  t3Expirations: number;
  abandonedMessages: number;
  forwardTsnSent: number;
  forwardTsnReceived: number;
  messagesReceived: number;
  messagesSent: number;
  oversizeMessagesDropped: number;
  /** DATA chunks dropped (unacknowledged) for lack of receive window. */
  windowDrops: number;
  errorsSent: number;
  listenerErrors: number;
}

interface OutMessage {
  streamId: number;
  ssn: number;
  ppid: number;
  unordered: boolean;
  maxRetransmits: number;
  expiresAt: number;
  abandoned: boolean;
  firstTsn: number;
  chunkCount: number;
  /** Counted in `bufferedAmount` (DCEP control messages are not application data). */
  counted: boolean;
}

interface OutChunk {
  tsn: number;
  msg: OutMessage;
  flags: number;
  data: Uint8Array;
  sendCount: number;
  sentAt: number;
  inFlight: boolean;
  gapAcked: boolean;
  retransmit: boolean;
  missCount: number;
}

/** PPID of DCEP messages (RFC 8832), left out of `bufferedAmount`. */
const DCEP_PPID = 50;

/** Ids of the chunk types we announce in Supported Extensions. */
const OUR_EXTENSIONS = [ChunkType.RECONFIG, ChunkType.FORWARD_TSN];

function randomU32NonZero(): number {
  for (;;) {
    const v = randomBytes(4).readUInt32BE(0);
    if (v !== 0) return v;
  }
}

export interface SctpAssociationEvents {
  open: [];
  message: [streamId: number, ppid: number, data: Buffer, unordered: boolean];
  /** The peer reset these incoming streams (its outgoing ones): their SSNs restart at 0. */
  streamsReset: [streamIds: number[]];
  /** Our request to reset these outgoing streams was performed by the peer. */
  outgoingStreamsReset: [streamIds: number[]];
  /** Buffered bytes on a stream fell to or below its `setBufferedAmountLowThreshold` value. */
  bufferedAmountLow: [streamId: number];
  close: [reason: 'shutdown' | 'abort' | 'peer-abort' | 'failure', detail?: string];
}

export class SctpAssociation extends EventEmitter<SctpAssociationEvents> {
  state: SctpAssociationState = 'closed';
  readonly stats: SctpStats = {
    packetsReceived: 0,
    packetsSent: 0,
    packetsDropped: 0,
    badChecksum: 0,
    badVerificationTag: 0,
    malformedChunks: 0,
    unknownChunks: 0,
    dataChunksReceived: 0,
    duplicateTsns: 0,
    dataChunksSent: 0,
    retransmissions: 0,
    fastRetransmissions: 0,
    t3Expirations: 0,
    abandonedMessages: 0,
    forwardTsnSent: 0,
    forwardTsnReceived: 0,
    messagesReceived: 0,
    messagesSent: 0,
    oversizeMessagesDropped: 0,
    windowDrops: 0,
    errorsSent: 0,
    listenerErrors: 0,
  };
  /**
   * The peer's largest accepted message (SDP `a=max-message-size`, RFC 8841);
   * `sendMessage` refuses more than min(this, maxMessageSize). 0 = no limit.
   */
  remoteMaxMessageSize = 0;

  readonly localPort: number;
  remotePort: number;
  readonly maxMessageSize: number;
  readonly mtu: number;
  /** Outbound streams we ask for (OS) and inbound streams we accept (MIS), as configured. */
  readonly outboundStreams: number;
  readonly inboundStreams: number;

  private readonly sendPacket: (packet: Buffer) => void;
  private readonly localTag = randomU32NonZero();
  private peerTag = 0;
  private readonly initialTsn = randomU32NonZero();
  private readonly cookieSecret = randomBytes(32);
  private readonly receiveWindow: number;
  private readonly rto: RtoEstimator;
  private readonly heartbeatIntervalMs: number;
  private readonly maxRetrans: number;
  private readonly maxInitRetrans: number;
  private readonly maxPayload: number;

  /** Negotiated stream counts (valid once established). */
  outboundStreamCount = 0;
  inboundStreamCount = 0;
  /** Peer supports FORWARD TSN (RFC 3758) / RE-CONFIG (RFC 6525). */
  peerForwardTsn = false;
  peerReconfig = false;

  // ---- send side
  private nextTsn: number;
  private cumAckPoint: number;
  private advancedPeerAckPoint: number;
  private out: OutChunk[] = [];
  private outHead = 0;
  private nextSend = 0;
  private rtxPending = 0;
  private flightSize = 0;
  private readonly cc: CongestionControl;
  private peerRwnd = 0;
  private forwardTsnPending = false;
  private readonly outSsn: Uint16Array;
  private readonly outBuffered: Float64Array;
  private readonly lowThreshold: Float64Array;
  /** Streams whose buffered amount fell to their threshold during one SACK (emitted after it). */
  private lowStreams: number[] = [];
  private errorCount = 0;

  // ---- receive side
  private peerCumTsn = 0;
  private readonly received = new Set<number>();
  private readonly inbound = new Map<number, InboundStream>();
  private rxBuffered = 0;
  private sackNeeded = false;
  private sackImmediate = false;
  private packetsSinceSack = 0;
  private dupTsns: number[] = [];
  private sackScheduled = false;
  private readonly sackView = new SackView();
  private readonly gapStarts: number[] = [];
  private readonly gapEnds: number[] = [];

  // ---- stream reset (RFC 6525)
  private myReqSeq: number;
  private lastPeerReqSeq = 0;
  private lastPeerResult: number = ReconfigResult.SUCCESS_PERFORMED;
  private deferredReset: { requestSeq: number; lastTsn: number; streams: number[] } | undefined;
  private resetQueue: number[] = [];
  private outstandingReset: { requestSeq: number; lastTsn: number; streams: number[] } | undefined;

  // ---- timers (one handler bound per timer, not per packet)
  private t1: NodeJS.Timeout | undefined;
  private t1Count = 0;
  private t1Chunk: Buffer | undefined;
  private t2: NodeJS.Timeout | undefined;
  private t2Count = 0;
  private t3: NodeJS.Timeout | undefined;
  private tReconfig: NodeJS.Timeout | undefined;
  private tHeartbeat: NodeJS.Timeout | undefined;
  private heartbeatOutstanding = false;
  private heartbeatNonce = 0;
  private readonly onT1 = (): void => this.t1Expired();
  private readonly onT2 = (): void => this.t2Expired();
  private readonly onT3 = (): void => this.t3Expired();
  private readonly onTReconfig = (): void => this.reconfigExpired();
  private readonly onTHeartbeat = (): void => this.heartbeatExpired();
  private readonly onDelayedSack = (): void => {
    this.sackScheduled = false;
    if (this.sackNeeded) this.transmit();
  };
  private readonly deliver = (streamId: number, ppid: number, data: Buffer, unordered: boolean): void => {
    this.stats.messagesReceived++;
    try {
      this.emit('message', streamId, ppid, data, unordered);
    } catch {
      // A listener's bug must not break the association's receive path.
      this.stats.listenerErrors++;
    }
  };

  constructor(options: SctpAssociationOptions) {
    super();
    this.sendPacket = options.send;
    this.localPort = options.localPort ?? 5000;
    this.remotePort = options.remotePort ?? 5000;
    this.outboundStreams = options.outboundStreams ?? 1024;
    this.inboundStreams = options.inboundStreams ?? 1024;
    this.maxMessageSize = options.maxMessageSize ?? 262144;
    this.mtu = options.mtu ?? 1200;
    this.receiveWindow = options.receiveWindow ?? 1024 * 1024;
    this.rto = new RtoEstimator(
      options.rtoInitialMs ?? 1000,
      options.rtoMinMs ?? 200,
      options.rtoMaxMs ?? 60_000,
    );
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30_000;
    this.maxRetrans = options.maxRetransmissions ?? 10;
    this.maxInitRetrans = options.maxInitRetransmissions ?? 8;
    if (
      this.outboundStreams < 1 ||
      this.outboundStreams > 65535 ||
      this.inboundStreams < 1 ||
      this.inboundStreams > 65535
    ) {
      throw new RangeError('stream counts must be 1..65535');
    }
    if (this.mtu < 128 || this.mtu > 65535) throw new RangeError('mtu must be 128..65535');
    this.maxPayload = this.mtu - COMMON_HEADER_LENGTH - DATA_HEADER_LENGTH;
    this.nextTsn = this.initialTsn;
    this.cumAckPoint = tsnAdd(this.initialTsn, -1);
    this.advancedPeerAckPoint = this.cumAckPoint;
    this.myReqSeq = this.initialTsn;
    this.cc = new CongestionControl(this.mtu);
    this.outSsn = new Uint16Array(this.outboundStreams);
    this.outBuffered = new Float64Array(this.outboundStreams);
    this.lowThreshold = new Float64Array(this.outboundStreams);
  }

  /** True once the association carries data (established or shutting down with data left). */
  get isEstablished(): boolean {
    return this.state === 'established';
  }

  /** Smoothed round-trip time in ms (0 before the first measurement). */
  get smoothedRtt(): number {
    return this.rto.srtt;
  }

  /** Current retransmission timeout in ms. */
  get currentRto(): number {
    return this.rto.rto;
  }

  /** Congestion window in bytes. */
  get congestionWindow(): number {
    return this.cc.cwnd;
  }

  /** Sends INIT and starts the handshake (active open). A passive side just calls `handle()`. */
  connect(): void {
    if (this.state !== 'closed' || this.terminated) return;
    const buf = Buffer.allocUnsafe(COMMON_HEADER_LENGTH + 64);
    writeCommonHeader(buf, this.localPort, this.remotePort, 0);
    const end = marshalInit(this.ourInit(ChunkType.INIT, undefined), buf, COMMON_HEADER_LENGTH);
    this.t1Chunk = buf.subarray(0, end);
    finishPacket(this.t1Chunk, end);
    this.state = 'cookie-wait';
    this.t1Count = 0;
    this.send(this.t1Chunk);
    this.startT1();
  }

  /**
   * Queues one message. The payload is not copied: do not modify it afterwards.
   * Throws (API misuse, never for peer input) on a bad stream id, an empty or
   * oversize message, or a closed association.
   */
  sendMessage(streamId: number, ppid: number, data: Uint8Array, options?: SendOptions): void {
    if (this.terminated || this.state === 'shutdown-pending' || this.state === 'shutdown-sent') {
      throw new Error(`association is ${this.terminated ? 'closed' : 'shutting down'}`);
    }
    const os = this.outboundStreamCount || this.outboundStreams;
    if (!(streamId >= 0 && streamId < os))
      throw new RangeError(`stream id ${streamId} out of range 0..${os - 1}`);
    if (data.length === 0) throw new RangeError('SCTP cannot carry an empty message');
    const limit =
      this.remoteMaxMessageSize > 0
        ? Math.min(this.maxMessageSize, this.remoteMaxMessageSize)
        : this.maxMessageSize;
    if (data.length > limit) {
      throw new RangeError(`message of ${data.length} bytes exceeds the max message size ${limit}`);
    }
    const unordered = options?.unordered === true;
    const msg: OutMessage = {
      streamId,
      ssn: unordered ? 0 : this.outSsn[streamId],
      ppid,
      unordered,
      maxRetransmits: options?.maxRetransmits ?? -1,
      expiresAt:
        options?.maxPacketLifeTimeMs !== undefined ? performance.now() + options.maxPacketLifeTimeMs : 0,
      abandoned: false,
      firstTsn: this.nextTsn,
      chunkCount: Math.ceil(data.length / this.maxPayload),
      counted: ppid !== DCEP_PPID,
    };
    if (!unordered) this.outSsn[streamId] = (msg.ssn + 1) & 0xffff;
    const uflag = unordered ? DataFlag.UNORDERED : 0;
    for (let off = 0; off < data.length; off += this.maxPayload) {
      const end = Math.min(off + this.maxPayload, data.length);
      const flags = uflag | (off === 0 ? DataFlag.BEGINNING : 0) | (end === data.length ? DataFlag.END : 0);
      this.out.push({
        tsn: this.nextTsn,
        msg,
        flags,
        data: data.subarray(off, end),
        sendCount: 0,
        sentAt: 0,
        inFlight: false,
        gapAcked: false,
        retransmit: false,
        missCount: 0,
      });
      this.nextTsn = tsnAdd(this.nextTsn, 1);
    }
    if (msg.counted) this.outBuffered[streamId] += data.length;
    this.stats.messagesSent++;
    this.transmit();
  }

  /**
   * Bytes of application messages queued or unacknowledged on a stream (what a
   * data channel reports as `bufferedAmount`; DCEP messages, PPID 50, excluded).
   */
  bufferedAmount(streamId: number): number {
    return this.outBuffered[streamId] ?? 0;
  }

  /** Bytes queued or in flight on all streams. */
  get totalBufferedAmount(): number {
    let n = 0;
    for (let i = this.outHead; i < this.out.length; i++) n += this.out[i].data.length;
    return n;
  }

  /**
   * Resets outgoing streams (RFC 6525 Outgoing SSN Reset Request), as closing a
   * data channel does (RFC 8831 §6.7). `outgoingStreamsReset` fires when done.
   */
  resetStreams(streamIds: number[]): void {
    for (const id of streamIds) if (!this.resetQueue.includes(id)) this.resetQueue.push(id);
    this.maybeSendReset();
  }

  /** Graceful close: sends SHUTDOWN once every queued message is acknowledged. */
  shutdown(): void {
    if (this.terminated) return;
    if (this.state !== 'established') {
      if (this.state === 'closed' || this.state === 'cookie-wait' || this.state === 'cookie-echoed') {
        this.terminate('shutdown');
      }
      return;
    }
    this.state = 'shutdown-pending';
    this.maybeShutdownStep();
  }

  /** Sends ABORT (User-Initiated Abort cause) and closes at once. */
  abort(reason = ''): void {
    if (this.terminated) return;
    if (this.peerTag !== 0) {
      const r = Buffer.from(reason, 'utf8');
      const causeLen = 4 + r.length;
      const buf = this.newPacket(4 + pad4(causeLen), this.peerTag);
      let p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ABORT, 0, 4 + causeLen);
      writeU16(buf, p, ErrorCause.USER_INITIATED_ABORT);
      writeU16(buf, p + 2, causeLen);
      r.copy(buf, p + 4);
      p += 4 + r.length;
      while (p & 3) buf[p++] = 0;
      this.finishAndSend(buf, p);
    }
    this.terminate('abort', reason);
  }

  // ===================================================================== receive

  /**
   * Processes one SCTP packet from the peer. The buffer is kept (received
   * messages may be views into it): hand over a buffer you will not reuse.
   */
  handle(packet: Buffer): void {
    if (this.terminated) return;
    this.stats.packetsReceived++;
    const check = checkPacket(packet);
    if (check !== PacketCheck.OK) {
      this.stats.packetsDropped++;
      if (check === PacketCheck.BAD_CHECKSUM) this.stats.badChecksum++;
      return;
    }
    if (readU16(packet, 2) !== this.localPort) {
      this.stats.packetsDropped++;
      return;
    }
    const vtag = readU32(packet, 4);
    const len = packet.length;
    const firstType = len > COMMON_HEADER_LENGTH ? packet[COMMON_HEADER_LENGTH] : -1;
    if (firstType === -1) return;
    const firstLen = readU16(packet, COMMON_HEADER_LENGTH + 2);
    const alone = COMMON_HEADER_LENGTH + pad4(firstLen) >= len;
    // Verification tag rules (RFC 9260 §8.5, §8.5.1).
    let tagOk: boolean;
    if (firstType === ChunkType.INIT) {
      tagOk = vtag === 0 && alone;
    } else if (firstType === ChunkType.ABORT || firstType === ChunkType.SHUTDOWN_COMPLETE) {
      const tBit = (packet[COMMON_HEADER_LENGTH + 1] & 1) === 1;
      tagOk = tBit ? vtag === this.peerTag && this.peerTag !== 0 : vtag === this.localTag;
    } else {
      tagOk = vtag === this.localTag;
    }
    if (!tagOk) {
      this.stats.packetsDropped++;
      this.stats.badVerificationTag++;
      return;
    }
    try {
      this.processChunks(packet, len);
    } catch {
      // Defensive: a bug here must cost a packet, not the process.
      this.stats.malformedChunks++;
    }
  }

  private processChunks(packet: Buffer, len: number): void {
    let off = COMMON_HEADER_LENGTH;
    let dataSeen = false;
    let sackSeen = false;
    let unrecognized: Buffer[] | undefined;
    while (off < len && !this.terminated) {
      const type = packet[off];
      const clen = readU16(packet, off + 2);
      switch (type) {
        case ChunkType.DATA:
          this.onData(packet, off, clen);
          dataSeen = true;
          break;
        case ChunkType.SACK:
          if (this.onSack(packet, off, clen)) sackSeen = true;
          break;
        case ChunkType.INIT:
          this.onInit(packet, off, clen);
          return;
        case ChunkType.INIT_ACK:
          this.onInitAck(packet, off, clen);
          return;
        case ChunkType.COOKIE_ECHO:
          this.onCookieEcho(packet, off, clen);
          break;
        case ChunkType.COOKIE_ACK:
          this.onCookieAck();
          break;
        case ChunkType.HEARTBEAT:
          this.onHeartbeat(packet, off, clen);
          break;
        case ChunkType.HEARTBEAT_ACK:
          this.onHeartbeatAck(packet, off, clen);
          break;
        case ChunkType.ABORT:
          this.terminate('peer-abort', describeCauses(packet, off, clen));
          return;
        case ChunkType.SHUTDOWN:
          this.onShutdown(packet, off, clen);
          break;
        case ChunkType.SHUTDOWN_ACK:
          this.onShutdownAck();
          break;
        case ChunkType.SHUTDOWN_COMPLETE:
          if (this.state === 'shutdown-ack-sent') this.terminate('shutdown');
          return;
        case ChunkType.ERROR:
          break;
        case ChunkType.FORWARD_TSN:
          this.onForwardTsn(packet, off, clen);
          dataSeen = true;
          break;
        case ChunkType.RECONFIG:
          this.onReconfig(packet, off, clen);
          break;
        default: {
          this.stats.unknownChunks++;
          const action = unknownChunkAction(type);
          if (action === 'stop-report' || action === 'skip-report') {
            unrecognized ??= [];
            unrecognized.push(packet.subarray(off, off + clen));
          }
          if (action === 'stop' || action === 'stop-report') off = len;
        }
      }
      off += pad4(clen);
    }
    if (this.terminated) return;
    if (unrecognized) this.sendUnrecognized(unrecognized);
    if (dataSeen && this.state === 'shutdown-sent') {
      // RFC 9260 §9.2: answer DATA with SHUTDOWN (its cumulative TSN acks) and restart T2.
      this.transmit();
      this.sendShutdown();
    } else if (dataSeen) {
      this.packetsSinceSack++;
      if (this.sackImmediate || this.packetsSinceSack >= 2) {
        this.transmit();
      } else if (this.sackNeeded && !this.sackScheduled) {
        this.sackScheduled = true;
        setImmediate(this.onDelayedSack);
      }
    }
    if (sackSeen) {
      this.maybeShutdownStep();
      this.transmit();
      this.flushLowStreams();
    }
  }

  // ---- handshake

  private ourInit(type: number, cookie: Uint8Array | undefined): InitChunk {
    return {
      type,
      initiateTag: this.localTag,
      aRwnd: this.receiveWindow,
      outboundStreams: this.outboundStreams,
      inboundStreams: this.inboundStreams,
      initialTsn: this.initialTsn,
      forwardTsnSupported: true,
      supportedExtensions: OUR_EXTENSIONS,
      stateCookie: cookie,
      unrecognizedParams: [],
    };
  }

  private onInit(packet: Buffer, off: number, clen: number): void {
    const init = unmarshalInit(packet, off, clen);
    if (!init) {
      this.stats.malformedChunks++;
      return;
    }
    if (this.state === 'shutdown-ack-sent') return;
    // Stateless: everything needed later travels in the signed cookie (RFC 9260 §5.1.3).
    const cookie = marshalStateCookie(
      {
        localTag: this.localTag,
        peerTag: init.initiateTag,
        peerInitialTsn: init.initialTsn,
        peerRwnd: init.aRwnd,
        peerOutboundStreams: init.outboundStreams,
        peerInboundStreams: init.inboundStreams,
        peerForwardTsn: init.forwardTsnSupported,
        peerReconfig: init.supportedExtensions.includes(ChunkType.RECONFIG),
        createdAt: Date.now(),
      },
      this.cookieSecret,
    );
    const ack = this.ourInit(ChunkType.INIT_ACK, cookie);
    ack.unrecognizedParams = init.unrecognizedParams;
    const buf = this.newPacket(initChunkLength(ack), init.initiateTag);
    const end = marshalInit(ack, buf, COMMON_HEADER_LENGTH);
    this.finishAndSend(buf, end);
  }

  private onInitAck(packet: Buffer, off: number, clen: number): void {
    if (this.state !== 'cookie-wait') return;
    const ack = unmarshalInit(packet, off, clen);
    if (!ack?.stateCookie) {
      this.stats.malformedChunks++;
      return;
    }
    this.setPeer(ack.initiateTag, ack.initialTsn, ack.aRwnd, ack.outboundStreams, ack.inboundStreams);
    this.peerForwardTsn = ack.forwardTsnSupported;
    this.peerReconfig = ack.supportedExtensions.includes(ChunkType.RECONFIG);
    this.stopT1();
    const cookie = ack.stateCookie;
    const buf = this.newPacket(4 + pad4(cookie.length), this.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.COOKIE_ECHO, 0, 4 + cookie.length);
    buf.set(cookie, COMMON_HEADER_LENGTH + 4);
    let end = COMMON_HEADER_LENGTH + 4 + cookie.length;
    while (end & 3) buf[end++] = 0;
    finishPacket(buf, end);
    this.t1Chunk = buf.subarray(0, end);
    this.t1Count = 0;
    this.state = 'cookie-echoed';
    this.send(this.t1Chunk);
    this.startT1();
  }

  private onCookieEcho(packet: Buffer, off: number, clen: number): void {
    const cookie = unmarshalStateCookie(packet.subarray(off + 4, off + clen), this.cookieSecret);
    if (!cookie) {
      this.stats.malformedChunks++;
      return;
    }
    if (cookie.localTag !== this.localTag) return;
    if (this.state === 'established' || this.state === 'shutdown-pending') {
      // A duplicate COOKIE ECHO (our COOKIE ACK was lost): answer again.
      if (cookie.peerTag === this.peerTag) this.sendSimple(ChunkType.COOKIE_ACK);
      return;
    }
    if (this.state !== 'closed' && this.state !== 'cookie-wait' && this.state !== 'cookie-echoed') return;
    const age = Date.now() - cookie.createdAt;
    if (!(age >= -1000 && age <= STATE_COOKIE_LIFETIME_MS)) {
      this.sendErrorCause(ErrorCause.STALE_COOKIE, 8);
      return;
    }
    this.setPeer(
      cookie.peerTag,
      cookie.peerInitialTsn,
      cookie.peerRwnd,
      cookie.peerOutboundStreams,
      cookie.peerInboundStreams,
    );
    this.peerForwardTsn = cookie.peerForwardTsn;
    this.peerReconfig = cookie.peerReconfig;
    this.stopT1();
    this.sendSimple(ChunkType.COOKIE_ACK);
    this.establish();
  }

  private onCookieAck(): void {
    if (this.state !== 'cookie-echoed') return;
    this.stopT1();
    this.establish();
  }

  private setPeer(tag: number, initialTsn: number, aRwnd: number, os: number, mis: number): void {
    this.peerTag = tag;
    this.peerCumTsn = tsnAdd(initialTsn, -1);
    this.lastPeerReqSeq = tsnAdd(initialTsn, -1);
    this.peerRwnd = aRwnd;
    this.outboundStreamCount = Math.min(this.outboundStreams, mis);
    this.inboundStreamCount = Math.min(this.inboundStreams, os);
    this.received.clear();
  }

  private establish(): void {
    this.state = 'established';
    this.t1Chunk = undefined;
    this.errorCount = 0;
    this.startHeartbeat();
    try {
      this.emit('open');
    } catch {
      this.stats.listenerErrors++;
    }
    this.transmit();
  }

  // ---- data receive

  private onData(packet: Buffer, off: number, clen: number): void {
    if (!this.acceptsData()) return;
    if (clen < DATA_HEADER_LENGTH) {
      this.stats.malformedChunks++;
      return;
    }
    if (clen === DATA_HEADER_LENGTH) {
      // RFC 9260 §6.2: a DATA chunk without user data aborts the association.
      this.abortWithCause(ErrorCause.NO_USER_DATA, readU32(packet, off + 4));
      return;
    }
    this.stats.dataChunksReceived++;
    const tsn = readU32(packet, off + 4);
    this.sackNeeded = true;
    if (tsnLte(tsn, this.peerCumTsn) || this.received.has(tsn)) {
      this.stats.duplicateTsns++;
      if (this.dupTsns.length < 32) this.dupTsns.push(tsn);
      this.sackImmediate = true;
      return;
    }
    // Gap blocks carry 16-bit offsets: refuse TSNs we could not report.
    if ((tsn - this.peerCumTsn) >>> 0 > 0xffff) {
      this.stats.malformedChunks++;
      return;
    }
    const flags = packet[off + 1];
    const sid = readU16(packet, off + 8);
    const ssn = readU16(packet, off + 10);
    const ppid = readU32(packet, off + 12);
    const data = packet.subarray(off + DATA_HEADER_LENGTH, off + clen);
    if (tsn !== tsnAdd(this.peerCumTsn, 1)) this.sackImmediate = true; // a gap: tell the sender at once (RFC 9260 §6.7)
    if (sid >= this.inboundStreamCount) {
      this.markReceived(tsn);
      this.sendErrorCause(ErrorCause.INVALID_STREAM_ID, 8, sid << 16);
      return;
    }
    let stream = this.inbound.get(sid);
    const whole = (flags & (DataFlag.BEGINNING | DataFlag.END)) === (DataFlag.BEGINNING | DataFlag.END);
    // Whatever must wait in a queue needs room in the receive window; without it the
    // chunk is dropped unacknowledged and the sender retransmits later (RFC 9260 §6.2).
    // This also bounds a message that never ends.
    const deliverable =
      whole && ((flags & DataFlag.UNORDERED) !== 0 || (stream ? stream.canDeliverNow(ssn) : ssn === 0));
    if (!deliverable && this.rxBuffered + data.length > this.receiveWindow) {
      this.stats.windowDrops++;
      return;
    }
    this.markReceived(tsn);
    if (!stream) {
      stream = new InboundStream(sid);
      this.inbound.set(sid, stream);
    }
    const before = stream.bufferedBytes;
    if (flags & DataFlag.UNORDERED) {
      if (whole) {
        if (data.length > this.maxMessageSize) this.stats.oversizeMessagesDropped++;
        else this.deliver(sid, ppid, data, true);
      } else {
        this.stats.oversizeMessagesDropped += stream.addUnordered(
          this.frag(tsn, flags, ssn, ppid, data),
          this.deliver,
          this.maxMessageSize,
        );
      }
    } else if (whole && stream.canDeliverNow(ssn)) {
      stream.nextSsn = (ssn + 1) & 0xffff;
      this.deliver(sid, ppid, data, false);
      if (stream.ordered.size > 0) {
        this.stats.oversizeMessagesDropped += stream.deliverOrdered(this.deliver, this.maxMessageSize);
      }
    } else {
      this.stats.oversizeMessagesDropped += stream.addOrdered(
        this.frag(tsn, flags, ssn, ppid, data),
        this.deliver,
        this.maxMessageSize,
      );
    }
    this.rxBuffered += stream.bufferedBytes - before;
  }

  private frag(tsn: number, flags: number, ssn: number, ppid: number, data: Buffer): Fragment {
    return { tsn, flags, ssn, ppid, data };
  }

  private acceptsData(): boolean {
    return (
      this.state === 'established' ||
      this.state === 'shutdown-pending' ||
      this.state === 'shutdown-sent' ||
      this.state === 'cookie-echoed'
    );
  }

  private markReceived(tsn: number): void {
    if (tsn === tsnAdd(this.peerCumTsn, 1)) {
      this.peerCumTsn = tsn;
      if (this.received.size > 0) {
        let next = tsnAdd(tsn, 1);
        while (this.received.delete(next)) {
          this.peerCumTsn = next;
          next = tsnAdd(next, 1);
        }
      }
      if (this.deferredReset && tsnLte(this.deferredReset.lastTsn, this.peerCumTsn))
        this.performDeferredReset();
    } else {
      this.received.add(tsn);
    }
  }

  private onForwardTsn(packet: Buffer, off: number, clen: number): void {
    if (!this.acceptsData()) return;
    const fwd = unmarshalForwardTsn(packet, off, clen);
    if (!fwd) {
      this.stats.malformedChunks++;
      return;
    }
    this.stats.forwardTsnReceived++;
    this.sackNeeded = true;
    this.sackImmediate = true;
    const newCum = fwd.newCumulativeTsn;
    if (!tsnLt(this.peerCumTsn, newCum)) return;
    if ((newCum - this.peerCumTsn) >>> 0 > 0x10000000) {
      this.stats.malformedChunks++;
      return;
    }
    for (const t of this.received) if (tsnLte(t, newCum)) this.received.delete(t);
    this.peerCumTsn = tsnAdd(newCum, -1);
    this.markReceived(newCum);
    const ssnByStream = new Map<number, number>();
    for (const s of fwd.streams) ssnByStream.set(s.streamId, s.ssn);
    for (const [sid, stream] of this.inbound) {
      const before = stream.bufferedBytes;
      stream.skip(newCum, ssnByStream.get(sid));
      this.stats.oversizeMessagesDropped += stream.deliverOrdered(this.deliver, this.maxMessageSize);
      this.rxBuffered += stream.bufferedBytes - before;
    }
    for (const [sid, ssn] of ssnByStream) {
      if (sid >= this.inboundStreamCount || this.inbound.has(sid)) continue;
      const stream = new InboundStream(sid);
      stream.skip(newCum, ssn);
      this.inbound.set(sid, stream);
    }
  }

  // ---- SACK receive and the send side

  private onSack(packet: Buffer, off: number, clen: number): boolean {
    if (!(this.state === 'established' || this.state.startsWith('shutdown'))) return false;
    const sack = this.sackView;
    if (!sack.read(packet, off, clen)) {
      this.stats.malformedChunks++;
      return false;
    }
    const cum = sack.cumulativeTsnAck;
    if (tsnLt(cum, this.cumAckPoint)) return false; // stale, out of order SACK
    if (!tsnLt(cum, this.nextTsn)) {
      this.stats.malformedChunks++; // acks a TSN we never assigned
      return false;
    }
    const now = performance.now();
    let cumBytesAcked = 0;
    let rttSample = -1;
    const cumAdvanced = cum !== this.cumAckPoint;
    while (this.outHead < this.nextSend && tsnLte(this.out[this.outHead].tsn, cum)) {
      const c = this.out[this.outHead];
      if (c.inFlight) {
        this.flightSize -= c.data.length;
        c.inFlight = false;
      }
      if (!c.gapAcked) {
        cumBytesAcked += c.data.length;
        if (c.sendCount === 1 && rttSample < 0) rttSample = now - c.sentAt;
      }
      if (c.retransmit) {
        c.retransmit = false;
        this.rtxPending--;
      }
      this.releaseChunk(c);
      this.outHead++;
    }
    this.cumAckPoint = cum;
    if (tsnLt(this.advancedPeerAckPoint, cum)) this.advancedPeerAckPoint = cum;
    // Gap ack blocks.
    let highestGapIndex = -1;
    if (sack.gapCount > 0 && this.outHead < this.nextSend) {
      const headTsn = this.out[this.outHead].tsn;
      for (let g = 0; g < sack.gapCount; g++) {
        const s = this.outHead + ((tsnAdd(cum, sack.gapStarts[g]) - headTsn) >>> 0);
        const e = this.outHead + ((tsnAdd(cum, sack.gapEnds[g]) - headTsn) >>> 0);
        for (let i = s; i <= e && i < this.nextSend; i++) {
          const c = this.out[i];
          if (!c.gapAcked) {
            c.gapAcked = true;
            if (c.inFlight) {
              this.flightSize -= c.data.length;
              c.inFlight = false;
            }
            if (c.retransmit) {
              c.retransmit = false;
              this.rtxPending--;
            }
            if (c.sendCount === 1 && rttSample < 0) rttSample = now - c.sentAt;
          }
          if (i > highestGapIndex) highestGapIndex = i;
        }
      }
    }
    if (rttSample >= 0) this.rto.measure(rttSample);
    if (cumAdvanced || cumBytesAcked > 0) this.errorCount = 0;
    // Fast retransmit (RFC 9260 §7.2.4): three SACKs reporting a hole.
    if (highestGapIndex >= 0) {
      let marked = false;
      for (let i = this.outHead; i < highestGapIndex; i++) {
        const c = this.out[i];
        if (c.gapAcked || c.retransmit || c.msg.abandoned || c.sendCount === 0) continue;
        if (++c.missCount === 3) {
          c.missCount = 0;
          if (c.inFlight) {
            this.flightSize -= c.data.length;
            c.inFlight = false;
          }
          c.retransmit = true;
          this.rtxPending++;
          this.stats.fastRetransmissions++;
          marked = true;
        }
      }
      if (marked) this.cc.onFastRetransmit(tsnAdd(this.nextSendTsn(), -1));
    }
    this.cc.onSack(cum, cumBytesAcked);
    this.peerRwnd = Math.max(0, sack.aRwnd - this.flightSize);
    if (this.peerForwardTsn) this.advancePeerAckPoint();
    if (this.outstanding()) {
      if (cumAdvanced) this.restartT3();
      else if (!this.t3) this.restartT3();
    } else {
      this.stopT3();
    }
    this.compactOut();
    return true;
  }

  private nextSendTsn(): number {
    return this.nextSend < this.out.length ? this.out[this.nextSend].tsn : this.nextTsn;
  }

  private releaseChunk(c: OutChunk): void {
    if (!c.msg.counted) return;
    const sid = c.msg.streamId;
    const before = this.outBuffered[sid];
    const after = before - c.data.length;
    this.outBuffered[sid] = after;
    const t = this.lowThreshold[sid];
    if (before > t && after <= t) this.lowStreams.push(sid);
  }

  /** Emits `bufferedAmountLow` once the SACK is fully processed (listeners may send). */
  private flushLowStreams(): void {
    if (this.lowStreams.length === 0) return;
    const ids = this.lowStreams;
    this.lowStreams = [];
    for (const sid of ids) {
      try {
        this.emit('bufferedAmountLow', sid);
      } catch {
        this.stats.listenerErrors++;
      }
    }
  }

  /** Sets the level at or below which a stream's `bufferedAmountLow` fires (bytes, default 0). */
  setBufferedAmountLowThreshold(streamId: number, bytes: number): void {
    if (streamId >= 0 && streamId < this.lowThreshold.length)
      this.lowThreshold[streamId] = Math.max(0, bytes);
  }

  private compactOut(): void {
    if (this.outHead > 1024 && this.outHead * 2 > this.out.length) {
      this.out.splice(0, this.outHead);
      this.nextSend -= this.outHead;
      this.outHead = 0;
    } else if (this.outHead === this.out.length && this.outHead > 0) {
      this.out.length = 0;
      this.nextSend = 0;
      this.outHead = 0;
    }
  }

  private outstanding(): boolean {
    return this.flightSize > 0 || this.rtxPending > 0 || tsnLt(this.cumAckPoint, this.advancedPeerAckPoint);
  }

  /** RFC 3758 §3.5 C1–C3: move the advanced peer ack point over abandoned chunks. */
  private advancePeerAckPoint(): void {
    const headTsn = this.outHead < this.out.length ? this.out[this.outHead].tsn : this.nextTsn;
    let i = this.outHead + ((tsnAdd(this.advancedPeerAckPoint, 1) - headTsn) >>> 0);
    if (i < this.outHead) i = this.outHead;
    let moved = false;
    while (i < this.nextSend && this.out[i].msg.abandoned) {
      this.advancedPeerAckPoint = this.out[i].tsn;
      i++;
      moved = true;
    }
    if (moved || tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) this.forwardTsnPending = true;
  }

  /**
   * Appends a FORWARD-TSN to the packet being built (sending it first and
   * starting a new one when the chunk does not fit): returns the packet and
   * the new write offset. Only runs when messages were abandoned, never per DATA.
   */
  private appendForwardTsn(buf: Buffer | undefined, p: number, cap: number): [Buffer, number] {
    const fwd = this.buildForwardTsn();
    const flen = forwardTsnLength(fwd);
    if (buf && p + flen > cap) {
      this.finishAndSend(buf, p);
      buf = undefined;
    }
    if (!buf) {
      buf = this.newPacket(Math.max(cap, COMMON_HEADER_LENGTH + flen), this.peerTag, cap);
      p = COMMON_HEADER_LENGTH;
    }
    p = marshalForwardTsn(fwd, buf, p);
    this.stats.forwardTsnSent++;
    this.forwardTsnPending = false;
    return [buf, p];
  }

  private buildForwardTsn(): ForwardTsnChunk {
    const streams = new Map<number, number>();
    const end = this.outHead + ((this.advancedPeerAckPoint - (this.out[this.outHead]?.tsn ?? 0)) >>> 0);
    for (let i = this.outHead; i <= end && i < this.nextSend; i++) {
      const m = this.out[i].msg;
      if (m.abandoned && !m.unordered) streams.set(m.streamId, m.ssn);
    }
    const list: Array<{ streamId: number; ssn: number }> = [];
    for (const [streamId, ssn] of streams) list.push({ streamId, ssn });
    return { newCumulativeTsn: this.advancedPeerAckPoint, streams: list };
  }

  private abandon(msg: OutMessage): void {
    if (msg.abandoned) return;
    msg.abandoned = true;
    this.stats.abandonedMessages++;
    const headTsn = this.out[this.outHead].tsn;
    const first = this.outHead + ((msg.firstTsn - headTsn) | 0);
    for (let i = Math.max(first, this.outHead), k = 0; k < msg.chunkCount && i < this.out.length; i++, k++) {
      const c = this.out[i];
      if (c.msg !== msg) continue;
      if (c.inFlight) {
        this.flightSize -= c.data.length;
        c.inFlight = false;
      }
      if (c.retransmit) {
        c.retransmit = false;
        this.rtxPending--;
      }
    }
  }

  /** Whether a chunk's message should be given up (RFC 3758 §3.5 A1–A3). */
  private shouldAbandon(c: OutChunk, now: number): boolean {
    if (!this.peerForwardTsn) return false;
    const m = c.msg;
    if (m.expiresAt !== 0 && now > m.expiresAt) return true;
    return m.maxRetransmits >= 0 && c.sendCount > m.maxRetransmits;
  }

  /**
   * Sends what may be sent now: a pending SACK, a FORWARD TSN, retransmissions,
   * then new DATA within cwnd and the peer's window, bundled up to the MTU.
   */
  private transmit(): void {
    if (this.terminated) return;
    const canSendData =
      this.state === 'established' || this.state === 'shutdown-pending' || this.state === 'shutdown-received';
    let buf: Buffer | undefined;
    let p = 0;
    const cap = this.mtu;
    if (this.sackNeeded && this.peerTag !== 0) {
      buf = this.newPacket(cap, this.peerTag, cap);
      p = this.writeSack(buf, COMMON_HEADER_LENGTH);
    }
    if (!canSendData) {
      if (buf) this.finishAndSend(buf, p);
      return;
    }
    const now = performance.now();
    let dataSent = false;
    // Abandon expired or over-retransmitted messages before deciding what to resend.
    if (this.rtxPending > 0 && this.peerForwardTsn) {
      for (let i = this.outHead; i < this.nextSend; i++) {
        const c = this.out[i];
        if (c.retransmit && (c.msg.abandoned || this.shouldAbandon(c, now))) this.abandon(c.msg);
      }
      this.advancePeerAckPoint();
    }
    if (this.forwardTsnPending && tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) {
      [buf, p] = this.appendForwardTsn(buf, p, cap);
      if (!this.t3) this.restartT3();
    }
    this.forwardTsnPending = false;
    // Retransmissions first (RFC 9260 §6.1 rule C1), limited by cwnd but at least one packet.
    if (this.rtxPending > 0) {
      let sentOne = false;
      for (let i = this.outHead; i < this.nextSend && this.rtxPending > 0; i++) {
        const c = this.out[i];
        if (!c.retransmit) continue;
        const clen = DATA_HEADER_LENGTH + c.data.length;
        if (sentOne && this.flightSize + c.data.length > this.cc.cwnd) break;
        if (buf && p + pad4(clen) > cap) {
          this.finishAndSend(buf, p);
          buf = undefined;
          sentOne = true;
          if (this.flightSize + c.data.length > this.cc.cwnd) break;
        }
        if (!buf) {
          buf = this.newPacket(cap, this.peerTag, cap);
          p = COMMON_HEADER_LENGTH;
        }
        const m = c.msg;
        p = marshalData(buf, p, c.flags, c.tsn, m.streamId, m.ssn, m.ppid, c.data);
        c.retransmit = false;
        this.rtxPending--;
        c.sendCount++;
        c.sentAt = now;
        c.inFlight = true;
        c.missCount = 0;
        this.flightSize += c.data.length;
        this.stats.retransmissions++;
        this.stats.dataChunksSent++;
        dataSent = true;
      }
    }
    // New data.
    while (this.nextSend < this.out.length) {
      const c = this.out[this.nextSend];
      if (c.msg.abandoned || (c.msg.expiresAt !== 0 && this.peerForwardTsn && now > c.msg.expiresAt)) {
        if (!c.msg.abandoned) this.abandon(c.msg);
        this.nextSend++;
        this.advancePeerAckPoint();
        continue;
      }
      const dlen = c.data.length;
      if (this.flightSize > 0 && (this.flightSize + dlen > this.cc.cwnd || dlen > this.peerRwnd)) break;
      const clen = pad4(DATA_HEADER_LENGTH + dlen);
      if (buf && p + clen > cap) {
        this.finishAndSend(buf, p);
        buf = undefined;
      }
      if (!buf) {
        buf = this.newPacket(cap, this.peerTag, cap);
        p = COMMON_HEADER_LENGTH;
      }
      const m = c.msg;
      p = marshalData(buf, p, c.flags, c.tsn, m.streamId, m.ssn, m.ppid, c.data);
      c.sendCount = 1;
      c.sentAt = now;
      c.inFlight = true;
      this.flightSize += dlen;
      this.peerRwnd = Math.max(0, this.peerRwnd - dlen);
      this.nextSend++;
      this.stats.dataChunksSent++;
      dataSent = true;
    }
    if (this.forwardTsnPending && tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) {
      // Abandonment while sending new data: announce it in the same flush.
      [buf, p] = this.appendForwardTsn(buf, p, cap);
    }
    if (buf) this.finishAndSend(buf, p);
    if ((dataSent || this.outstanding()) && !this.t3) this.restartT3();
  }

  private writeSack(buf: Buffer, off: number): number {
    // Gap blocks only when TSNs arrived out of order; the common case allocates nothing.
    let gapCount = 0;
    if (this.received.size > 0) {
      const offs: number[] = [];
      for (const t of this.received) offs.push((t - this.peerCumTsn) >>> 0);
      offs.sort((a, b) => a - b);
      const starts = this.gapStarts;
      const ends = this.gapEnds;
      // Keep the SACK within one packet next to a little data.
      const maxGaps = (this.mtu - COMMON_HEADER_LENGTH - 16 - 4 * this.dupTsns.length) >> 3;
      for (let i = 0; i < offs.length; i++) {
        if (i > 0 && offs[i] === offs[i - 1] + 1) ends[gapCount - 1] = offs[i];
        else if (gapCount < maxGaps) {
          starts[gapCount] = offs[i];
          ends[gapCount] = offs[i];
          gapCount++;
        } else break;
      }
    }
    const aRwnd = Math.max(0, this.receiveWindow - this.rxBuffered);
    const end = marshalSack(
      buf,
      off,
      this.peerCumTsn,
      aRwnd,
      this.gapStarts,
      this.gapEnds,
      gapCount,
      this.dupTsns,
      this.dupTsns.length,
    );
    this.dupTsns.length = 0;
    this.sackNeeded = false;
    this.sackImmediate = false;
    this.packetsSinceSack = 0;
    return end;
  }

  // ---- timers

  private startT1(): void {
    this.stopT1();
    this.t1 = setTimeout(this.onT1, this.rto.rto);
  }

  private stopT1(): void {
    if (this.t1) clearTimeout(this.t1);
    this.t1 = undefined;
  }

  private t1Expired(): void {
    this.t1 = undefined;
    if (!this.t1Chunk || (this.state !== 'cookie-wait' && this.state !== 'cookie-echoed')) return;
    if (++this.t1Count > this.maxInitRetrans) {
      this.terminate('failure', 'handshake timed out');
      return;
    }
    this.rto.backOff();
    this.send(this.t1Chunk);
    this.startT1();
  }

  private restartT3(): void {
    if (this.t3) clearTimeout(this.t3);
    this.t3 = setTimeout(this.onT3, this.rto.rto);
  }

  private stopT3(): void {
    if (this.t3) clearTimeout(this.t3);
    this.t3 = undefined;
  }

  private t3Expired(): void {
    this.t3 = undefined;
    if (this.terminated || !this.outstanding()) return;
    this.stats.t3Expirations++;
    if (++this.errorCount > this.maxRetrans) {
      this.terminate('failure', 'too many retransmissions');
      return;
    }
    this.rto.backOff();
    this.cc.onT3Expired();
    // RFC 9260 §6.3.3 E3: every outstanding chunk is to be retransmitted.
    for (let i = this.outHead; i < this.nextSend; i++) {
      const c = this.out[i];
      if (c.gapAcked || c.msg.abandoned) continue;
      if (c.inFlight) {
        c.inFlight = false;
        this.flightSize -= c.data.length;
      }
      if (!c.retransmit) {
        c.retransmit = true;
        this.rtxPending++;
      }
    }
    if (tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) this.forwardTsnPending = true;
    this.transmit();
    if (this.outstanding() && !this.t3) this.restartT3();
  }

  private startHeartbeat(): void {
    if (this.heartbeatIntervalMs <= 0) return;
    if (this.tHeartbeat) clearTimeout(this.tHeartbeat);
    this.tHeartbeat = setTimeout(this.onTHeartbeat, this.heartbeatIntervalMs + this.rto.rto);
    this.tHeartbeat.unref();
  }

  private heartbeatExpired(): void {
    this.tHeartbeat = undefined;
    if (this.terminated || this.state !== 'established') return;
    if (this.heartbeatOutstanding && ++this.errorCount > this.maxRetrans) {
      this.terminate('failure', 'heartbeats unanswered');
      return;
    }
    // Heartbeat Info: our send time (8) and a nonce (4); echoed back verbatim.
    const buf = this.newPacket(4 + 16, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.HEARTBEAT, 0, 20);
    writeU16(buf, p, ParamType.HEARTBEAT_INFO);
    writeU16(buf, p + 2, 16);
    buf.writeDoubleBE(performance.now(), p + 4);
    this.heartbeatNonce = randomU32NonZero();
    writeU32(buf, p + 12, this.heartbeatNonce);
    this.heartbeatOutstanding = true;
    this.finishAndSend(buf, p + 16);
    this.startHeartbeat();
  }

  private onHeartbeat(packet: Buffer, off: number, clen: number): void {
    if (clen < 8 || this.peerTag === 0) {
      this.stats.malformedChunks++;
      return;
    }
    // HEARTBEAT ACK carries the Heartbeat Information parameter back unchanged.
    const buf = this.newPacket(pad4(clen), this.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.HEARTBEAT_ACK, 0, clen);
    packet.copy(buf, COMMON_HEADER_LENGTH + 4, off + 4, off + clen);
    let end = COMMON_HEADER_LENGTH + clen;
    while (end & 3) buf[end++] = 0;
    this.finishAndSend(buf, end);
  }

  private onHeartbeatAck(packet: Buffer, off: number, clen: number): void {
    if (clen !== 20 || readU16(packet, off + 4) !== ParamType.HEARTBEAT_INFO) return;
    if (readU32(packet, off + 16) !== this.heartbeatNonce || !this.heartbeatOutstanding) return;
    this.heartbeatOutstanding = false;
    this.errorCount = 0;
    const sent = packet.readDoubleBE(off + 8);
    const rtt = performance.now() - sent;
    if (rtt >= 0 && rtt < 60_000) this.rto.measure(rtt);
  }

  // ---- shutdown

  private maybeShutdownStep(): void {
    const empty = this.outHead === this.out.length;
    if (this.state === 'shutdown-pending' && empty) {
      this.state = 'shutdown-sent';
      this.t2Count = 0;
      this.sendShutdown();
    } else if (this.state === 'shutdown-received' && empty) {
      this.state = 'shutdown-ack-sent';
      this.t2Count = 0;
      this.sendSimple(ChunkType.SHUTDOWN_ACK);
      this.startT2();
    }
  }

  private sendShutdown(): void {
    const buf = this.newPacket(8, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.SHUTDOWN, 0, 8);
    writeU32(buf, p, this.peerCumTsn);
    this.finishAndSend(buf, p + 4);
    this.startT2();
  }

  private startT2(): void {
    if (this.t2) clearTimeout(this.t2);
    this.t2 = setTimeout(this.onT2, this.rto.rto);
  }

  private t2Expired(): void {
    this.t2 = undefined;
    if (this.terminated) return;
    if (++this.t2Count > this.maxRetrans) {
      this.terminate('failure', 'shutdown timed out');
      return;
    }
    this.rto.backOff();
    if (this.state === 'shutdown-sent') this.sendShutdown();
    else if (this.state === 'shutdown-ack-sent') {
      this.sendSimple(ChunkType.SHUTDOWN_ACK);
      this.startT2();
    }
  }

  private onShutdown(packet: Buffer, off: number, clen: number): void {
    if (clen !== 8) {
      this.stats.malformedChunks++;
      return;
    }
    if (this.state === 'established' || this.state === 'shutdown-pending') {
      this.state = 'shutdown-received';
    } else if (this.state === 'shutdown-sent') {
      // Both sides shut down at once (RFC 9260 §9.2): answer with SHUTDOWN ACK.
      this.state = 'shutdown-ack-sent';
      this.sendSimple(ChunkType.SHUTDOWN_ACK);
      this.startT2();
      return;
    } else {
      return;
    }
    // The Cumulative TSN Ack in SHUTDOWN acknowledges like a SACK's.
    const cum = readU32(packet, off + 4);
    while (this.outHead < this.nextSend && tsnLte(this.out[this.outHead].tsn, cum)) {
      const c = this.out[this.outHead];
      if (c.inFlight) this.flightSize -= c.data.length;
      if (c.retransmit) this.rtxPending--;
      this.releaseChunk(c);
      this.outHead++;
    }
    if (tsnLt(this.cumAckPoint, cum) && tsnLt(cum, this.nextTsn)) this.cumAckPoint = cum;
    this.maybeShutdownStep();
    this.flushLowStreams();
  }

  private onShutdownAck(): void {
    if (this.state !== 'shutdown-sent' && this.state !== 'shutdown-ack-sent') return;
    this.sendSimple(ChunkType.SHUTDOWN_COMPLETE);
    this.terminate('shutdown');
  }

  // ---- stream reset (RFC 6525)

  private maybeSendReset(): void {
    if (this.outstandingReset || this.resetQueue.length === 0 || this.state !== 'established') return;
    if (!this.peerReconfig) {
      // Without RE-CONFIG there is nothing to negotiate: report the streams reset locally.
      const ids = this.resetQueue;
      this.resetQueue = [];
      for (const id of ids) this.outSsn[id] = 0;
      this.emit('outgoingStreamsReset', ids);
      return;
    }
    const streams = this.resetQueue;
    this.resetQueue = [];
    this.outstandingReset = { requestSeq: this.myReqSeq, lastTsn: tsnAdd(this.nextTsn, -1), streams };
    for (const id of streams) if (id < this.outSsn.length) this.outSsn[id] = 0;
    this.sendResetRequest();
  }

  private sendResetRequest(): void {
    const r = this.outstandingReset;
    if (!r) return;
    const params: ReconfigParam[] = [
      {
        type: ParamType.OUTGOING_SSN_RESET_REQUEST,
        requestSeq: r.requestSeq,
        responseSeq: this.lastPeerReqSeq,
        lastTsn: r.lastTsn,
        streams: r.streams,
      },
    ];
    const buf = this.newPacket(reconfigLength(params), this.peerTag);
    const end = marshalReconfig(params, buf, COMMON_HEADER_LENGTH);
    this.finishAndSend(buf, end);
    if (this.tReconfig) clearTimeout(this.tReconfig);
    this.tReconfig = setTimeout(this.onTReconfig, this.rto.rto);
  }

  private reconfigExpired(): void {
    this.tReconfig = undefined;
    if (this.terminated || !this.outstandingReset) return;
    if (++this.errorCount > this.maxRetrans) {
      this.terminate('failure', 'stream reset unanswered');
      return;
    }
    this.sendResetRequest();
  }

  private onReconfig(packet: Buffer, off: number, clen: number): void {
    if (this.state !== 'established' && !this.state.startsWith('shutdown')) return;
    const params = unmarshalReconfig(packet, off, clen);
    if (!params) {
      this.stats.malformedChunks++;
      return;
    }
    const responses: ReconfigParam[] = [];
    for (const prm of params) {
      if (prm.type === ParamType.OUTGOING_SSN_RESET_REQUEST) {
        responses.push(this.onOutgoingResetRequest(prm.requestSeq, prm.lastTsn, prm.streams));
      } else if (prm.type === ParamType.RECONFIG_RESPONSE) {
        this.onReconfigResponse(prm.responseSeq, prm.result);
      } else if (prm.paramType === ParamType.INCOMING_SSN_RESET_REQUEST) {
        // We do not reset on the peer's behalf; answer "denied" so it does not wait.
        responses.push({
          type: ParamType.RECONFIG_RESPONSE,
          responseSeq: readU32(packet, off + 8),
          result: ReconfigResult.DENIED,
        });
      }
    }
    if (responses.length > 0) {
      const buf = this.newPacket(reconfigLength(responses), this.peerTag);
      this.finishAndSend(buf, marshalReconfig(responses, buf, COMMON_HEADER_LENGTH));
    }
  }

  private onOutgoingResetRequest(requestSeq: number, lastTsn: number, streams: number[]): ReconfigParam {
    const response = (result: number): ReconfigParam => ({
      type: ParamType.RECONFIG_RESPONSE,
      responseSeq: requestSeq,
      result,
    });
    if (requestSeq === this.lastPeerReqSeq) {
      // A retransmission: perform now if it was deferred, else repeat the answer.
      if (this.deferredReset?.requestSeq === requestSeq && tsnLte(lastTsn, this.peerCumTsn)) {
        this.performDeferredReset();
      }
      return response(this.lastPeerResult);
    }
    if (requestSeq !== tsnAdd(this.lastPeerReqSeq, 1))
      return response(ReconfigResult.ERROR_BAD_SEQUENCE_NUMBER);
    this.lastPeerReqSeq = requestSeq;
    if (tsnLte(lastTsn, this.peerCumTsn)) {
      this.resetInbound(streams);
      this.lastPeerResult = ReconfigResult.SUCCESS_PERFORMED;
    } else {
      // RFC 6525 §5.2.2 E2: wait until every TSN up to lastTsn has arrived.
      this.deferredReset = { requestSeq, lastTsn, streams };
      this.lastPeerResult = ReconfigResult.IN_PROGRESS;
    }
    return response(this.lastPeerResult);
  }

  private performDeferredReset(): void {
    const d = this.deferredReset;
    if (!d) return;
    this.deferredReset = undefined;
    this.lastPeerResult = ReconfigResult.SUCCESS_PERFORMED;
    this.resetInbound(d.streams);
  }

  private resetInbound(streams: number[]): void {
    const ids = streams.length > 0 ? streams : [...this.inbound.keys()];
    for (const id of ids) {
      const s = this.inbound.get(id);
      if (s) {
        this.rxBuffered -= s.bufferedBytes;
        s.reset();
      }
    }
    try {
      this.emit('streamsReset', ids);
    } catch {
      this.stats.listenerErrors++;
    }
  }

  private onReconfigResponse(responseSeq: number, result: number): void {
    const r = this.outstandingReset;
    if (!r || responseSeq !== r.requestSeq) return;
    if (result === ReconfigResult.IN_PROGRESS) return; // the timer retries
    if (this.tReconfig) clearTimeout(this.tReconfig);
    this.tReconfig = undefined;
    this.outstandingReset = undefined;
    this.myReqSeq = tsnAdd(this.myReqSeq, 1);
    this.errorCount = 0;
    if (result === ReconfigResult.SUCCESS_PERFORMED || result === ReconfigResult.SUCCESS_NOTHING_TO_DO) {
      try {
        this.emit('outgoingStreamsReset', r.streams);
      } catch {
        this.stats.listenerErrors++;
      }
    }
    this.maybeSendReset();
  }

  // ---- helpers

  private newPacket(chunkBytes: number, vtag: number, capacity = 0): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(capacity, COMMON_HEADER_LENGTH + chunkBytes));
    writeCommonHeader(buf, this.localPort, this.remotePort, vtag);
    return buf;
  }

  private finishAndSend(buf: Buffer, end: number): void {
    const pkt = end === buf.length ? buf : buf.subarray(0, end);
    finishPacket(pkt, end);
    this.send(pkt);
  }

  private send(pkt: Buffer): void {
    this.stats.packetsSent++;
    this.sendPacket(pkt);
  }

  private sendSimple(type: number): void {
    const buf = this.newPacket(4, this.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, type, 0, 4);
    this.finishAndSend(buf, COMMON_HEADER_LENGTH + 4);
  }

  /** ERROR chunk with one cause whose value is `valueLen - 4` bytes of `value` (big-endian). */
  private sendErrorCause(cause: number, causeLen: number, value = 0): void {
    if (this.peerTag === 0) return;
    const buf = this.newPacket(4 + causeLen, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ERROR, 0, 4 + causeLen);
    writeU16(buf, p, cause);
    writeU16(buf, p + 2, causeLen);
    if (causeLen >= 8) writeU32(buf, p + 4, value);
    this.stats.errorsSent++;
    this.finishAndSend(buf, p + causeLen);
  }

  /** One ERROR chunk with an "Unrecognized Chunk Type" cause per reported chunk (RFC 9260 §3.3.10.6). */
  private sendUnrecognized(chunks: Buffer[]): void {
    if (this.peerTag === 0) return;
    let total = 4;
    for (const c of chunks) total += 4 + pad4(c.length);
    const buf = this.newPacket(total, this.peerTag);
    let p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ERROR, 0, total);
    for (const c of chunks) {
      writeU16(buf, p, ErrorCause.UNRECOGNIZED_CHUNK_TYPE);
      writeU16(buf, p + 2, 4 + c.length);
      c.copy(buf, p + 4);
      p += 4 + c.length;
      while (p & 3) buf[p++] = 0;
    }
    this.stats.errorsSent++;
    this.finishAndSend(buf, p);
  }

  private abortWithCause(cause: number, value: number): void {
    const buf = this.newPacket(12, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ABORT, 0, 12);
    writeU16(buf, p, cause);
    writeU16(buf, p + 2, 8);
    writeU32(buf, p + 4, value);
    this.finishAndSend(buf, p + 8);
    this.terminate('abort', `protocol error cause ${cause}`);
  }

  private terminated = false;

  /** True once the association ended (shutdown, abort, or failure). */
  get closed(): boolean {
    return this.terminated;
  }

  /** The state as mediasoup reports it (`sctpState`). */
  get sctpState(): SctpState {
    if (this.terminated) return this.failed ? 'failed' : 'closed';
    switch (this.state) {
      case 'closed':
        return 'new';
      case 'cookie-wait':
      case 'cookie-echoed':
        return 'connecting';
      default:
        return 'connected';
    }
  }

  private failed = false;

  private terminate(reason: SctpAssociationEvents['close'][0], detail?: string): void {
    if (this.terminated) return;
    this.terminated = true;
    this.failed = reason === 'failure';
    this.state = 'closed';
    for (const t of [this.t1, this.t2, this.t3, this.tReconfig, this.tHeartbeat]) if (t) clearTimeout(t);
    this.t1 = this.t2 = this.t3 = this.tReconfig = this.tHeartbeat = undefined;
    try {
      this.emit('close', reason, detail);
    } catch {
      this.stats.listenerErrors++;
    }
  }
}

function describeCauses(packet: Buffer, off: number, clen: number): string {
  if (clen < 8) return '';
  return `cause ${readU16(packet, off + 4)}`;
}
