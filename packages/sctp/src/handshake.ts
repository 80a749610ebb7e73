/**
 * Association setup (RFC 9260 §5): INIT / INIT ACK / COOKIE ECHO / COOKIE
 * ACK with a stateless HMAC cookie (§5.1.3), INIT collision (both sides
 * connect: each answers the other's INIT and accepts a valid cookie in any
 * pre-established state), and T1-init / T1-cookie retransmission.
 */
import { randomBytes } from 'node:crypto';
import type { AssociationCore } from './association-core.js';
import { ChunkType, ErrorCause } from './chunk-type.js';
import { type InitChunk, initChunkLength, marshalInit, unmarshalInit } from './init-chunk.js';
import type { ReceivePath } from './receive-path.js';
import { COMMON_HEADER_LENGTH, finishPacket, pad4, writeChunkHeader } from './sctp-packet.js';
import type { SendPath } from './send-path.js';
import { marshalStateCookie, STATE_COOKIE_LIFETIME_MS, unmarshalStateCookie } from './state-cookie.js';
import type { StreamReset } from './stream-reset.js';

/** Ids of the chunk types we announce in Supported Extensions. */
const OUR_EXTENSIONS = [ChunkType.RECONFIG, ChunkType.FORWARD_TSN];

/** What the peer's INIT or INIT ACK (or our cookie, which carries them) told. */
interface PeerInit {
  tag: number;
  initialTsn: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  forwardTsn: boolean;
  reconfig: boolean;
}

export class Handshake {
  private readonly cookieSecret = randomBytes(32);
  private t1Count = 0;
  /** The packet T1 retransmits: our INIT, then our COOKIE ECHO. */
  private t1Chunk: Buffer | undefined;

  constructor(
    private readonly core: AssociationCore,
    private readonly sender: SendPath,
    private readonly receiver: ReceivePath,
    private readonly resets: StreamReset,
  ) {}

  /** Sends INIT (active open). */
  connect(): void {
    const core = this.core;
    if (core.state !== 'closed' || core.terminated) return;
    const buf = core.writer.newPacket(64, 0);
    const end = marshalInit(this.ourInit(ChunkType.INIT, undefined), buf, COMMON_HEADER_LENGTH);
    this.t1Chunk = buf.subarray(0, end);
    finishPacket(this.t1Chunk, end);
    core.state = 'cookie-wait';
    this.sendWithT1(this.t1Chunk);
  }

  private sendWithT1(packet: Buffer): void {
    this.t1Count = 0;
    this.core.writer.send(packet);
    this.core.timers.startT1();
  }

  private ourInit(type: number, cookie: Uint8Array | undefined): InitChunk {
    const { config, localTag, initialTsn } = this.core;
    return {
      type,
      initiateTag: localTag,
      aRwnd: config.receiveWindow,
      outboundStreams: config.outboundStreams,
      inboundStreams: config.inboundStreams,
      initialTsn,
      forwardTsnSupported: true,
      supportedExtensions: OUR_EXTENSIONS,
      stateCookie: cookie,
      unrecognizedParams: [],
    };
  }

