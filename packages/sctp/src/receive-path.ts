/**
 * The receive side of an association: TSN tracking (cumulative TSN and the
 * TSNs received above it), duplicates, the receive window, reassembly and
 * delivery per stream (`InboundStream`), the FORWARD TSN receiver (RFC 3758
 * §3.6), SACK building with gap blocks (RFC 9260 §6.2, §6.7) and the
 * delayed-SACK decision.
 */
import type { AssociationCore } from './association-core.js';
import { ErrorCause } from './chunk-type.js';
import { DATA_HEADER_LENGTH, DataFlag } from './data-chunk.js';
import { unmarshalForwardTsn } from './forward-tsn-chunk.js';
import { type Fragment, InboundStream } from './inbound-stream.js';
import { marshalSack } from './sack-chunk.js';
import { COMMON_HEADER_LENGTH, readU16, readU32 } from './sctp-packet.js';
import { tsnAdd, tsnLt, tsnLte } from './serial-number.js';

export class ReceivePath {
  /** Highest TSN received with every TSN before it. */
  peerCumTsn = 0;
  /**
   * RFC 6525 §5.2.2 E2: a peer's stream reset waits until every TSN up to
   * this one has arrived; then `onResetReady` runs. Set by the stream reset part.
   */
  resetWaitsFor: number | undefined = undefined;
  /** A SACK is owed to the peer. */
  sackNeeded = false;
  private sackImmediate = false;
  private packetsSinceSack = 0;
  private sackScheduled = false;
  /** TSNs received above `peerCumTsn`. */
  private readonly received = new Set<number>();
  private readonly inbound = new Map<number, InboundStream>();
  /** Bytes held for reassembly or ordering, bounded by the receive window. */
  private rxBuffered = 0;
  private dupTsns: number[] = [];
  private readonly gapStarts: number[] = [];
  private readonly gapEnds: number[] = [];
  private readonly deliver = (streamId: number, ppid: number, data: Buffer, unordered: boolean): void => {
    this.core.stats.messagesReceived++;
    try {
      this.core.events.emit('message', streamId, ppid, data, unordered);
    } catch {
      // A listener's bug must not break the association's receive path.
      this.core.stats.listenerErrors++;
    }
  };
  private readonly onDelayedSack = (): void => {
    this.sackScheduled = false;
    if (this.sackNeeded) this.core.hooks.transmit();
  };

  constructor(
    private readonly core: AssociationCore,
    private readonly onResetReady: () => void,
  ) {}

  /** The peer's INIT or INIT ACK told its initial TSN. */
  setPeer(initialTsn: number): void {
    this.peerCumTsn = tsnAdd(initialTsn, -1);
    this.received.clear();
  }

  private acceptsData(): boolean {
    const s = this.core.state;
    return s === 'established' || s === 'shutdown-pending' || s === 'shutdown-sent' || s === 'cookie-echoed';
  }

  // ---- DATA

  onData(packet: Buffer, off: number, clen: number): void {
    if (!this.acceptsData()) return;
    const core = this.core;
    if (clen < DATA_HEADER_LENGTH) {
      core.stats.malformedChunks++;
      return;
    }
    if (clen === DATA_HEADER_LENGTH) {
      // RFC 9260 §6.2: a DATA chunk without user data aborts the association.
      core.abortWithCause(ErrorCause.NO_USER_DATA, readU32(packet, off + 4));
      return;
    }
    core.stats.dataChunksReceived++;
    const tsn = readU32(packet, off + 4);
    this.sackNeeded = true;
    if (tsnLte(tsn, this.peerCumTsn) || this.received.has(tsn)) {
      core.stats.duplicateTsns++;
      if (this.dupTsns.length < 32) this.dupTsns.push(tsn);
      this.sackImmediate = true;
      return;
    }
    // Gap blocks carry 16-bit offsets: refuse TSNs we could not report.
    if ((tsn - this.peerCumTsn) >>> 0 > 0xffff) {
      core.stats.malformedChunks++;
      return;
    }
    if (tsn !== tsnAdd(this.peerCumTsn, 1)) this.sackImmediate = true; // a gap: tell the sender at once (RFC 9260 §6.7)
    const sid = readU16(packet, off + 8);
    if (sid >= core.inboundStreamCount) {
      this.markReceived(tsn);
      core.writer.sendErrorCause(ErrorCause.INVALID_STREAM_ID, 8, sid << 16);
      return;
    }
    this.acceptData(packet, off, clen, tsn, sid);
  }

  /** A new, in-window TSN on a valid stream: hold it for reassembly or deliver it. */
  private acceptData(packet: Buffer, off: number, clen: number, tsn: number, sid: number): void {
    const flags = packet[off + 1];
    const ssn = readU16(packet, off + 10);
    const ppid = readU32(packet, off + 12);
    const data = packet.subarray(off + DATA_HEADER_LENGTH, off + clen);
    let stream = this.inbound.get(sid);
    const whole = (flags & (DataFlag.BEGINNING | DataFlag.END)) === (DataFlag.BEGINNING | DataFlag.END);
    // Whatever must wait in a queue needs room in the receive window; without it the
    // chunk is dropped unacknowledged and the sender retransmits later (RFC 9260 §6.2).
    // This also bounds a message that never ends.
    const deliverable =
      whole && ((flags & DataFlag.UNORDERED) !== 0 || (stream ? stream.canDeliverNow(ssn) : ssn === 0));
    if (!deliverable && this.rxBuffered + data.length > this.core.config.receiveWindow) {
      this.core.stats.windowDrops++;
      return;
    }
    this.markReceived(tsn);
    if (!stream) {
      stream = new InboundStream(sid);
      this.inbound.set(sid, stream);
    }
    const before = stream.bufferedBytes;
    const unordered = (flags & DataFlag.UNORDERED) !== 0;
    if (whole && unordered) this.deliverWhole(sid, ppid, data);
    else if (whole && stream.canDeliverNow(ssn)) this.deliverInOrder(stream, ssn, ppid, data);
    else {
      const f: Fragment = { tsn, flags, ssn, ppid, data };
      const max = this.core.config.maxMessageSize;
      this.core.stats.oversizeMessagesDropped += unordered
        ? stream.addUnordered(f, this.deliver, max)
        : stream.addOrdered(f, this.deliver, max);
    }
    this.rxBuffered += stream.bufferedBytes - before;
  }

