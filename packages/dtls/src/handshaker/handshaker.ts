import { AlertDescription, AlertLevel } from '../alert.js';
import type { DtlsState, DtlsTransportStats } from '../dtls-state.js';
import type { DtlsFingerprint } from '../fingerprint.js';
import type { FlightItem } from '../flight/flight.js';
import { HandshakeReassembler } from '../flight/handshake-reassembler.js';
import { HANDSHAKE_HEADER_LENGTH, unmarshalHandshakeHeader } from '../handshake/handshake-header.js';
import { HandshakeType } from '../handshake/handshake-type.js';
import type { RecordLayer } from '../record/record-layer.js';
import {
  canFollow,
  FLIGHTS,
  type FlightOutcome,
  type FlightVal,
  firstFlight,
  isLastSendFlight,
} from './flight-table.js';
import { FlightTimer } from './flight-timer.js';
import type { FlightHandler } from './flights/flight-handler.js';
import { flight0 } from './flights/flight0-handler.js';
import { flight1 } from './flights/flight1-handler.js';
import { type CookieExchange, verifyCookieOrAnswer } from './flights/flight2-handler.js';
import { flight3 } from './flights/flight3-handler.js';
import { flight4 } from './flights/flight4-handler.js';
import { flight5 } from './flights/flight5-handler.js';
import { flight6 } from './flights/flight6-handler.js';
import type { HandshakeConfig } from './handshake-config.js';
import { HandshakeContext } from './handshake-context.js';
import { HandshakeFailure } from './handshake-failure.js';

/** pion's handshake states; preparing and sending pass within one call here. */
export type HandshakeState = 'preparing' | 'sending' | 'waiting' | 'finished';

const HANDLERS: Readonly<Record<FlightVal, FlightHandler>> = {
  0: flight0,
  1: flight1,
  3: flight3,
  4: flight4,
  5: flight5,
  6: flight6,
};

/** What the handshaker needs from the transport it runs in. */
export interface HandshakeHost {
  connectionState(): DtlsState;
  fail(reason: string, alert?: number): void;
  /** The handshake completed: the transport is connected. */
  onHandshakeComplete(): void;
}

/**
 * The handshake as a state machine over flights (pion's handshaker.go): in
 * each flight we prepare and send our messages, then wait for the peer's
 * answer, which the flight's handler reads and which decides the next flight
 * (per `FLIGHTS`); the timer resends the flight we wait on.
 */
export class Handshaker {
  readonly ctx: HandshakeContext;
  private flight: FlightVal | undefined;
  private handshakeState: HandshakeState = 'preparing';
  /** Our current flight, kept for resending. */
  private items: FlightItem[] = [];
  private readonly timer: FlightTimer;
  private deadline: NodeJS.Timeout | undefined;
  private readonly cookieExchange: CookieExchange;

  constructor(
    private readonly config: HandshakeConfig,
    private readonly records: RecordLayer,
    private readonly stats: DtlsTransportStats,
    private readonly host: HandshakeHost,
    remoteFingerprints: DtlsFingerprint[] | undefined,
  ) {
    this.ctx = new HandshakeContext(config, records, remoteFingerprints);
    const { cookies, cookieContext } = config;
    this.cookieExchange = { cookies, cookieContext, records, stats };
    this.timer = new FlightTimer(config.initialRetransmitMs, config.maxRetransmitMs, () => this.onTimeout());
  }

  get state(): HandshakeState {
    return this.handshakeState;
  }

  /** The flight we are in (undefined before `start()`). */
  get currentFlight(): FlightVal | undefined {
    return this.flight;
  }

  /** Whether handshake state exists (a client that started, a server past the cookie). */
  get hasState(): boolean {
    return this.ctx.reassembler !== undefined;
  }

  get bufferedBytes(): number {
    return this.ctx.reassembler?.bufferedBytes ?? 0;
  }

  /** A client sends flight 1; a server waits in flight 0, keeping nothing until a cookie returns. */
  start(): void {
    const flight = firstFlight(this.config.role);
    if (this.config.role === 'server') {
      this.flight = flight;
      this.handshakeState = 'waiting';
      return;
    }
    this.armDeadline();
    this.ctx.reassembler = new HandshakeReassembler();
    this.enterFlight(flight);
  }

