/**
 * One SCTP association (RFC 9260) as WebRTC runs it over DTLS (RFC 8261): a
 * single path, no multi-homing, the lower layer handing whole packets both
 * ways. Transport-agnostic: packets leave through the `send` callback and
 * arrive through `handle()`.
 *
 * This class is the public façade: it checks each packet (checksum, port,
 * verification tag), dispatches its chunks to the parts that own them —
 * `Handshake`, `SendPath` (+ `CongestionControl`), `ReceivePath`,
 * `StreamReset`, `Heartbeat`, `Shutdown` — and orders what one transmit
 * pass sends. The parts share an `AssociationCore` (state, tags, RTO,
 * timers, packet writer, counters).
 *
 * Receive-path rule: nothing a peer sends can make `handle()` throw; malformed
 * or unexpected input is dropped and counted in `stats`.
 */
import { EventEmitter } from 'node:events';
import { resolveConfig, type SctpAssociationOptions } from './association-config.js';
import { AssociationCore } from './association-core.js';
import type {
  CloseReason,
  SctpAssociationEvents,
  SctpAssociationState,
  SctpState,
  SctpStats,
  SendOptions,
} from './association-types.js';
import { ChunkType, unknownChunkAction } from './chunk-type.js';
import { Handshake } from './handshake.js';
import { Heartbeat } from './heartbeat.js';
import { Bundle } from './packet-writer.js';
import { ReceivePath } from './receive-path.js';
import { COMMON_HEADER_LENGTH, checkPacket, PacketCheck, pad4, readU16, readU32 } from './sctp-packet.js';
import { SendPath } from './send-path.js';
import { Shutdown } from './shutdown.js';
import { StreamReset } from './stream-reset.js';

export type { SctpAssociationOptions } from './association-config.js';
export type {
  SctpAssociationEvents,
  SctpAssociationState,
  SctpState,
  SctpStats,
  SendOptions,
} from './association-types.js';

/** What one chunk did to the packet's processing (bits; 0 = nothing to note). */
const Seen = { DATA: 1, SACK: 2, UNKNOWN: 4, END: 8 } as const;

export class SctpAssociation extends EventEmitter<SctpAssociationEvents> {
  readonly stats: SctpStats;
  /**
   * The peer's largest accepted message (SDP `a=max-message-size`, RFC 8841);
   * `sendMessage` refuses more than min(this, maxMessageSize). 0 = no limit.
   */
  remoteMaxMessageSize = 0;
  readonly localPort: number;
  readonly maxMessageSize: number;
  readonly mtu: number;
  /** Outbound streams we ask for (OS) and inbound streams we accept (MIS), as configured. */
  readonly outboundStreams: number;
  readonly inboundStreams: number;

  private readonly core: AssociationCore;
  private readonly sender: SendPath;
  private readonly receiver: ReceivePath;
  private readonly resets: StreamReset;
  private readonly handshake: Handshake;
  private readonly heartbeat: Heartbeat;
  private readonly closing: Shutdown;
  /** The packet a transmit pass fills (one per association, reused). */
  private readonly bundle: Bundle;
  private failed = false;

  constructor(options: SctpAssociationOptions) {
    super();
    const config = resolveConfig(options);
    const hooks = { transmit: () => this.transmit(), terminate: this.terminate.bind(this) };
    const core = new AssociationCore(config, options.send, this, hooks, {
      t1: () => this.handshake.onT1(),
      t2: () => this.closing.onT2(),
      t3: () => this.sender.onT3Expired(),
      reconfig: () => this.resets.onTimer(),
      heartbeat: () => this.heartbeat.onTimer(),
    });
    this.core = core;
    this.stats = core.stats;
    this.localPort = config.localPort;
    this.maxMessageSize = config.maxMessageSize;
    this.mtu = config.mtu;
    this.outboundStreams = config.outboundStreams;
    this.inboundStreams = config.inboundStreams;
    this.bundle = new Bundle(core.writer, config.mtu);
    this.sender = new SendPath(core, this.bundle);
    this.receiver = new ReceivePath(core, () => this.resets.performDeferred());
    this.resets = new StreamReset(core, this.sender, this.receiver);
    this.handshake = new Handshake(core, this.sender, this.receiver, this.resets);
    this.heartbeat = new Heartbeat(core);
    this.closing = new Shutdown(core, this.sender, this.receiver);
  }

  get state(): SctpAssociationState {
    return this.core.state;
  }

  get remotePort(): number {
    return this.core.writer.remotePort;
  }

  set remotePort(port: number) {
    this.core.writer.remotePort = port;
  }

  /** Negotiated stream counts (valid once established). */
  get outboundStreamCount(): number {
    return this.core.outboundStreamCount;
  }

  get inboundStreamCount(): number {
    return this.core.inboundStreamCount;
  }

  /** Peer supports FORWARD TSN (RFC 3758) / RE-CONFIG (RFC 6525). */
  get peerForwardTsn(): boolean {
    return this.core.peerForwardTsn;
  }

  get peerReconfig(): boolean {
    return this.core.peerReconfig;
  }

