/**
 * `TcpConnections` admission (README "Limits") on fake sockets and fake
 * timers: the first-frame and auth deadlines, eviction of the oldest
 * unclaimed connection when the listener is full (unchecked before
 * checked), refusal only when every slot is claimed, and slots given back
 * before the socket's 'close' arrives.
 */
import { EventEmitter } from 'node:events';
import type { Socket as TcpSocket } from 'node:net';
import { frameRfc4571 } from '@tsfu/ice-lite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIMIT_DEFAULTS } from '../limits.js';
import { type IoCounters, zeroIoCounters } from '../protocol/io-protocol.js';
import type { IoSocket } from './sockets.js';
import { type TcpConnection, TcpConnections } from './tcp-connections.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A frame the fake routing takes for a Binding Request for a known ufrag. */
const CHECK = frameRfc4571(Buffer.from('check'));
const GARBAGE = frameRfc4571(Buffer.from('garbage'));

/** Enough of a net.Socket: 'close' comes only when the test delivers it, as it comes later in Node. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  writableEnded = false;
  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly closing: FakeSocket[],
  ) {
    super();
  }
  setNoDelay(): void {}
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closing.push(this);
  }
  send(bytes: Buffer): void {
    this.emit('data', bytes);
  }
}

function rig(
  limits: Partial<Pick<IoSocket, 'maxTcpConnections' | 'tcpFirstFrameTimeoutMs' | 'tcpAuthTimeoutMs'>> = {},
) {
  const counters: IoCounters = zeroIoCounters();
  const listener = {
    index: 1,
    loopbackOnly: false,
    maxTcpConnections: limits.maxTcpConnections ?? 8,
    maxPendingTcpConnectionsPerIp: 4,
    tcpAuthTimeoutMs: limits.tcpAuthTimeoutMs ?? LIMIT_DEFAULTS.tcpAuthTimeoutMs,
    tcpFirstFrameTimeoutMs: limits.tcpFirstFrameTimeoutMs ?? LIMIT_DEFAULTS.tcpFirstFrameTimeoutMs,
    tcpOpen: 0,
    pendingByIp: new Map<string, number>(),
    tcpUnchecked: new Set<TcpConnection>(),
    tcpChecked: new Set<TcpConnection>(),
  } as IoSocket;
  const closing: FakeSocket[] = [];
  const closed: number[] = [];
  let nextId = 1;
  const tcp = new TcpConnections(
    {
      allocateId: () => nextId++,
      onFrame: (conn, frame) => conn.worker < 0 && Buffer.from(frame).toString() === 'check',
      onClose: (conn) => closed.push(conn.id),
    },
    counters,
  );
  let nextSource = 2;
  /** A new connection from its own source address; returns its socket and (if admitted) connection. */
  const connect = (address = `127.0.0.${nextSource++}`) => {
    const socket = new FakeSocket(address, 40000 + nextId, closing);
    const id = nextId;
    tcp.accept(listener, socket as unknown as TcpSocket);
    return { socket, conn: tcp.get(id) };
  };
  /** Delivers the 'close' of every socket destroyed so far. */
  const flushCloses = () => {
    for (const s of closing.splice(0)) s.emit('close');
  };
  return { counters, listener, tcp, connect, flushCloses, closed };
}

