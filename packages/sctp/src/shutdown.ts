/**
 * Graceful close (RFC 9260 §9.2): SHUTDOWN once every queued message is
 * acknowledged, SHUTDOWN ACK / SHUTDOWN COMPLETE, both sides shutting down
 * at once, DATA still arriving in SHUTDOWN-SENT, and T2-shutdown.
 */
import type { AssociationCore } from './association-core.js';
import { ChunkType } from './chunk-type.js';
import type { ReceivePath } from './receive-path.js';
import { COMMON_HEADER_LENGTH, readU32, writeChunkHeader, writeU32 } from './sctp-packet.js';
import type { SendPath } from './send-path.js';

export class Shutdown {
  private t2Count = 0;

  constructor(
    private readonly core: AssociationCore,
    private readonly sender: SendPath,
    private readonly receiver: ReceivePath,
  ) {}

  /** The user asked to close: SHUTDOWN once the queue drains (before establishment: just close). */
  request(): void {
    const core = this.core;
    if (core.terminated) return;
    const s = core.state;
    if (s !== 'established') {
      if (s === 'closed' || s === 'cookie-wait' || s === 'cookie-echoed') core.hooks.terminate('shutdown');
      return;
    }
    core.state = 'shutdown-pending';
    this.maybeStep();
  }

  /** Moves on once nothing is queued: SHUTDOWN (we close) or SHUTDOWN ACK (the peer does). */
  maybeStep(): void {
    const core = this.core;
    const empty = this.sender.isEmpty;
    if (core.state === 'shutdown-pending' && empty) {
      core.state = 'shutdown-sent';
      this.t2Count = 0;
      this.sendShutdown();
    } else if (core.state === 'shutdown-received' && empty) {
      core.state = 'shutdown-ack-sent';
      this.t2Count = 0;
      this.sendShutdownAck();
    }
  }

  /** SHUTDOWN carries our cumulative TSN ack; T2 restarts. */
  sendShutdown(): void {
    const w = this.core.writer;
    const buf = w.newPacket(8, w.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.SHUTDOWN, 0, 8);
    writeU32(buf, p, this.receiver.peerCumTsn);
    w.finishAndSend(buf, p + 4);
    this.core.timers.startT2();
  }

  private sendShutdownAck(): void {
    this.core.writer.sendSimple(ChunkType.SHUTDOWN_ACK);
    this.core.timers.startT2();
  }

  /** T2-shutdown expired: resend with the RTO doubled, or fail after Association.Max.Retrans. */
  onT2(): void {
    const core = this.core;
    if (core.terminated) return;
    if (++this.t2Count > core.config.maxRetransmissions) {
      core.hooks.terminate('failure', 'shutdown timed out');
      return;
    }
    core.rto.backOff();
    if (core.state === 'shutdown-sent') this.sendShutdown();
    else if (core.state === 'shutdown-ack-sent') this.sendShutdownAck();
  }

  onShutdown(packet: Buffer, off: number, clen: number): void {
    const core = this.core;
    if (clen !== 8) {
      core.stats.malformedChunks++;
      return;
    }
    if (core.state === 'shutdown-sent') {
      // Both sides shut down at once (§9.2): answer with SHUTDOWN ACK.
      core.state = 'shutdown-ack-sent';
      this.sendShutdownAck();
      return;
    }
    if (core.state !== 'established' && core.state !== 'shutdown-pending') return;
    core.state = 'shutdown-received';
    this.sender.ackFromShutdown(readU32(packet, off + 4));
    this.maybeStep();
    this.sender.flushLowStreams();
  }

  onShutdownAck(): void {
    const core = this.core;
    if (core.state !== 'shutdown-sent' && core.state !== 'shutdown-ack-sent') return;
    core.writer.sendSimple(ChunkType.SHUTDOWN_COMPLETE);
    core.hooks.terminate('shutdown');
  }

  onShutdownComplete(): void {
    if (this.core.state === 'shutdown-ack-sent') this.core.hooks.terminate('shutdown');
  }
}