  /** True once the association carries data (established or shutting down with data left). */
  get isEstablished(): boolean {
    return this.core.state === 'established';
  }

  /** Smoothed round-trip time in ms (0 before the first measurement). */
  get smoothedRtt(): number {
    return this.core.rto.srtt;
  }

  /** Current retransmission timeout in ms. */
  get currentRto(): number {
    return this.core.rto.rto;
  }

  /** Congestion window in bytes. */
  get congestionWindow(): number {
    return this.sender.cc.cwnd;
  }

  /** True once the association ended (shutdown, abort, or failure). */
  get closed(): boolean {
    return this.core.terminated;
  }

  /** The state as mediasoup reports it (`sctpState`). */
  get sctpState(): SctpState {
    if (this.core.terminated) return this.failed ? 'failed' : 'closed';
    switch (this.core.state) {
      case 'closed':
        return 'new';
      case 'cookie-wait':
      case 'cookie-echoed':
        return 'connecting';
      default:
        return 'connected';
    }
  }

  /** Sends INIT and starts the handshake (active open). A passive side just calls `handle()`. */
  connect(): void {
    this.handshake.connect();
  }

  /**
   * Queues one message. The payload is not copied: do not modify it afterwards.
   * Throws (API misuse, never for peer input) on a bad stream id, an empty or
   * oversize message, or a closed association.
   */
  sendMessage(streamId: number, ppid: number, data: Uint8Array, options?: SendOptions): void {
    const core = this.core;
    if (core.terminated || core.state === 'shutdown-pending' || core.state === 'shutdown-sent') {
      throw new Error(`association is ${core.terminated ? 'closed' : 'shutting down'}`);
    }
    const os = core.outboundStreamCount || this.outboundStreams;
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
    this.sender.enqueue(streamId, ppid, data, options);
    this.transmit();
  }

  /**
   * Bytes of application messages queued or unacknowledged on a stream (what a
   * data channel reports as `bufferedAmount`; DCEP messages, PPID 50, excluded).
   */
  bufferedAmount(streamId: number): number {
    return this.sender.bufferedAmount(streamId);
  }

  /**
   * Bytes of application messages on a stream not sent yet (what mediasoup,
   * on dcSCTP, reports as a data consumer's buffered amount).
   */
  unsentAmount(streamId: number): number {
    return this.sender.unsentAmount(streamId);
  }

  /** Bytes queued or in flight on all streams. */
  get totalBufferedAmount(): number {
    return this.sender.totalBufferedAmount;
  }

  /** Sets the level at or below which a stream's `bufferedAmountLow` fires (bytes, default 0). */
  setBufferedAmountLowThreshold(streamId: number, bytes: number): void {
    this.sender.setBufferedAmountLowThreshold(streamId, bytes);
  }

  /**
   * Resets outgoing streams (RFC 6525 Outgoing SSN Reset Request), as closing a
   * data channel does (RFC 8831 §6.7). `outgoingStreamsReset` fires when done.
   */
  resetStreams(streamIds: number[]): void {
    this.resets.request(streamIds);
  }

  /** Graceful close: sends SHUTDOWN once every queued message is acknowledged. */
  shutdown(): void {
    this.closing.request();
  }

  /** Sends ABORT (User-Initiated Abort cause) and closes at once. */
  abort(reason = ''): void {
    if (this.core.terminated) return;
    if (this.core.writer.peerTag !== 0) this.core.writer.sendUserAbort(reason);
    this.terminate('abort', reason);
  }

  // ===================================================================== receive

  /**
   * Processes one SCTP packet from the peer. The buffer is kept (received
   * messages may be views into it): hand over a buffer you will not reuse.
   */
  handle(packet: Buffer): void {
    const { stats } = this.core;
    if (this.core.terminated) return;
    stats.packetsReceived++;
    const check = checkPacket(packet);
    if (check !== PacketCheck.OK) {
      stats.packetsDropped++;
      if (check === PacketCheck.BAD_CHECKSUM) stats.badChecksum++;
      return;
    }
    if (readU16(packet, 2) !== this.localPort) {
      stats.packetsDropped++;
      return;
    }
    if (packet.length <= COMMON_HEADER_LENGTH) return;
    if (!this.tagAccepted(packet)) {
      stats.packetsDropped++;
      stats.badVerificationTag++;
      return;
    }
    try {
      this.processChunks(packet, packet.length);
    } catch {
      // Defensive: a bug here must cost a packet, not the process.
      stats.malformedChunks++;
    }
  }

  /** Verification tag rules (RFC 9260 §8.5, §8.5.1). */
  private tagAccepted(packet: Buffer): boolean {
    const vtag = readU32(packet, 4);
    const firstType = packet[COMMON_HEADER_LENGTH];
    if (firstType === ChunkType.INIT) {
      // INIT must be alone in its packet, with tag 0.
      const firstLen = readU16(packet, COMMON_HEADER_LENGTH + 2);
      return vtag === 0 && COMMON_HEADER_LENGTH + pad4(firstLen) >= packet.length;
    }
    if (firstType === ChunkType.ABORT || firstType === ChunkType.SHUTDOWN_COMPLETE) {
      const peerTag = this.core.writer.peerTag;
      const tBit = (packet[COMMON_HEADER_LENGTH + 1] & 1) === 1;
      return tBit ? vtag === peerTag && peerTag !== 0 : vtag === this.core.localTag;
    }
    return vtag === this.core.localTag;
  }

