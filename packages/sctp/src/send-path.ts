/**
 * The send side of an association: the outbound queue (one entry per DATA
 * chunk, from the cumulative ack point to the newest TSN), SACK processing
 * with gap blocks and Karn's-rule RTT samples, fast retransmit (RFC 9260
 * §7.2.4), T3-rtx expiry (§6.3.3), and partial reliability: abandoning
 * messages and the FORWARD TSN sender (RFC 3758 §3.5). Congestion control
 * is `CongestionControl`; packets are filled through the shared `Bundle`.
 */

import type { AssociationCore } from './association-core.js';
import type { SendOptions } from './association-types.js';
import { CongestionControl } from './congestion-control.js';
import { DATA_HEADER_LENGTH, DataFlag, marshalData } from './data-chunk.js';
import { type ForwardTsnChunk, forwardTsnLength, marshalForwardTsn } from './forward-tsn-chunk.js';
import { OutboundAmounts } from './outbound-amounts.js';
import type { Bundle } from './packet-writer.js';
import { SackView } from './sack-chunk.js';
import { pad4 } from './sctp-packet.js';
import { tsnAdd, tsnLt, tsnLte } from './serial-number.js';

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

export class SendPath {
  /** TSN the next queued chunk gets. */
  nextTsn: number;
  /** Highest TSN the peer acknowledged cumulatively. */
  cumAckPoint: number;
  /** RFC 3758 "Advanced.Peer.Ack.Point": the cumulative ack point moved over abandoned chunks. */
  advancedPeerAckPoint: number;
  /** The peer's receive window: its last a_rwnd less what we sent since. */
  peerRwnd = 0;
  readonly cc: CongestionControl;
  /** Chunks from `outHead` (oldest unacknowledged) on; `nextSend` is the first never sent. */
  private out: OutChunk[] = [];
  private outHead = 0;
  private nextSend = 0;
  private rtxPending = 0;
  private flightSize = 0;
  private forwardTsnPending = false;
  private readonly outSsn: Uint16Array;
  private readonly amounts: OutboundAmounts;
  private readonly sackView = new SackView();
  /** RTT sample (ms) of the SACK being processed; -1 while none. */
  private rttSample = -1;

  constructor(
    private readonly core: AssociationCore,
    private readonly bundle: Bundle,
  ) {
    this.nextTsn = core.initialTsn;
    this.cumAckPoint = tsnAdd(core.initialTsn, -1);
    this.advancedPeerAckPoint = this.cumAckPoint;
    this.cc = new CongestionControl(core.config.mtu);
    const os = core.config.outboundStreams;
    this.outSsn = new Uint16Array(os);
    this.amounts = new OutboundAmounts(os);
  }

  /** Queues one message as DATA chunks of at most one packet each (views, not copies). */
  enqueue(streamId: number, ppid: number, data: Uint8Array, options: SendOptions | undefined): void {
    const maxPayload = this.core.config.maxPayload;
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
      chunkCount: Math.ceil(data.length / maxPayload),
      counted: ppid !== DCEP_PPID,
    };
    if (!unordered) this.outSsn[streamId] = (msg.ssn + 1) & 0xffff;
    const uflag = unordered ? DataFlag.UNORDERED : 0;
    for (let off = 0; off < data.length; off += maxPayload) {
      const end = Math.min(off + maxPayload, data.length);
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
    this.amounts.queued(streamId, data.length, msg.counted);
    this.core.stats.messagesSent++;
  }

  bufferedAmount(streamId: number): number {
    return this.amounts.bufferedAmount(streamId);
  }

  /** Bytes of application messages on a stream never sent yet (retransmissions excluded). */
  unsentAmount(streamId: number): number {
    return this.amounts.unsentAmount(streamId);
  }

  get totalBufferedAmount(): number {
    return this.amounts.total;
  }

  setBufferedAmountLowThreshold(streamId: number, bytes: number): void {
    this.amounts.setLowThreshold(streamId, bytes);
  }

