/**
 * What every part of an association shares (the TCB of RFC 9260 §14 minus
 * the send and receive queues): state, tags, negotiated capabilities, the
 * error counter, RTO, timers, the packet writer and the counters. The parts
 * (handshake, send path, receive path, stream reset, heartbeat, shutdown)
 * each hold this object; the façade wires them and supplies the hooks.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { AssociationConfig } from './association-config.js';
import { AssociationTimers, type TimerHandlers } from './association-timers.js';
import {
  type CloseReason,
  newSctpStats,
  type SctpAssociationEvents,
  type SctpAssociationState,
} from './association-types.js';
import { PacketWriter } from './packet-writer.js';
import { RtoEstimator } from './rto-estimator.js';

export function randomU32NonZero(): number {
  for (;;) {
    const v = randomBytes(4).readUInt32BE(0);
    if (v !== 0) return v;
  }
}

/** An event's arguments, in the form `EventEmitter<SctpAssociationEvents>.emit` takes them. */
type EventArgs<K> = K extends keyof SctpAssociationEvents ? SctpAssociationEvents[K] : never;

/** Association-wide actions the façade performs for the parts. */
export interface AssociationHooks {
  /** Sends what may be sent now (SACK, FORWARD TSN, retransmissions, new DATA). */
  transmit(): void;
  /** Ends the association: stops the timers and emits `close` once. */
  terminate(reason: CloseReason, detail?: string): void;
}

export class AssociationCore {
  state: SctpAssociationState = 'closed';
  /** True once the association ended (shutdown, abort, or failure). */
  terminated = false;
  /**
   * Consecutive unanswered retransmissions, heartbeats and reset requests
   * (the Association.Max.Retrans counter, RFC 9260 §8.1).
   */
  errorCount = 0;
  readonly localTag = randomU32NonZero();
  readonly initialTsn = randomU32NonZero();
  /** Negotiated stream counts (valid once established). */
  outboundStreamCount = 0;
  inboundStreamCount = 0;
  /** Peer supports FORWARD TSN (RFC 3758) / RE-CONFIG (RFC 6525). */
  peerForwardTsn = false;
  peerReconfig = false;
  readonly stats = newSctpStats();
  readonly rto: RtoEstimator;
  readonly timers: AssociationTimers;
  readonly writer: PacketWriter;

  constructor(
    readonly config: AssociationConfig,
    send: (packet: Buffer) => void,
    /** The façade: where events are emitted. */
    readonly events: EventEmitter<SctpAssociationEvents>,
    readonly hooks: AssociationHooks,
    timerHandlers: TimerHandlers,
  ) {
    this.rto = new RtoEstimator(config.rtoInitialMs, config.rtoMinMs, config.rtoMaxMs);
    this.timers = new AssociationTimers(this.rto, timerHandlers);
    this.writer = new PacketWriter(config.localPort, config.remotePort, send, this.stats);
  }

  /** Established or in one of the shutdown states. */
  get carriesData(): boolean {
    return this.state === 'established' || this.state.startsWith('shutdown');
  }

  /** Emits an event; a listener that throws is counted, not propagated into the protocol. */
  notify<K extends keyof SctpAssociationEvents>(event: K, ...args: EventArgs<K>): void {
    try {
      this.events.emit(event, ...args);
    } catch {
      this.stats.listenerErrors++;
    }
  }

  /** Sends ABORT with a cause and ends the association (a protocol violation by the peer). */
  abortWithCause(cause: number, value: number): void {
    this.writer.sendAbort(cause, value);
    this.hooks.terminate('abort', `protocol error cause ${cause}`);
  }
}
