/**
 * The tuples a WebRtcTransport's ICE agent validated, and their bindings in
 * the I/O thread: a validated tuple is bound (from then on the I/O thread
 * routes its packets by id), one the agent dropped (over its tuple cap, or
 * consent lost) is unbound with the next bind, and a `tsfuConnectedUdp`
 * socket gets its own connected socket in this worker.
 */
import type { IceLiteAgent } from '@tsfu/ice-lite';
import type { IoSocketInfo } from '../../protocol/io-protocol.js';
import { ThreadLogger } from '../../protocol/thread-logger.js';
import type { IoLink, LinkTuple } from '../io-link.js';

const logger = new ThreadLogger('WebRtcTransport');

/** Names transports to the I/O thread, which caps tuples per transport (unique in this thread). */
let nextIoOwner = 1;

export interface IceTuplesOptions {
  agent: IceLiteAgent;
  link: IoLink;
  sockets: ReadonlyMap<number, IoSocketInfo>;
  maxTuples: number;
  /** The I/O thread bound a tuple to this transport. */
  onBound(tupleId: number): void;
  /** A bound tuple was dropped (or the transport closed). */
  onUnbound(tupleId: number): void;
}

const keyOf = (protocol: string, address: string, port: number): string => `${protocol}|${address}|${port}`;

export class IceTuples {
  private readonly o: IceTuplesOptions;
  private readonly owner = nextIoOwner++;
  /** Validated tuples by `protocol|address|port`. */
  private readonly map = new Map<string, LinkTuple>();
  /** Tuples whose bind request is in flight. */
  private readonly binding = new Set<LinkTuple>();
  /** Tuple ids bound in the I/O thread for this transport. */
  private readonly bound = new Set<number>();
  private closed = false;
  /** Validated tuples the agent dropped (`tsfuCounters.iceTuplesEvicted`). */
  evicted = 0;

  constructor(options: IceTuplesOptions) {
    this.o = options;
  }

  /** The validated tuple at `tuple`'s address, if any. */
  known(tuple: LinkTuple): LinkTuple | undefined {
    return this.map.get(keyOf(tuple.protocol, tuple.address, tuple.port));
  }

  byAddress(protocol: string, address: string, port: number): LinkTuple | undefined {
    return this.map.get(keyOf(protocol, address, port));
  }

  /** The validated tuple the I/O thread bound as `tupleId`. */
  withId(tupleId: number): LinkTuple | undefined {
    for (const t of this.map.values()) if (t.tupleId === tupleId) return t;
    return undefined;
  }

  /** The agent just checked a STUN request from `t`: a newly valid tuple is bound (again, if refused before). */
  checked(t: LinkTuple): void {
    if (this.closed || !this.o.agent.isValidTuple(t, t.protocol)) return;
    const key = keyOf(t.protocol, t.address, t.port);
    if (this.map.get(key) !== t) {
      // Validated: from now on the I/O thread routes this tuple here by id.
      this.map.set(key, t);
      this.bind(t, key, this.dropInvalid());
    } else if (t.tupleId === 0 && !this.binding.has(t)) {
      // Its earlier bind was refused or failed: ask again.
      this.bind(t, key, []);
    }
  }

  /** Unbinds, now, the tuples the agent no longer holds (consent lost). */
  releaseInvalid(): void {
    if (!this.closed) this.dropInvalid();
  }

  /** Forgets tuples the agent no longer holds (it keeps `maxTuples`); the I/O thread is told with the next bind. */
  private dropInvalid(): LinkTuple[] {
    const dropped: LinkTuple[] = [];
    for (const [key, t] of this.map) {
      if (this.o.agent.isValidTuple(t, t.protocol)) continue;
      this.map.delete(key);
      this.evicted++;
      dropped.push(t);
      if (t.tupleId !== 0) {
        this.bound.delete(t.tupleId);
        this.o.onUnbound(t.tupleId);
        // Closes its connected socket, if any (the I/O thread forgets it with the bind request first).
        this.o.link.unbindTuple(t.tupleId);
      }
    }
    return dropped;
  }

  private bind(t: LinkTuple, key: string, evict: LinkTuple[]): void {
    const { link } = this.o;
    this.binding.add(t);
    void link.bindTuple(t, this.owner, this.o.maxTuples, evict).then(
      (id) => {
        this.binding.delete(t);
        // 0: refused (tuple cap) or gone; the next valid check from it asks again.
        if (id === 0) return;
        if (this.closed) {
          link.unbindTuple(id);
          return;
        }
        // Dropped while the bind was in flight: the I/O thread forgot it with a later bind's evict list.
        if (this.map.get(key) !== t) return;
        t.tupleId = id;
        this.bound.add(id);
        this.o.onBound(id);
        const s = this.o.sockets.get(t.socketIndex);
        if (s?.connectedUdp && t.protocol === 'udp') link.connectTuple(t, s.ip, s.port, s);
      },
      // Unbound, the tuple keeps reaching this transport by its ufrag (slower, still correct).
      (error) => {
        this.binding.delete(t);
        logger.catcher('bind() | bindTuple')(error);
      },
    );
  }

  /**
   * Tuple `tupleId` is gone without an unbind from here (its TCP connection closed, or another
   * transport took the address over): returned for the agent.
   */
  forget(tupleId: number): LinkTuple[] {
    const removed: LinkTuple[] = [];
    for (const [key, t] of this.map) {
      if (t.tupleId !== tupleId) continue;
      this.map.delete(key);
      this.bound.delete(tupleId);
      removed.push(t);
    }
    return removed;
  }

  /** Unbinds every tuple (after what was queued for them, IoLink keeps the order). */
  close(): void {
    this.closed = true;
    for (const id of this.bound) {
      this.o.onUnbound(id);
      this.o.link.unbindTuple(id);
    }
    this.bound.clear();
  }

  /** Packets through this transport's connected sockets, and the worker's fallbacks and strays. */
  connectedUdpCounters(): {
    connectedUdpPacketsReceived: number;
    connectedUdpPacketsSent: number;
    connectedUdpFallbacks: number;
    connectedUdpStrays: number;
  } {
    let received = 0;
    let sent = 0;
    for (const t of this.map.values()) {
      received += t.direct?.packetsReceived ?? 0;
      sent += t.direct?.packetsSent ?? 0;
    }
    return {
      connectedUdpPacketsReceived: received,
      connectedUdpPacketsSent: sent,
      connectedUdpFallbacks: this.o.link.connectedUdpFallbacks,
      connectedUdpStrays: this.o.link.connectedUdpStrays,
    };
  }
}