  /** Answers an INIT with an INIT ACK; stateless, everything needed later travels in the signed cookie. */
  onInit(packet: Buffer, off: number, clen: number): void {
    const core = this.core;
    const init = unmarshalInit(packet, off, clen);
    if (!init) {
      core.stats.malformedChunks++;
      return;
    }
    if (core.state === 'shutdown-ack-sent') return;
    const cookie = marshalStateCookie(
      {
        localTag: core.localTag,
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
    const buf = core.writer.newPacket(initChunkLength(ack), init.initiateTag);
    core.writer.finishAndSend(buf, marshalInit(ack, buf, COMMON_HEADER_LENGTH));
  }

  onInitAck(packet: Buffer, off: number, clen: number): void {
    const core = this.core;
    if (core.state !== 'cookie-wait') return;
    const ack = unmarshalInit(packet, off, clen);
    if (!ack?.stateCookie) {
      core.stats.malformedChunks++;
      return;
    }
    this.setPeer({
      tag: ack.initiateTag,
      initialTsn: ack.initialTsn,
      aRwnd: ack.aRwnd,
      outboundStreams: ack.outboundStreams,
      inboundStreams: ack.inboundStreams,
      forwardTsn: ack.forwardTsnSupported,
      reconfig: ack.supportedExtensions.includes(ChunkType.RECONFIG),
    });
    core.timers.stopT1();
    const cookie = ack.stateCookie;
    const buf = core.writer.newPacket(4 + pad4(cookie.length), core.writer.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.COOKIE_ECHO, 0, 4 + cookie.length);
    buf.set(cookie, COMMON_HEADER_LENGTH + 4);
    let end = COMMON_HEADER_LENGTH + 4 + cookie.length;
    while (end & 3) buf[end++] = 0;
    finishPacket(buf, end);
    this.t1Chunk = buf.subarray(0, end);
    core.state = 'cookie-echoed';
    this.sendWithT1(this.t1Chunk);
  }

  onCookieEcho(packet: Buffer, off: number, clen: number): void {
    const core = this.core;
    const cookie = unmarshalStateCookie(packet.subarray(off + 4, off + clen), this.cookieSecret);
    if (!cookie) {
      core.stats.malformedChunks++;
      return;
    }
    if (cookie.localTag !== core.localTag) return;
    const s = core.state;
    if (s === 'established' || s === 'shutdown-pending') {
      // A duplicate COOKIE ECHO (our COOKIE ACK was lost): answer again.
      if (cookie.peerTag === core.writer.peerTag) core.writer.sendSimple(ChunkType.COOKIE_ACK);
      return;
    }
    if (s !== 'closed' && s !== 'cookie-wait' && s !== 'cookie-echoed') return;
    const age = Date.now() - cookie.createdAt;
    if (!(age >= -1000 && age <= STATE_COOKIE_LIFETIME_MS)) {
      core.writer.sendErrorCause(ErrorCause.STALE_COOKIE, 8);
      return;
    }
    this.setPeer({
      tag: cookie.peerTag,
      initialTsn: cookie.peerInitialTsn,
      aRwnd: cookie.peerRwnd,
      outboundStreams: cookie.peerOutboundStreams,
      inboundStreams: cookie.peerInboundStreams,
      forwardTsn: cookie.peerForwardTsn,
      reconfig: cookie.peerReconfig,
    });
    core.timers.stopT1();
    core.writer.sendSimple(ChunkType.COOKIE_ACK);
    this.establish();
  }

  onCookieAck(): void {
    if (this.core.state !== 'cookie-echoed') return;
    this.core.timers.stopT1();
    this.establish();
  }

  /** Streams negotiate as min(our OS, peer MIS) and min(our MIS, peer OS). */
  private setPeer(p: PeerInit): void {
    const core = this.core;
    core.writer.peerTag = p.tag;
    this.receiver.setPeer(p.initialTsn);
    this.resets.setPeer(p.initialTsn);
    this.sender.peerRwnd = p.aRwnd;
    core.outboundStreamCount = Math.min(core.config.outboundStreams, p.inboundStreams);
    core.inboundStreamCount = Math.min(core.config.inboundStreams, p.outboundStreams);
    core.peerForwardTsn = p.forwardTsn;
    core.peerReconfig = p.reconfig;
  }

  private establish(): void {
    const core = this.core;
    core.state = 'established';
    this.t1Chunk = undefined;
    core.errorCount = 0;
    core.timers.startHeartbeat(core.config.heartbeatIntervalMs);
    core.notify('open');
    core.hooks.transmit();
  }

  /** T1-init / T1-cookie expired: resend with the RTO doubled, or fail after Max.Init.Retransmits. */
  onT1(): void {
    const core = this.core;
    if (!this.t1Chunk || (core.state !== 'cookie-wait' && core.state !== 'cookie-echoed')) return;
    if (++this.t1Count > core.config.maxInitRetransmissions) {
      core.hooks.terminate('failure', 'handshake timed out');
      return;
    }
    core.rto.backOff();
    core.writer.send(this.t1Chunk);
    core.timers.startT1();
  }
}
