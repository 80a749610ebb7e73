import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DtlsCertificate } from '../dtls-certificate.js';
import { createStats, type DtlsState } from '../dtls-state.js';
import { resolveHandshakeConfig } from '../dtls-transport-options.js';
import { RecordLayer } from '../record/record-layer.js';
import { canFollow, FLIGHTS, type FlightOutcome, type FlightVal, firstFlight } from './flight-table.js';
import { Handshaker } from './handshaker.js';

let certificate: DtlsCertificate;
beforeAll(async () => {
  certificate = await DtlsCertificate.generate();
});
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('flight table', () => {
  /** Every path through the table from a role's first flight to 'finished'. */
  function paths(flight: FlightVal, seen: FlightVal[] = []): FlightOutcome[][] {
    const here = [...seen, flight];
    const rule = FLIGHTS[flight];
    if (rule.next.length === 0) return [[...here, 'finished']];
    return rule.next.flatMap((n) =>
      n === 'finished' ? [[...here, n]] : seen.includes(n) || n === flight ? [] : paths(n, here),
    );
  }

  it('leads each role from its first flight to the end, through its own flights only', () => {
    expect(paths(firstFlight('client'))).toEqual([
      [1, 3, 5, 'finished'],
      [1, 5, 'finished'],
    ]);
    expect(paths(firstFlight('server'))).toEqual([[0, 4, 6, 'finished']]);
    for (const [flight, rule] of Object.entries(FLIGHTS)) {
      for (const n of rule.next)
        if (n !== 'finished') expect([flight, FLIGHTS[n].role]).toEqual([flight, rule.role]);
    }
  });

  it('resends every flight we wait on by timer, and the last flight only on the peer’s retransmission', () => {
    expect(Object.entries(FLIGHTS).map(([f, r]) => [Number(f), r.retransmits])).toEqual([
      [0, false], // sends nothing
      [1, true],
      [3, true],
      [4, true],
      [5, true],
      [6, false],
    ]);
    expect(canFollow(3, 3)).toBe(true); // a new cookie
    expect(canFollow(4, 'finished')).toBe(false);
  });
});

/** A Handshaker on a RecordLayer, with the transport's part reduced to a state variable. */
function endpoint(role: 'client' | 'server', carry: (d: Buffer) => void) {
  let state: DtlsState = 'connecting';
  const sends: string[] = [];
  const stats = createStats();
  const config = resolveHandshakeConfig({ role, certificate, send: carry });
  const records: RecordLayer = new RecordLayer(
    stats,
    (d) => {
      // Which flight, in which state, each datagram leaves in.
      sends.push(`${hs.currentFlight}:${hs.state}`);
      carry(d);
    },
    {
      connectionState: () => state,
      holdsEarlyRecords: () => state === 'connecting' && hs.hasState,
      onHandshake: (body, epoch, seq) => hs.onHandshakeRecord(body, epoch, seq),
      onAlert: () => {},
      onApplicationData: () => {},
    },
  );
  const host = {
    connectionState: () => state,
    fail: (reason: string) => {
      state = 'failed';
      throw new Error(reason);
    },
    onHandshakeComplete: () => {
      state = 'connected';
    },
  };
  const hs: Handshaker = new Handshaker(config, records, stats, host, undefined);
  return { hs, records, sends, stats, state: () => state };
}

describe('Handshaker state machine', () => {
  for (const carrier of ['queued', 'synchronous'] as const) {
    it(`walks client 1 → 3 → 5 and server 0 → (2) → 4 → 6 over a ${carrier} carrier, without timers`, () => {
      const queue: [ReturnType<typeof endpoint>, Buffer][] = [];
      const deliver = (to: () => ReturnType<typeof endpoint>) => (d: Buffer) =>
        carrier === 'synchronous' ? to().records.receive(d) : queue.push([to(), d]);
      const client = endpoint(
        'client',
        deliver(() => server),
      );
      const server = endpoint(
        'server',
        deliver(() => client),
      );
      server.hs.start();
      expect([server.hs.currentFlight, server.hs.state, server.hs.hasState]).toEqual([0, 'waiting', false]);
      client.hs.start();
      for (let i = 0; i < 100 && queue.length > 0; i++) {
        const [to, d] = queue.shift() ?? [];
        to?.records.receive(d ?? Buffer.alloc(0));
      }
      expect(client.sends).toEqual(['1:sending', '3:sending', '5:sending']);
      // The HelloVerifyRequest (flight 2) goes out while the server stays, stateless, in flight 0.
      expect(server.sends).toEqual(['0:waiting', '4:sending', '6:sending']);
      expect([client.hs.currentFlight, client.hs.state, client.state()]).toEqual([
        5,
        'finished',
        'connected',
      ]);
      expect([server.hs.currentFlight, server.hs.state, server.state()]).toEqual([
        6,
        'finished',
        'connected',
      ]);
      expect(client.stats.retransmissions + server.stats.retransmissions).toBe(0);
      // Both timers are stopped once finished.
      expect(vi.getTimerCount()).toBe(0);
    });
  }

  it('a server ignores handshake records before start()', () => {
    const server = endpoint('server', () => {});
    const client = endpoint('client', (d) => server.records.receive(d));
    client.hs.start();
    expect(server.sends).toEqual([]);
    expect(server.stats.droppedRecords).toBe(1);
    expect(server.hs.currentFlight).toBeUndefined();
    client.hs.stop();
  });
});