  /** Nothing queued or unacknowledged. */
  get isEmpty(): boolean {
    return this.outHead === this.out.length;
  }

  /** Outgoing SSNs of these streams restart at 0 (RFC 6525 §5.1.2). */
  resetSsn(streamIds: number[]): void {
    for (const id of streamIds) if (id < this.outSsn.length) this.outSsn[id] = 0;
  }

  /** Chunks in flight or to retransmit, or a FORWARD TSN still to be acknowledged. */
  outstanding(): boolean {
    return this.flightSize > 0 || this.rtxPending > 0 || tsnLt(this.cumAckPoint, this.advancedPeerAckPoint);
  }

  // ---- SACK

  /** Processes a SACK chunk; false when it was stale, malformed or not expected now. */
  onSack(packet: Buffer, off: number, clen: number): boolean {
    const core = this.core;
    if (!core.carriesData) return false;
    const sack = this.sackView;
    if (!sack.read(packet, off, clen)) {
      core.stats.malformedChunks++;
      return false;
    }
    const cum = sack.cumulativeTsnAck;
    if (tsnLt(cum, this.cumAckPoint)) return false; // stale, out of order SACK
    if (!tsnLt(cum, this.nextTsn)) {
      core.stats.malformedChunks++; // acks a TSN we never assigned
      return false;
    }
    const now = performance.now();
    this.rttSample = -1;
    const cumAdvanced = cum !== this.cumAckPoint;
    const cumBytesAcked = this.ackCumulative(cum, now);
    this.cumAckPoint = cum;
    if (tsnLt(this.advancedPeerAckPoint, cum)) this.advancedPeerAckPoint = cum;
    const highestGapIndex = sack.gapCount > 0 && this.outHead < this.nextSend ? this.ackGaps(sack, now) : -1;
    if (this.rttSample >= 0) core.rto.measure(this.rttSample);
    if (cumAdvanced || cumBytesAcked > 0) core.errorCount = 0;
    if (highestGapIndex >= 0 && this.markMissing(highestGapIndex)) {
      this.cc.onFastRetransmit(tsnAdd(this.nextSendTsn(), -1));
    }
    this.cc.onSack(cum, cumBytesAcked);
    this.peerRwnd = Math.max(0, sack.aRwnd - this.flightSize);
    if (core.peerForwardTsn) this.advancePeerAckPoint();
    if (!this.outstanding()) core.timers.stopT3();
    else if (cumAdvanced || !core.timers.t3Running) core.timers.restartT3();
    this.compactOut();
    return true;
  }

  /** Drops chunks up to `cum` from the queue; returns the bytes newly acknowledged. */
  private ackCumulative(cum: number, now: number): number {
    let bytes = 0;
    while (this.outHead < this.nextSend && tsnLte(this.out[this.outHead].tsn, cum)) {
      const c = this.out[this.outHead];
      if (!c.gapAcked) {
        bytes += c.data.length;
        if (c.sendCount === 1 && this.rttSample < 0) this.rttSample = now - c.sentAt;
      }
      this.settle(c);
      this.amounts.released(c.msg.streamId, c.data.length, c.msg.counted);
      this.outHead++;
    }
    return bytes;
  }

  /** Marks the chunks in the gap ack blocks; returns the queue index of the highest one. */
  private ackGaps(sack: SackView, now: number): number {
    const cum = sack.cumulativeTsnAck;
    const headTsn = this.out[this.outHead].tsn;
    let highest = -1;
    for (let g = 0; g < sack.gapCount; g++) {
      const s = this.outHead + ((tsnAdd(cum, sack.gapStarts[g]) - headTsn) >>> 0);
      const e = this.outHead + ((tsnAdd(cum, sack.gapEnds[g]) - headTsn) >>> 0);
      for (let i = s; i <= e && i < this.nextSend; i++) {
        const c = this.out[i];
        if (!c.gapAcked) {
          c.gapAcked = true;
          this.settle(c);
          if (c.sendCount === 1 && this.rttSample < 0) this.rttSample = now - c.sentAt;
        }
        if (i > highest) highest = i;
      }
    }
    return highest;
  }

