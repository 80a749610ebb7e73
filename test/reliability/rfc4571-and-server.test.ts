/**
 * RFC 4571 framing and the ICE-Lite server's sockets. The package's fuzz test
 * checks that random bytes in random chunks never throw; here valid frames cut
 * at random points must come out exactly (with `frames` counting them), an
 * over-cap length must stop the stream for good, and an IceLiteServer on
 * loopback fed hostile UDP datagrams and TCP streams must count every one,
 * validate no tuple and deliver no data.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { frameRfc4571, type IceCheckCounters, IceLiteServer, Rfc4571Deframer } from '@tsfu/ice-lite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Splits `b` at the given cut points (taken modulo its length). */
function chunked(b: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (b.length === 0 ? 0 : c % b.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

function counted(c: IceCheckCounters): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('RFC 4571 deframer', () => {
  it('valid frames cut anywhere come out whole and in order; an over-cap length ends the stream', () => {
    const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });
    const cuts = fc.array(fc.nat(), { maxLength: 30 });
    fc.assert(
      fc.property(payloads, cuts, fc.boolean(), (ps, cs, poison) => {
        const got: Buffer[] = [];
        const d = new Rfc4571Deframer((f) => got.push(Buffer.from(f)), 300);
        // Poison: a header announcing 301 bytes (over the cap) after the valid frames, then more frames.
        const tail = poison ? [Buffer.of(0x01, 0x2d), ...ps.map((p) => frameRfc4571(p))] : [];
        const stream = Buffer.concat([...ps.map((p) => frameRfc4571(p)), ...tail]);
        let refusedAt = -1;
        for (const [i, c] of chunked(stream, cs).entries()) {
          if (!d.push(c)) {
            refusedAt = i;
            break;
          }
        }
        // Zero-length frames are counted but not handed out (they carry nothing).
        expect(got).toEqual(ps.filter((p) => p.length > 0).map((p) => Buffer.from(p)));
        expect(d.frames).toBe(ps.length);
        expect(d.isFailed).toBe(poison);
        if (poison) {
          expect(refusedAt).toBeGreaterThanOrEqual(0);
          expect(d.push(frameRfc4571(Buffer.of(1)))).toBe(false);
          expect(d.frames).toBe(ps.length);
        }
      }),
      { seed: 0x4571, numRuns: 1500 },
    );
  });
});

describe('IceLiteServer on loopback under hostile traffic', () => {
  it('UDP: every datagram is counted by the agent or the server; no tuple, no data', async () => {
    const server = await IceLiteServer.listen({ udp: { address: '127.0.0.1' } });
    const port = server.candidates[0].port;
    let data = 0;
    server.on('data', () => data++);
    const datagrams = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        // STUN-looking (magic cookie) and DTLS/RTP-looking first bytes reach every branch of the demux.
        fc
          .tuple(
            fc.constantFrom(0x00, 0x01, 0x16, 0x80, 0x90),
            fc.uint8Array({ minLength: 20, maxLength: 120 }),
          )
          .map(([first, rest]) => {
            const b = Uint8Array.from([first, ...rest]);
            if (first < 2) b.set([0x21, 0x12, 0xa4, 0x42], 4);
            return b;
          }),
      ),
      { seed: 0x0d9, numRuns: 300 },
    );
    const client = createSocket('udp4');
    try {
      const total = () =>
        counted(server.agent.counters) + server.counters.droppedUnknown + server.counters.droppedUnvalidated;
      // In batches, each awaited until counted: the socket's receive buffer (~256 small datagrams
      // by default) must not overflow, or the kernel, not the server, would be what drops them.
      for (let i = 0; i < datagrams.length; i += 50) {
        const batch = datagrams.slice(i, i + 50);
        for (const d of batch) await new Promise<void>((r) => client.send(d, port, '127.0.0.1', () => r()));
        await until(() => total() === i + batch.length, 10_000);
      }
      expect(server.agent.tuples).toHaveLength(0);
      expect(data).toBe(0);
      expect(server.counters.droppedUnknown).toBeGreaterThan(0);
      expect(server.counters.droppedUnvalidated).toBeGreaterThan(0);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('TCP: garbage frames in random chunks are counted; an over-cap frame closes the connection', async () => {
    const server = await IceLiteServer.listen({ tcp: { address: '127.0.0.1' }, maxTcpFrameLength: 1500 });
    const port = server.candidates[0].port;
    let data = 0;
    server.on('data', () => data++);
    const frames = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 200 }), { seed: 0x7c9, numRuns: 100 });
    const stream = Buffer.concat([...frames.map((f) => frameRfc4571(f)), Buffer.of(0xff, 0xff)]);
    const cuts = fc.sample(fc.nat(), { seed: 0x7ca, numRuns: 40 });
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    try {
      await new Promise<void>((r) => socket.once('connect', () => r()));
      for (const c of chunked(stream, cuts)) socket.write(c);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('server did not close the connection')), 10_000);
      });
      await Promise.race([closed, timeout]).finally(() => clearTimeout(timer));
      const total = () =>
        counted(server.agent.counters) + server.counters.droppedUnknown + server.counters.droppedUnvalidated;
      expect(total()).toBe(frames.length);
      expect(server.counters.tcpConnectionsRejected).toBe(1);
      expect(server.agent.tuples).toHaveLength(0);
      expect(data).toBe(0);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});