  /** A whole unordered message: delivered at once (a view into the packet). */
  private deliverWhole(sid: number, ppid: number, data: Buffer): void {
    if (data.length > this.core.config.maxMessageSize) this.core.stats.oversizeMessagesDropped++;
    else this.deliver(sid, ppid, data, true);
  }

  /** A whole ordered message that is next in line: deliver it and whatever it unblocks. */
  private deliverInOrder(stream: InboundStream, ssn: number, ppid: number, data: Buffer): void {
    stream.nextSsn = (ssn + 1) & 0xffff;
    this.deliver(stream.streamId, ppid, data, false);
    if (stream.ordered.size > 0) {
      this.core.stats.oversizeMessagesDropped += stream.deliverOrdered(
        this.deliver,
        this.core.config.maxMessageSize,
      );
    }
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
      if (this.resetWaitsFor !== undefined && tsnLte(this.resetWaitsFor, this.peerCumTsn))
        this.onResetReady();
    } else {
      this.received.add(tsn);
    }
  }

  // ---- FORWARD TSN (RFC 3758 §3.6)

  onForwardTsn(packet: Buffer, off: number, clen: number): void {
    if (!this.acceptsData()) return;
    const core = this.core;
    const fwd = unmarshalForwardTsn(packet, off, clen);
    if (!fwd) {
      core.stats.malformedChunks++;
      return;
    }
    core.stats.forwardTsnReceived++;
    this.sackNeeded = true;
    this.sackImmediate = true;
    const newCum = fwd.newCumulativeTsn;
    if (!tsnLt(this.peerCumTsn, newCum)) return;
    if ((newCum - this.peerCumTsn) >>> 0 > 0x10000000) {
      core.stats.malformedChunks++;
      return;
    }
    for (const t of this.received) if (tsnLte(t, newCum)) this.received.delete(t);
    this.peerCumTsn = tsnAdd(newCum, -1);
    this.markReceived(newCum);
    const ssnByStream = new Map<number, number>();
    for (const s of fwd.streams) ssnByStream.set(s.streamId, s.ssn);
    this.skipStreams(newCum, ssnByStream);
  }

  /** Skips every stream past `newCum` (and the given SSNs), delivering what that frees. */
  private skipStreams(newCum: number, ssnByStream: Map<number, number>): void {
    const { stats, config } = this.core;
    for (const [sid, stream] of this.inbound) {
      const before = stream.bufferedBytes;
      stream.skip(newCum, ssnByStream.get(sid));
      stats.oversizeMessagesDropped += stream.deliverOrdered(this.deliver, config.maxMessageSize);
      this.rxBuffered += stream.bufferedBytes - before;
    }
    for (const [sid, ssn] of ssnByStream) {
      if (sid >= this.core.inboundStreamCount || this.inbound.has(sid)) continue;
      const stream = new InboundStream(sid);
      stream.skip(newCum, ssn);
      this.inbound.set(sid, stream);
    }
  }

  // ---- stream reset

  /** The peer reset its outgoing streams (all when `streams` is empty): SSNs restart at 0. */
  resetStreams(streams: number[]): void {
    const ids = streams.length > 0 ? streams : [...this.inbound.keys()];
    for (const id of ids) {
      const s = this.inbound.get(id);
      if (s) {
        this.rxBuffered -= s.bufferedBytes;
        s.reset();
      }
    }
    this.core.notify('streamsReset', ids);
  }

  // ---- SACK

  /**
   * After a packet with DATA or FORWARD TSN: SACK every second packet or at
   * once (a gap, a duplicate), else at the end of this burst of packets.
   */
  afterData(): void {
    this.packetsSinceSack++;
    if (this.sackImmediate || this.packetsSinceSack >= 2) {
      this.core.hooks.transmit();
    } else if (this.sackNeeded && !this.sackScheduled) {
      this.sackScheduled = true;
      setImmediate(this.onDelayedSack);
    }
  }

  /** Writes the SACK at `off`; returns the offset after it. */
  writeSack(buf: Buffer, off: number): number {
    const gapCount = this.received.size > 0 ? this.collectGaps() : 0;
    const aRwnd = Math.max(0, this.core.config.receiveWindow - this.rxBuffered);
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

  /** Gap blocks of the TSNs received out of order (only then: the common case allocates nothing). */
  private collectGaps(): number {
    const offs: number[] = [];
    for (const t of this.received) offs.push((t - this.peerCumTsn) >>> 0);
    offs.sort((a, b) => a - b);
    const starts = this.gapStarts;
    const ends = this.gapEnds;
    // Keep the SACK within one packet next to a little data.
    const maxGaps = (this.core.config.mtu - COMMON_HEADER_LENGTH - 16 - 4 * this.dupTsns.length) >> 3;
    let gapCount = 0;
    for (let i = 0; i < offs.length; i++) {
      if (i > 0 && offs[i] === offs[i - 1] + 1) ends[gapCount - 1] = offs[i];
      else if (gapCount < maxGaps) {
        starts[gapCount] = offs[i];
        ends[gapCount] = offs[i];
        gapCount++;
      } else break;
    }
    return gapCount;
  }
}