  /** RFC 9260 §7.2.4: a chunk missing from three SACKs is retransmitted at once. True if any was marked. */
  private markMissing(highestGapIndex: number): boolean {
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
        this.core.stats.fastRetransmissions++;
        marked = true;
      }
    }
    return marked;
  }

  /** The Cumulative TSN Ack of a SHUTDOWN acknowledges like a SACK's (without the window and RTT). */
  ackFromShutdown(cum: number): void {
    while (this.outHead < this.nextSend && tsnLte(this.out[this.outHead].tsn, cum)) {
      const c = this.out[this.outHead];
      this.settle(c);
      this.amounts.released(c.msg.streamId, c.data.length, c.msg.counted);
      this.outHead++;
    }
    if (tsnLt(this.cumAckPoint, cum) && tsnLt(cum, this.nextTsn)) this.cumAckPoint = cum;
  }

  /** Takes a chunk out of flight and off the retransmission list. */
  private settle(c: OutChunk): void {
    if (c.inFlight) {
      this.flightSize -= c.data.length;
      c.inFlight = false;
    }
    if (c.retransmit) {
      c.retransmit = false;
      this.rtxPending--;
    }
  }

  private nextSendTsn(): number {
    return this.nextSend < this.out.length ? this.out[this.nextSend].tsn : this.nextTsn;
  }

  /** Emits `bufferedAmountLow` once the SACK is fully processed (listeners may send). */
  flushLowStreams(): void {
    for (const sid of this.amounts.takeLowStreams()) this.core.notify('bufferedAmountLow', sid);
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

  // ---- T3-rtx

  /** RFC 9260 §6.3.3: back off, collapse cwnd, retransmit every outstanding chunk. */
  onT3Expired(): void {
    const core = this.core;
    if (core.terminated || !this.outstanding()) return;
    core.stats.t3Expirations++;
    if (++core.errorCount > core.config.maxRetransmissions) {
      core.hooks.terminate('failure', 'too many retransmissions');
      return;
    }
    core.rto.backOff();
    this.cc.onT3Expired();
    // E3: every outstanding chunk is to be retransmitted.
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
    core.hooks.transmit();
    if (this.outstanding() && !core.timers.t3Running) core.timers.restartT3();
  }

  // ---- transmit

  /**
   * Adds to the bundle (which may already hold a SACK) and sends: a FORWARD
   * TSN, chunks marked for retransmission (at least one packet, then within
   * cwnd; RFC 9260 §6.1 C1), then new DATA within cwnd and the peer's window.
   */
  transmit(): void {
    const timers = this.core.timers;
    const now = performance.now();
    // Abandon expired or over-retransmitted messages before deciding what to resend.
    if (this.rtxPending > 0 && this.core.peerForwardTsn) this.abandonRetransmits(now);
    if (this.forwardTsnPending && tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) {
      this.appendForwardTsn();
      if (!timers.t3Running) timers.restartT3();
    }
    this.forwardTsnPending = false;
    let dataSent = this.rtxPending > 0 && this.sendRetransmissions(now);
    if (this.sendNewData(now)) dataSent = true;
    if (this.forwardTsnPending && tsnLt(this.cumAckPoint, this.advancedPeerAckPoint)) {
      // Abandonment while sending new data: announce it in the same flush.
      this.appendForwardTsn();
    }
    this.bundle.flush();
    if ((dataSent || this.outstanding()) && !timers.t3Running) timers.restartT3();
  }

  private sendRetransmissions(now: number): boolean {
    const b = this.bundle;
    let sentOne = false;
    let sent = false;
    for (let i = this.outHead; i < this.nextSend && this.rtxPending > 0; i++) {
      const c = this.out[i];
      if (!c.retransmit) continue;
      if (sentOne && this.flightSize + c.data.length > this.cc.cwnd) break;
      if (b.buf && !b.fits(pad4(DATA_HEADER_LENGTH + c.data.length))) {
        b.flush();
        sentOne = true;
        if (this.flightSize + c.data.length > this.cc.cwnd) break;
      }
      this.writeData(c);
      c.retransmit = false;
      this.rtxPending--;
      c.sendCount++;
      c.sentAt = now;
      c.inFlight = true;
      c.missCount = 0;
      this.flightSize += c.data.length;
      this.core.stats.retransmissions++;
      this.core.stats.dataChunksSent++;
      sent = true;
    }
    return sent;
  }

  private sendNewData(now: number): boolean {
    const b = this.bundle;
    let sent = false;
    while (this.nextSend < this.out.length) {
      const c = this.out[this.nextSend];
      const m = c.msg;
      if (m.abandoned || (m.expiresAt !== 0 && this.core.peerForwardTsn && now > m.expiresAt)) {
        if (!m.abandoned) this.abandon(m);
        this.amounts.leftUnsent(m.streamId, c.data.length, m.counted);
        this.nextSend++;
        this.advancePeerAckPoint();
        continue;
      }
      const dlen = c.data.length;
      if (this.flightSize > 0 && (this.flightSize + dlen > this.cc.cwnd || dlen > this.peerRwnd)) break;
      if (b.buf && !b.fits(pad4(DATA_HEADER_LENGTH + dlen))) b.flush();
      this.writeData(c);
      c.sendCount = 1;
      c.sentAt = now;
      c.inFlight = true;
      this.flightSize += dlen;
      this.peerRwnd = Math.max(0, this.peerRwnd - dlen);
      this.amounts.leftUnsent(m.streamId, dlen, m.counted);
      this.nextSend++;
      this.core.stats.dataChunksSent++;
      sent = true;
    }
    return sent;
  }

  private writeData(c: OutChunk): void {
    const b = this.bundle;
    const buf = b.open();
    const m = c.msg;
    b.end = marshalData(buf, b.end, c.flags, c.tsn, m.streamId, m.ssn, m.ppid, c.data);
  }

  // ---- partial reliability (RFC 3758)

  /** Whether a chunk's message should be given up (RFC 3758 §3.5 A1–A3). */
  private shouldAbandon(c: OutChunk, now: number): boolean {
    if (!this.core.peerForwardTsn) return false;
    const m = c.msg;
    if (m.expiresAt !== 0 && now > m.expiresAt) return true;
    return m.maxRetransmits >= 0 && c.sendCount > m.maxRetransmits;
  }

  private abandonRetransmits(now: number): void {
    for (let i = this.outHead; i < this.nextSend; i++) {
      const c = this.out[i];
      if (c.retransmit && (c.msg.abandoned || this.shouldAbandon(c, now))) this.abandon(c.msg);
    }
    this.advancePeerAckPoint();
  }

  /** Gives up a message: all its fragments leave flight and the retransmission list. */
  private abandon(msg: OutMessage): void {
    if (msg.abandoned) return;
    msg.abandoned = true;
    this.core.stats.abandonedMessages++;
    const headTsn = this.out[this.outHead].tsn;
    const first = this.outHead + ((msg.firstTsn - headTsn) | 0);
    for (let i = Math.max(first, this.outHead), k = 0; k < msg.chunkCount && i < this.out.length; i++, k++) {
      const c = this.out[i];
      if (c.msg === msg) this.settle(c);
    }
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
   * Appends a FORWARD TSN to the bundle, sending the packet first when the
   * chunk does not fit. Only runs when messages were abandoned, never per DATA.
   */
  private appendForwardTsn(): void {
    const fwd = this.buildForwardTsn();
    const flen = forwardTsnLength(fwd);
    const b = this.bundle;
    if (b.buf && !b.fits(flen)) b.flush();
    const buf = b.open(flen);
    b.end = marshalForwardTsn(fwd, buf, b.end);
    this.core.stats.forwardTsnSent++;
    this.forwardTsnPending = false;
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
}
