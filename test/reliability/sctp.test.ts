/**
 * SCTP packets into an association through @tsfu/sctp's public entry. The
 * package has no fuzz test of its own. Mutants get a fresh CRC32c
 * (`finishPacket`) so they reach chunk parsing instead of dying at the
 * checksum. A passive endpoint fed garbage, mutated INITs and forged COOKIE
 * ECHOs keeps no association state; an established one survives mutated
 * chunks with its own verification tag; nothing throws; packets are counted.
 */
import { finishPacket, SctpAssociation } from '@tsfu/sctp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutation } from './mutate.js';

const INIT_ACK = 2;
const ABORT = 6;

interface Exchange {
  client: SctpAssociation;
  server: SctpAssociation;
  init: Buffer;
  cookieEcho: Buffer;
}

/** A client's INIT and COOKIE ECHO for a fresh server, delivered synchronously but not the echo. */
function exchange(): Exchange {
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const client = new SctpAssociation({ heartbeatIntervalMs: 0, send: (p) => fromClient.push(p) });
  const server = new SctpAssociation({ heartbeatIntervalMs: 0, send: (p) => fromServer.push(p) });
  client.connect();
  server.handle(fromClient[0]);
  client.handle(fromServer[0]);
  return { client, server, init: fromClient[0], cookieEcho: fromClient[1] };
}

/** The mutant with a valid checksum (when it still has a common header). */
function withCrc(b: Buffer): Buffer {
  if (b.length >= 12) finishPacket(b, b.length);
  return b;
}

/** A packet of random chunks (type, flags, value) behind a given verification tag. */
function chunkPacket(vtag: number): fc.Arbitrary<Buffer> {
  const chunk = fc.record({ type: fc.nat(255), flags: fc.nat(255), value: fc.uint8Array({ maxLength: 40 }) });
  return fc.array(chunk, { minLength: 1, maxLength: 4 }).map((chunks) => {
    const parts = chunks.map((c) => {
      const len = 4 + c.value.length;
      const b = Buffer.alloc((len + 3) & ~3);
      b[0] = c.type;
      b[1] = c.flags;
      b.writeUInt16BE(len, 2);
      b.set(c.value, 4);
      return b;
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(5000, 0);
    header.writeUInt16BE(5000, 2);
    header.writeUInt32BE(vtag, 4);
    return withCrc(Buffer.concat([header, ...parts]));
  });
}

describe('SCTP association under hostile packets', () => {
  it('the recorded exchange establishes the server when delivered intact', () => {
    const x = exchange();
    expect(x.server.state).toBe('closed'); // INIT answered statelessly (RFC 9260 §5.1)
    x.server.handle(x.cookieEcho);
    expect(x.server.state).toBe('established');
    x.client.abort();
    x.server.abort();
  });

  it('a passive endpoint fed noise, random chunks and mutated INITs stays without association; all counted', () => {
    const recorded = exchange();
    const { init } = recorded;
    recorded.client.abort(); // its COOKIE ECHO timer is not needed
    const sent: Buffer[] = [];
    const server = new SctpAssociation({ heartbeatIntervalMs: 0, send: (p) => sent.push(p) });
    let fed = 0;
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ minLength: 12, maxLength: 200 }).map((b) => withCrc(Buffer.from(b))),
      chunkPacket(0),
      fc.nat().chain((tag) => chunkPacket(tag)),
      mutation(init).map((m) => withCrc(mutate(init, m))),
    );
    fc.assert(
      fc.property(input, (p) => {
        expect(() => server.handle(p)).not.toThrow();
        fed++;
        expect(server.state).toBe('closed');
        expect(server.sctpState).toBe('new');
      }),
      { seed: 0x5c7b, numRuns: 2000 },
    );
    expect(server.stats.packetsReceived).toBe(fed);
    expect(server.stats.listenerErrors).toBe(0);
    expect(server.stats.packetsDropped).toBeGreaterThan(0);
    // Answers are only INIT ACKs (stateless) and ABORTs, at most one per packet received.
    for (const p of sent) expect([INIT_ACK, ABORT]).toContain(p[12]);
    expect(sent.length).toBeLessThanOrEqual(fed);
  });

  it('a mutated COOKIE ECHO establishes only if its state cookie is intact', () => {
    const outcomes = { established: 0, refused: 0 };
    // Offsets are taken modulo the length, so one exchange's shape serves every fresh one.
    const shape = exchange();
    shape.client.abort();
    fc.assert(
      fc.property(mutation(shape.cookieEcho), (m) => {
        const x = exchange();
        const cookieStart = 12 + 4;
        const cookieEnd = 12 + x.cookieEcho.readUInt16BE(14);
        const original = Buffer.from(x.cookieEcho.subarray(cookieStart, cookieEnd));
        const p = withCrc(mutate(x.cookieEcho, m));
        expect(() => x.server.handle(p)).not.toThrow();
        if (x.server.state === 'established') {
          outcomes.established++;
          expect(p.indexOf(original)).toBeGreaterThanOrEqual(cookieStart);
        } else {
          outcomes.refused++;
          expect(x.server.state).toBe('closed');
        }
        x.client.abort();
        x.server.abort();
      }),
      { seed: 0xec40, numRuns: 300 },
    );
    expect(outcomes.established).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('an established association takes mutated chunks behind its own tag without throwing', () => {
    const x = exchange();
    x.server.handle(x.cookieEcho);
    expect(x.server.state).toBe('established');
    const tag = x.cookieEcho.readUInt32BE(4); // the server's own tag, as the client uses it
    let fed = 0;
    fc.assert(
      fc.property(chunkPacket(tag), (p) => {
        if (x.server.closed) return;
        expect(() => x.server.handle(p)).not.toThrow();
        fed++;
      }),
      { seed: 0xe57b, numRuns: 1500 },
    );
    expect(fed).toBeGreaterThan(0);
    expect(x.server.stats.listenerErrors).toBe(0);
    expect(x.server.stats.malformedChunks + x.server.stats.unknownChunks).toBeGreaterThan(0);
    x.client.abort();
    x.server.abort();
  });
});