  private processChunks(packet: Buffer, len: number): void {
    const core = this.core;
    let off = COMMON_HEADER_LENGTH;
    let seen = 0;
    let unrecognized: Buffer[] | undefined;
    while (off < len && !core.terminated) {
      const type = packet[off];
      const clen = readU16(packet, off + 2);
      const r = this.processChunk(type, packet, off, clen);
      if (r === Seen.END) return;
      if (r === Seen.UNKNOWN) {
        core.stats.unknownChunks++;
        const action = unknownChunkAction(type);
        if (action === 'stop-report' || action === 'skip-report') {
          unrecognized ??= [];
          unrecognized.push(packet.subarray(off, off + clen));
        }
        if (action === 'stop' || action === 'stop-report') off = len;
      }
      seen |= r;
      off += pad4(clen);
    }
    if (core.terminated) return;
    if (unrecognized) core.writer.sendUnrecognized(unrecognized);
    this.afterChunks(seen);
  }

  /** Hands one chunk to its part; `Seen.END` when the rest of the packet is not processed. */
  private processChunk(type: number, packet: Buffer, off: number, clen: number): number {
    switch (type) {
      case ChunkType.DATA:
        this.receiver.onData(packet, off, clen);
        return Seen.DATA;
      case ChunkType.SACK:
        return this.sender.onSack(packet, off, clen) ? Seen.SACK : 0;
      case ChunkType.FORWARD_TSN:
        this.receiver.onForwardTsn(packet, off, clen);
        return Seen.DATA;
      case ChunkType.INIT:
        this.handshake.onInit(packet, off, clen);
        return Seen.END;
      case ChunkType.INIT_ACK:
        this.handshake.onInitAck(packet, off, clen);
        return Seen.END;
      case ChunkType.COOKIE_ECHO:
        this.handshake.onCookieEcho(packet, off, clen);
        return 0;
      case ChunkType.COOKIE_ACK:
        this.handshake.onCookieAck();
        return 0;
      case ChunkType.HEARTBEAT:
        this.heartbeat.onHeartbeat(packet, off, clen);
        return 0;
      case ChunkType.HEARTBEAT_ACK:
        this.heartbeat.onHeartbeatAck(packet, off, clen);
        return 0;
      case ChunkType.ABORT:
        this.terminate('peer-abort', describeCauses(packet, off, clen));
        return Seen.END;
      case ChunkType.SHUTDOWN:
        this.closing.onShutdown(packet, off, clen);
        return 0;
      case ChunkType.SHUTDOWN_ACK:
        this.closing.onShutdownAck();
        return 0;
      case ChunkType.SHUTDOWN_COMPLETE:
        this.closing.onShutdownComplete();
        return Seen.END;
      case ChunkType.ERROR:
        return 0;
      case ChunkType.RECONFIG:
        this.resets.onReconfig(packet, off, clen);
        return 0;
      default:
        return Seen.UNKNOWN;
    }
  }

  /** What a packet's DATA and SACK chunks call for once all its chunks are processed. */
  private afterChunks(seen: number): void {
    if (seen & Seen.DATA) {
      if (this.core.state === 'shutdown-sent') {
        // RFC 9260 §9.2: answer DATA with SHUTDOWN (its cumulative TSN acks) and restart T2.
        this.transmit();
        this.closing.sendShutdown();
      } else {
        this.receiver.afterData();
      }
    }
    if (seen & Seen.SACK) {
      this.closing.maybeStep();
      this.transmit();
      this.sender.flushLowStreams();
    }
  }

  // ===================================================================== send

  /**
   * Sends what may be sent now: a pending SACK first (bundled), then the send
   * path's FORWARD TSN, retransmissions and new DATA.
   */
  private transmit(): void {
    const core = this.core;
    if (core.terminated) return;
    const bundle = this.bundle;
    if (this.receiver.sackNeeded && core.writer.peerTag !== 0) {
      const buf = bundle.open();
      bundle.end = this.receiver.writeSack(buf, bundle.end);
    }
    const s = core.state;
    if (s === 'established' || s === 'shutdown-pending' || s === 'shutdown-received') this.sender.transmit();
    else bundle.flush();
  }

  private terminate(reason: CloseReason, detail?: string): void {
    const core = this.core;
    if (core.terminated) return;
    core.terminated = true;
    this.failed = reason === 'failure';
    core.state = 'closed';
    core.timers.stopAll();
    core.notify('close', reason, detail);
  }
}

function describeCauses(packet: Buffer, off: number, clen: number): string {
  if (clen < 8) return '';
  return `cause ${readU16(packet, off + 4)}`;
}