  /** Stops both timers (failure or close). */
  stop(): void {
    this.timer.stop();
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /** A handshake record's body: its fragments go to the reassembler, then the state machine runs. */
  onHandshakeRecord(data: Uint8Array, epoch: number, recordSeq: number): void {
    let off = 0;
    let sawOld = false;
    while (off < data.length) {
      const h = unmarshalHandshakeHeader(data, off);
      if (!h) {
        this.stats.droppedRecords++;
        return;
      }
      const start = off + HANDSHAKE_HEADER_LENGTH;
      const fragment = data.subarray(start, start + h.fragmentLength);
      off = start + h.fragmentLength;
      if (this.flight === 0 && !this.ctx.reassembler) {
        // Stateless until a ClientHello brings back our cookie.
        if (!verifyCookieOrAnswer(this.cookieExchange, h, fragment, recordSeq)) continue;
        this.createServerState(h.messageSeq, recordSeq);
      }
      if (!this.ctx.reassembler) {
        this.stats.droppedRecords++;
        continue;
      }
      const r = this.ctx.reassembler.accept(h, fragment, epoch);
      if (r === 'old') sawOld = true;
      else if (r === 'dropped') this.stats.droppedRecords++;
    }
    if (sawOld) this.onPeerRetransmission();
    this.advance();
  }

  private createServerState(messageSeq: number, recordSeq: number): void {
    this.ctx.reassembler = new HandshakeReassembler();
    this.ctx.reassembler.minSeq = messageSeq;
    // A server's handshake clock starts with the first verified ClientHello.
    this.armDeadline();
    // Continue the record numbering the client has seen (the HVR reused its seq).
    this.records.continueSequenceFrom(recordSeq);
    this.ctx.nextSendMessageSeq = messageSeq;
  }

  /** Runs the state machine as far as the buffered messages allow. */
  private advance(): void {
    if (!this.ctx.reassembler) return;
    try {
      while (this.step()) {
        const s = this.host.connectionState();
        if (s === 'failed' || s === 'closed') return;
      }
    } catch (err) {
      if (err instanceof HandshakeFailure) this.host.fail(err.message, err.alert);
      else throw err;
    }
  }

  /** One transition; false when nothing can happen until more arrives. */
  private step(): boolean {
    if (this.handshakeState === 'finished') return this.refuseRenegotiation();
    // An answer is read while waiting, and while sending too: it can arrive during the send.
    if (this.flight === undefined || this.handshakeState === 'preparing') return false;
    const hadKeys = this.records.cipher !== undefined;
    const outcome = HANDLERS[this.flight].parse(this.ctx);
    if (outcome === undefined) return false;
    if (outcome !== 'stay') this.follow(this.flight, outcome);
    // Records that outran their keys are read again once the keys exist (and our flight is out).
    if (!hadKeys && this.records.cipher !== undefined) this.records.replayPending();
    return true;
  }

  private follow(from: FlightVal, outcome: FlightOutcome): void {
    if (!canFollow(from, outcome)) throw new Error(`flight ${from} cannot lead to ${outcome}`);
    if (outcome === 'finished') this.complete();
    else this.enterFlight(outcome);
  }

  /** preparing → sending → waiting, or finished after the last flight. */
  private enterFlight(flight: FlightVal): void {
    this.flight = flight;
    this.handshakeState = 'preparing';
    const items = HANDLERS[flight].generate(this.ctx);
    if (items) {
      this.items = items;
      this.handshakeState = 'sending';
      this.timer.restart(FLIGHTS[flight].retransmits);
      this.transmit();
      // Over a synchronous carrier the answer arrives during the send and may have moved us on.
      if (this.flight !== flight || this.handshakeState !== 'sending') return;
    }
    if (isLastSendFlight(flight)) this.complete();
    else this.handshakeState = 'waiting';
  }

  private transmit(): void {
    this.timer.markSent();
    this.records.sendFlight(this.items, this.config.mtu);
  }

  private complete(): void {
    this.handshakeState = 'finished';
    this.stop();
    this.ctx.keyShare = undefined;
    // Only the side that sent the last flight resends it (when the peer resends its own).
    if (this.flight !== undefined && !isLastSendFlight(this.flight)) this.items = [];
    this.host.onHandshakeComplete();
    this.records.replayPending();
  }

  private onTimeout(): void {
    if (this.host.connectionState() !== 'connecting' || this.items.length === 0) return;
    this.timer.backOff();
    this.stats.retransmissions++;
    try {
      this.transmit();
    } catch (err) {
      // A throwing `send` must not become an uncaught exception in a timer.
      this.host.fail(`send failed: ${(err as Error).message}`);
      return;
    }
    this.timer.arm();
  }

  /** The peer resent its previous flight, so ours was lost: resend it (rate-limited). */
  private onPeerRetransmission(): void {
    if (this.items.length === 0 || !this.timer.allowsPeerTriggeredResend()) return;
    this.stats.retransmissions++;
    this.transmit();
  }

  private armDeadline(): void {
    if (this.deadline) return;
    this.deadline = setTimeout(() => this.host.fail('handshake timeout'), this.config.handshakeTimeoutMs);
    this.deadline.unref?.();
  }

  /** After the handshake, a new ClientHello / HelloRequest gets no_renegotiation (RFC 5746 §4.2). */
  private refuseRenegotiation(): boolean {
    if (this.host.connectionState() !== 'connected') return false;
    const r = this.ctx.messages;
    const m = r.get(r.minSeq);
    if (!m) return false;
    r.consumeThrough(m.messageSeq);
    if (m.epoch === 1 && (m.type === HandshakeType.clientHello || m.type === HandshakeType.helloRequest)) {
      this.records.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
    } else {
      this.stats.droppedRecords++;
    }
    return true;
  }
}
