/**
 * Path heartbeat (RFC 9260 §8.3): a HEARTBEAT while idle carrying our send
 * time and a nonce, an RTT sample from its HEARTBEAT ACK, failure after
 * Association.Max.Retrans unanswered; and the ACK to the peer's heartbeats.
 */
import { type AssociationCore, randomU32NonZero } from './association-core.js';
import { ChunkType } from './chunk-type.js';
import { ParamType } from './init-chunk.js';
import {
  COMMON_HEADER_LENGTH,
  pad4,
  readU16,
  readU32,
  writeChunkHeader,
  writeU16,
  writeU32,
} from './sctp-packet.js';

export class Heartbeat {
  private outstanding = false;
  private nonce = 0;

  constructor(private readonly core: AssociationCore) {}

  /** The heartbeat timer expired: count an unanswered one, send the next. */
  onTimer(): void {
    const core = this.core;
    if (core.terminated || core.state !== 'established') return;
    if (this.outstanding && ++core.errorCount > core.config.maxRetransmissions) {
      core.hooks.terminate('failure', 'heartbeats unanswered');
      return;
    }
    // Heartbeat Info: our send time (8) and a nonce (4); echoed back verbatim.
    const w = core.writer;
    const buf = w.newPacket(4 + 16, w.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.HEARTBEAT, 0, 20);
    writeU16(buf, p, ParamType.HEARTBEAT_INFO);
    writeU16(buf, p + 2, 16);
    buf.writeDoubleBE(performance.now(), p + 4);
    this.nonce = randomU32NonZero();
    writeU32(buf, p + 12, this.nonce);
    this.outstanding = true;
    w.finishAndSend(buf, p + 16);
    core.timers.startHeartbeat(core.config.heartbeatIntervalMs);
  }

  /** HEARTBEAT ACK carries the Heartbeat Information parameter back unchanged. */
  onHeartbeat(packet: Buffer, off: number, clen: number): void {
    const w = this.core.writer;
    if (clen < 8 || w.peerTag === 0) {
      this.core.stats.malformedChunks++;
      return;
    }
    const buf = w.newPacket(pad4(clen), w.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.HEARTBEAT_ACK, 0, clen);
    packet.copy(buf, COMMON_HEADER_LENGTH + 4, off + 4, off + clen);
    let end = COMMON_HEADER_LENGTH + clen;
    while (end & 3) buf[end++] = 0;
    w.finishAndSend(buf, end);
  }

  onHeartbeatAck(packet: Buffer, off: number, clen: number): void {
    if (clen !== 20 || readU16(packet, off + 4) !== ParamType.HEARTBEAT_INFO) return;
    if (readU32(packet, off + 16) !== this.nonce || !this.outstanding) return;
    this.outstanding = false;
    this.core.errorCount = 0;
    const rtt = performance.now() - packet.readDoubleBE(off + 8);
    if (rtt >= 0 && rtt < 60_000) this.core.rto.measure(rtt);
  }
}
