/**
 * Hostile input: random datagrams, random records with plausible headers,
 * and mutations of a real handshake's datagrams, fed to servers and clients
 * in every phase. Nothing may throw out of `handle`, buffered memory must stay
 * within its caps, and an established session must survive.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DtlsCertificate } from './dtls-certificate.js';
import { DtlsTransport } from './dtls-transport.js';
import { writeRecordHeader } from './record/record-header.js';
import { makePair, type Pair, prng } from './testing/link.test-util.js';

// Reassembly cap (128 KiB) + at most 16 early records of ≤ 2^14 + 2048 + 13 bytes.
const MEMORY_CAP = 128 * 1024 + 16 * (16384 + 2048 + 13);

let a: DtlsCertificate;
let b: DtlsCertificate;
beforeAll(async () => {
  [a, b] = await Promise.all([DtlsCertificate.generate(), DtlsCertificate.generate()]);
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function connectedPair(): Pair {
  const p = makePair({ certificate: a }, { certificate: b });
  p.server.start();
  p.client.start();
  vi.advanceTimersByTime(50);
  expect(p.client.state).toBe('connected');
  return p;
}

function randomDatagram(rand: () => number): Buffer {
  const kind = rand();
  const len = Math.floor(rand() * 200);
  const body = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
  if (kind < 0.3) return body; // pure noise
  // A plausible record header: known content type, DTLS version, epoch 0 or 1, a length that may lie.
  const rec = Buffer.alloc(13 + len);
  const type = 20 + Math.floor(rand() * 4);
  const epoch = rand() < 0.5 ? 0 : 1;
  const claimed = rand() < 0.8 ? len : Math.floor(rand() * 65536);
  writeRecordHeader(
    rec,
    0,
    type,
    rand() < 0.5 ? 0xfefd : 0xfeff,
    epoch,
    Math.floor(rand() * 1000),
    claimed & 0xffff,
  );
  body.copy(rec, 13);
  if (type === 22 && len >= 12 && rand() < 0.7) {
    // plausible handshake header too: small lengths, offsets and sequence numbers
    rec[13] = [1, 2, 3, 11, 12, 13, 14, 15, 16, 20][Math.floor(rand() * 10)];
    rec.writeUIntBE(Math.floor(rand() * 3000), 14, 3);
    rec.writeUInt16BE(Math.floor(rand() * 8), 17);
    rec.writeUIntBE(Math.floor(rand() * 3000), 19, 3);
    rec.writeUIntBE(Math.min(len - 12, Math.floor(rand() * 300)), 22, 3);
  }
  return rec;
}

function feed(t: DtlsTransport, d: Buffer): void {
  // handle() must never throw, whatever it gets.
  expect(() => t.handle(d)).not.toThrow();
  expect(t.bufferedBytes).toBeLessThanOrEqual(MEMORY_CAP);
}

describe('fuzz', () => {
  it('random datagrams into a fresh server, a connecting client and a connected pair', () => {
    const rand = prng(42);
    const server = new DtlsTransport({ role: 'server', certificate: b, send: () => {} });
    server.start();
    const client = new DtlsTransport({ role: 'client', certificate: a, send: () => {} });
    client.start();
    const p = connectedPair();
    const got: Buffer[] = [];
    p.server.on('data', (d) => got.push(d));
    for (let i = 0; i < 3000; i++) {
      const d = randomDatagram(rand);
      feed(server, d);
      feed(client, d);
      feed(p.server, d);
      feed(p.client, d);
    }
    // A stateless server stays stateless under noise.
    expect(server.bufferedBytes).toBe(0);
    // Forged records never authenticate: the session is intact and still carries data.
    expect(p.server.state).toBe('connected');
    expect(p.client.state).toBe('connected');
    expect(p.server.stats.badRecords + p.server.stats.droppedRecords).toBeGreaterThan(0);
    expect(got.length).toBe(0);
    p.client.send(Buffer.from('still alive'));
    vi.advanceTimersByTime(5);
    expect(got.map((d) => d.toString())).toEqual(['still alive']);
    vi.advanceTimersByTime(60_000); // timers of the half-open ones run out without throwing
    expect(client.state).toBe('failed');
  });

  it('mutated copies of a real handshake (bit flips, truncation, splicing) never throw', () => {
    const rand = prng(9);
    const recorded = connectedPair();
    const corpus = [...recorded.sentByClient, ...recorded.sentByServer];
    for (let i = 0; i < 300; i++) {
      // a fresh pair per round; feed mutations to both sides mid-handshake
      const p = makePair({ certificate: a }, { certificate: b });
      p.server.start();
      p.client.start();
      for (let j = 0; j < 5; j++) {
        const src = corpus[Math.floor(rand() * corpus.length)];
        const m = Buffer.from(src);
        const op = rand();
        if (op < 0.5) {
          for (let k = 0; k < 1 + Math.floor(rand() * 4); k++)
            m[Math.floor(rand() * m.length)] ^= 1 << Math.floor(rand() * 8);
          feed(rand() < 0.5 ? p.server : p.client, m);
        } else if (op < 0.75) {
          feed(rand() < 0.5 ? p.server : p.client, m.subarray(0, Math.floor(rand() * m.length)));
        } else {
          const other = corpus[Math.floor(rand() * corpus.length)];
          feed(
            rand() < 0.5 ? p.server : p.client,
            Buffer.concat([m.subarray(0, Math.floor(rand() * m.length)), other]),
          );
        }
      }
      vi.advanceTimersByTime(200);
      for (const t of [p.client, p.server]) expect(['connecting', 'connected', 'failed']).toContain(t.state);
      p.client.close();
      p.server.close();
    }
  });
});