describe('TcpConnections deadlines', () => {
  it('a silent, a garbage and a slowly trickling connection close at the first-frame deadline', () => {
    const { counters, listener, connect, flushCloses } = rig();
    const silent = connect();
    const garbage = connect();
    const slow = connect();
    garbage.socket.send(GARBAGE);
    vi.advanceTimersByTime(LIMIT_DEFAULTS.tcpFirstFrameTimeoutMs - 500);
    // Slowloris: part of a valid-looking frame, a byte at a time.
    for (const b of CHECK.subarray(0, 5)) slow.socket.send(Buffer.of(b));
    vi.advanceTimersByTime(499);
    expect([silent, garbage, slow].map((c) => c.socket.destroyed)).toEqual([false, false, false]);
    vi.advanceTimersByTime(1);
    expect([silent, garbage, slow].map((c) => c.socket.destroyed)).toEqual([true, true, true]);
    expect(counters.tcpFirstFrameTimeouts).toBe(3);
    expect(counters.tcpAuthTimeouts).toBe(0);
    expect(counters.tcpConnectionsRejected).toBe(3);
    // Their slots and per-source counts are free before 'close' comes.
    expect(listener.tcpOpen).toBe(0);
    expect(listener.pendingByIp.size).toBe(0);
    flushCloses();
    expect(listener.tcpOpen).toBe(0);
    expect(counters.tcpConnectionsRejected).toBe(3);
  });

  it('a checked connection no worker claims keeps the auth deadline; a claimed one has none', () => {
    const { counters, listener, tcp, connect } = rig();
    const checked = connect();
    const claimed = connect();
    checked.socket.send(CHECK);
    claimed.socket.send(CHECK);
    expect(claimed.conn).toBeDefined();
    tcp.claim(claimed.conn as TcpConnection, 0);
    vi.advanceTimersByTime(LIMIT_DEFAULTS.tcpAuthTimeoutMs - 1);
    expect(checked.socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(checked.socket.destroyed).toBe(true);
    expect(counters.tcpAuthTimeouts).toBe(1);
    expect(counters.tcpFirstFrameTimeouts).toBe(0);
    vi.advanceTimersByTime(3_600_000);
    expect(claimed.socket.destroyed).toBe(false);
    expect(listener.tcpOpen).toBe(1);
    expect(listener.pendingByIp.size).toBe(0);
  });

  it('a first-frame deadline at or beyond the auth deadline leaves only the auth deadline', () => {
    const { counters, connect } = rig({ tcpFirstFrameTimeoutMs: 5_000, tcpAuthTimeoutMs: 3_000 });
    const silent = connect();
    vi.advanceTimersByTime(2_999);
    expect(silent.socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(silent.socket.destroyed).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(counters.tcpAuthTimeouts).toBe(1);
    expect(counters.tcpFirstFrameTimeouts).toBe(0);
  });
});

describe('TcpConnections on a full listener', () => {
  it('a new connection closes the oldest unchecked one; checked ones go only when no unchecked is left', () => {
    const { counters, listener, tcp, connect } = rig({ maxTcpConnections: 4 });
    const a = connect();
    const b = connect();
    const c = connect();
    const d = connect();
    a.socket.send(CHECK); // the oldest, but checked
    const e = connect();
    expect(b.socket.destroyed).toBe(true);
    expect(e.conn).toBeDefined();
    expect(tcp.get(b.conn?.id ?? 0)).toBeUndefined(); // a bind for it now finds nothing
    const f = connect();
    const g = connect();
    const h = connect();
    expect([c, d, e].map((x) => x.socket.destroyed)).toEqual([true, true, true]);
    expect(a.socket.destroyed).toBe(false);
    // Only checked connections remain unclaimed: the oldest of them goes.
    for (const x of [f, g, h]) x.socket.send(CHECK);
    const i = connect();
    expect(a.socket.destroyed).toBe(true);
    expect(counters.tcpEvicted).toBe(5);
    expect(counters.tcpRejectedOverCap).toBe(0);
    expect(listener.tcpOpen).toBe(4);
    // Every slot claimed: a new connection is refused and nothing is closed.
    for (const x of [f, g, h, i]) {
      x.socket.send(CHECK);
      tcp.claim(x.conn as TcpConnection, 0);
    }
    const j = connect();
    expect(j.socket.destroyed).toBe(true);
    expect(j.conn).toBeUndefined();
    expect(counters.tcpRejectedOverCap).toBe(1);
    expect([f, g, h, i].every((x) => !x.socket.destroyed)).toBe(true);
    expect(counters.tcpEvicted).toBe(5);
  });

  it('a connection is closed only after every unclaimed one accepted before it; once checked, never by unchecked ones', () => {
    const max = 16;
    const { counters, listener, connect, flushCloses } = rig({ maxTcpConnections: max });
    for (let n = 0; n < max; n++) connect();
    const client = connect();
    // max - 1 more arrivals close the older ones (and then each other), never the client.
    for (let n = 0; n < max - 1; n++) connect();
    expect(client.socket.destroyed).toBe(false);
    // Its check arrives: after that, a flood of unchecked arrivals only churns among themselves.
    client.socket.send(CHECK);
    for (let n = 0; n < 10_000; n++) {
      connect(`127.0.${n % 200}.${(n >> 8) % 250}`);
      if (n % 100 === 0) flushCloses();
    }
    flushCloses();
    expect(client.socket.destroyed).toBe(false);
    expect(listener.tcpOpen).toBe(max);
    expect(listener.tcpChecked.size + listener.tcpUnchecked.size).toBe(max);
    expect(counters.tcpEvicted).toBe(max + 10_000);
    // The bounded state: one entry per open slot, per-source counts only for open connections.
    let pending = 0;
    for (const n of listener.pendingByIp.values()) pending += n;
    expect(pending).toBe(max);
    // Unchecked, the client would have been the next to go.
    const fresh = rig({ maxTcpConnections: 2 });
    const x = fresh.connect();
    fresh.connect();
    fresh.connect();
    expect(x.socket.destroyed).toBe(true);
  });

  it('the per-source cap refuses before anything is evicted', () => {
    const { counters, connect } = rig({ maxTcpConnections: 4 });
    const first = connect('127.0.0.9');
    for (let n = 0; n < 3; n++) connect('127.0.0.9');
    const refused = connect('127.0.0.9');
    expect(refused.socket.destroyed).toBe(true);
    expect(first.socket.destroyed).toBe(false);
    expect(counters.tcpRejectedPerIpCap).toBe(1);
    expect(counters.tcpEvicted).toBe(0);
    connect('127.0.0.10');
    expect(first.socket.destroyed).toBe(true);
    expect(counters.tcpEvicted).toBe(1);
  });

  it("the peer's own close gives the slot back once, and onClose is told for every connection", () => {
    const { listener, connect, flushCloses, closed } = rig({ maxTcpConnections: 2 });
    const a = connect();
    const b = connect();
    a.socket.emit('close');
    expect(listener.tcpOpen).toBe(1);
    connect(); // a free slot: nothing evicted
    expect(b.socket.destroyed).toBe(false);
    connect(); // evicts b
    expect(b.socket.destroyed).toBe(true);
    expect(listener.tcpOpen).toBe(2);
    flushCloses();
    expect(listener.tcpOpen).toBe(2);
    expect(closed).toEqual([a.conn?.id, b.conn?.id]);
  });
});
