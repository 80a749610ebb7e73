/**
 * Association behaviour between two @tsfu/sctp endpoints on an in-memory async
 * link: handshake variants, faults the RFC specifies (bad checksum, wrong tag,
 * malformed and unknown chunks), timers (T1, T3, heartbeat), SHUTDOWN, ABORT.
 * Everything runs on vitest fake timers (link hops are fake immediates), so
 * timer tests are exact and CPU load cannot reorder anything.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChunkType, ErrorCause } from './chunk-type.js';
import { advanceUntil, advanceUntilSettled, once, pattern, seededRandom } from './pair.test-util.js';
import { SctpAssociation, type SctpAssociationOptions } from './sctp-association.js';
import { checkPacket, finishPacket, PacketCheck } from './sctp-packet.js';

interface Link {
  a: SctpAssociation;
  b: SctpAssociation;
  /** Every packet each side sent, in order. */
  fromA: Buffer[];
  fromB: Buffer[];
  /** Return false to drop a packet. */
  passAB: (p: Buffer) => boolean;
  passBA: (p: Buffer) => boolean;
}

/** `delayMs` > 0 delays each hop by that much fake time (so RTTs are not 0). */
function link(
  aOpts: Partial<SctpAssociationOptions> = {},
  bOpts: Partial<SctpAssociationOptions> = {},
  delayMs = 0,
): Link {
  const fast = { rtoInitialMs: 60, rtoMinMs: 30, heartbeatIntervalMs: 0 };
  const l: Link = {
    fromA: [],
    fromB: [],
    passAB: () => true,
    passBA: () => true,
  } as unknown as Link;
  l.a = new SctpAssociation({
    ...fast,
    ...aOpts,
    send: (p) => {
      l.fromA.push(p);
      if (l.passAB(p)) hop(() => l.b.handle(p), delayMs);
    },
  });
  l.b = new SctpAssociation({
    ...fast,
    ...bOpts,
    send: (p) => {
      l.fromB.push(p);
      if (l.passBA(p)) hop(() => l.a.handle(p), delayMs);
    },
  });
  return l;
}

const hop = (fn: () => void, delayMs: number): unknown =>
  delayMs > 0 ? setTimeout(fn, delayMs) : setImmediate(fn);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Lets the exchanges in flight finish. A fake immediate set while fake timers
 * run is due 1 ms later, so each hop or delayed SACK takes 1 ms of fake time:
 * 5 ms covers the few hops these tests wait for and stays below rtoMinMs (30),
 * so no retransmission timer fires.
 */
const settle = () => vi.advanceTimersByTimeAsync(5);

async function established(aOpts = {}, bOpts = {}, delayMs = 0): Promise<Link> {
  const l = link(aOpts, bOpts, delayMs);
  l.a.connect();
  await advanceUntilSettled(Promise.all([once(l.a, 'open'), once(l.b, 'open')]));
  return l;
}

/** Chunk types present in a packet. */
function chunkTypes(p: Buffer): number[] {
  const out: number[] = [];
  for (let off = 12; off + 4 <= p.length; ) {
    out.push(p[off]);
    off += (p.readUInt16BE(off + 2) + 3) & ~3;
  }
  return out;
}

/** A packet to B with B's verification tag (taken from A's traffic) and the given chunks. */
function toB(l: Link, ...chunks: Buffer[]): Buffer {
  const tagged = l.fromA[l.fromA.length - 1];
  const head = Buffer.from(tagged.subarray(0, 12));
  const p = Buffer.concat([
    head,
    ...chunks.map((c) => Buffer.concat([c, Buffer.alloc((4 - (c.length % 4)) % 4)])),
  ]);
  finishPacket(p, p.length);
  return p;
}

const chunk = (type: number, flags: number, value: Buffer = Buffer.alloc(0)): Buffer => {
  const c = Buffer.alloc(4 + value.length);
  c[0] = type;
  c[1] = flags;
  c.writeUInt16BE(4 + value.length, 2);
  value.copy(c, 4);
  return c;
};
const heartbeat = () => chunk(ChunkType.HEARTBEAT, 0, Buffer.from('0001000cdeadbeefcafef00d', 'hex'));

describe('SctpAssociation handshake', () => {
  it('negotiates streams as min(OS, peer MIS) and extensions', async () => {
    const l = await established(
      { outboundStreams: 10, inboundStreams: 20 },
      { outboundStreams: 30, inboundStreams: 5 },
    );
    expect([l.a.sctpState, l.b.sctpState]).toEqual(['connected', 'connected']);
    expect([l.a.localPort, l.a.outboundStreams, l.a.inboundStreams, l.a.maxMessageSize]).toEqual([
      5000, 10, 20, 262144,
    ]);
    expect(l.a.outboundStreamCount).toBe(5);
    expect(l.a.inboundStreamCount).toBe(20);
    expect(l.b.outboundStreamCount).toBe(20);
    expect(l.b.inboundStreamCount).toBe(5);
    expect(l.a.peerForwardTsn && l.a.peerReconfig && l.b.peerForwardTsn && l.b.peerReconfig).toBe(true);
    // INIT alone with tag 0; COOKIE ECHO then DATA flow.
    expect(l.fromA[0].readUInt32BE(4)).toBe(0);
    expect(chunkTypes(l.fromA[0])).toEqual([ChunkType.INIT]);
    expect(chunkTypes(l.fromB[0])).toEqual([ChunkType.INIT_ACK]);
    expect(chunkTypes(l.fromA[1])).toEqual([ChunkType.COOKIE_ECHO]);
    expect(chunkTypes(l.fromB[1])).toEqual([ChunkType.COOKIE_ACK]);
    l.a.abort();
  });

  it('survives an INIT collision (both sides connect)', async () => {
    const l = link();
    l.a.connect();
    l.b.connect();
    await advanceUntilSettled(Promise.all([once(l.a, 'open'), once(l.b, 'open')]));
    const got = once<[number, number, Buffer]>(l.b, 'message');
    l.a.sendMessage(0, 51, Buffer.from('after collision'));
    expect((await advanceUntilSettled(got))[2].toString()).toBe('after collision');
    l.a.abort();
  });

  it('retransmits a lost INIT and a lost COOKIE ECHO (T1)', async () => {
    const l = link();
    let dropInit = 1;
    let dropEcho = 1;
    const start = Date.now();
    const initAt: number[] = [];
    const echoAt: number[] = [];
    l.passAB = (p) => {
      if (p[12] === ChunkType.INIT) initAt.push(Date.now() - start);
      if (p[12] === ChunkType.COOKIE_ECHO) echoAt.push(Date.now() - start);
      if (p[12] === ChunkType.INIT && dropInit-- > 0) return false;
      if (p[12] === ChunkType.COOKIE_ECHO && dropEcho-- > 0) return false;
      return true;
    };
    l.a.connect();
    await advanceUntilSettled(Promise.all([once(l.a, 'open'), once(l.b, 'open')]));
    expect(l.fromA.filter((p) => p[12] === ChunkType.INIT).length).toBe(2);
    expect(l.fromA.filter((p) => p[12] === ChunkType.COOKIE_ECHO).length).toBe(2);
    // T1 at rtoInitialMs (60), then doubled (120) for the COOKIE ECHO.
    expect(initAt).toEqual([0, 60]);
    expect(echoAt[1] - echoAt[0]).toBe(120);
    l.a.abort();
  });

  it('gives up after maxInitRetransmissions', async () => {
    const l = link({ maxInitRetransmissions: 2, rtoInitialMs: 10, rtoMinMs: 10 });
    l.passAB = () => false;
    expect(l.a.sctpState).toBe('new');
    const start = Date.now();
    l.a.connect();
    expect(l.a.sctpState).toBe('connecting');
    const [reason] = await advanceUntilSettled(once<[string]>(l.a, 'close'));
    expect(reason).toBe('failure');
    expect(l.a.sctpState).toBe('failed');
    expect(l.fromA.length).toBe(3);
    expect(Date.now() - start).toBe(10 + 20 + 40); // three T1 periods, doubling
  });

  it('ignores a COOKIE ECHO with a forged MAC', async () => {
    const l = link();
    l.passAB = (p) => {
      if (p[12] === ChunkType.COOKIE_ECHO) {
        const forged = Buffer.from(p);
        forged[forged.length - 1] ^= 1;
        finishPacket(forged, forged.length);
        setImmediate(() => l.b.handle(forged));
        return false;
      }
      return true;
    };
    l.a.connect();
    await advanceUntil(() => l.b.stats.malformedChunks > 0);
    await settle();
    expect(l.b.state).toBe('closed');
    expect(l.b.stats.malformedChunks).toBe(1);
    expect(l.a.sctpState).toBe('connecting');
    l.passAB = () => true;
    await advanceUntilSettled(Promise.all([once(l.a, 'open'), once(l.b, 'open')])); // T1 resends the real one
    l.a.abort();
  });
});

describe('SctpAssociation fault handling (RFC 9260)', () => {
  it('drops a packet with a bad checksum and counts it', async () => {
    const l = await established();
    const p = toB(l, heartbeat());
    p[8] ^= 0xff;
    const before = l.fromB.length;
    l.b.handle(p);
    expect(l.b.stats.badChecksum).toBe(1);
    expect(l.fromB.length).toBe(before);
    l.a.abort();
  });

  it('drops a packet with a wrong verification tag', async () => {
    const l = await established();
    const p = toB(l, heartbeat());
    p.writeUInt32BE((p.readUInt32BE(4) + 1) >>> 0, 4);
    finishPacket(p, p.length);
    l.b.handle(p);
    expect(l.b.stats.badVerificationTag).toBe(1);
    l.a.abort();
  });

  it('answers HEARTBEAT with HEARTBEAT ACK echoing the info', async () => {
    const l = await established();
    const before = l.fromB.length;
    l.b.handle(toB(l, heartbeat()));
    const ack = l.fromB[before];
    expect(chunkTypes(ack)).toEqual([ChunkType.HEARTBEAT_ACK]);
    expect(ack.subarray(16, 28).toString('hex')).toBe('0001000cdeadbeefcafef00d');
    l.a.abort();
  });

  // An unknown chunk followed by a HEARTBEAT: the HEARTBEAT ACK shows whether
  // processing went on; an ERROR chunk whether it was reported.
  it.each([
    { type: 0x3e, action: 'stop', processed: false, reported: false },
    { type: 0x7e, action: 'stop-report', processed: false, reported: true },
    { type: 0xbe, action: 'skip', processed: true, reported: false },
    { type: 0xfe, action: 'skip-report', processed: true, reported: true },
  ])('unknown chunk type $type ($action)', async ({ type, processed, reported }) => {
    const l = await established();
    const unknown = chunk(type, 0x5a, Buffer.from('0102030405', 'hex'));
    const before = l.fromB.length;
    l.b.handle(toB(l, unknown, heartbeat()));
    const sent = l.fromB.slice(before);
    const types = sent.flatMap(chunkTypes);
    expect(types.includes(ChunkType.HEARTBEAT_ACK)).toBe(processed);
    expect(types.includes(ChunkType.ERROR)).toBe(reported);
    if (reported) {
      const err = sent.find((p) => p[12] === ChunkType.ERROR)!;
      expect(err.readUInt16BE(16)).toBe(ErrorCause.UNRECOGNIZED_CHUNK_TYPE);
      expect(err.readUInt16BE(18)).toBe(4 + unknown.length);
      // The cause carries the unrecognized chunk whole.
      expect(err.subarray(20, 20 + unknown.length).equals(unknown)).toBe(true);
    }
    expect(l.b.stats.unknownChunks).toBe(1);
    expect(l.b.state).toBe('established');
    l.a.abort();
  });

  it.each([
    { name: 'SACK shorter than 16 bytes', c: () => chunk(ChunkType.SACK, 0, Buffer.alloc(8)) },
    {
      name: 'SACK with a gap block past its end',
      c: () => chunk(ChunkType.SACK, 0, Buffer.from('00000000000100000005000000000000', 'hex')),
    },
    { name: 'FORWARD TSN of odd length', c: () => chunk(ChunkType.FORWARD_TSN, 0, Buffer.alloc(6)) },
    {
      name: 'RE-CONFIG with a truncated parameter',
      c: () => chunk(ChunkType.RECONFIG, 0, Buffer.from('000d0020', 'hex')),
    },
    { name: 'SHUTDOWN of length 6', c: () => chunk(ChunkType.SHUTDOWN, 0, Buffer.alloc(2)) },
    { name: 'COOKIE ECHO of the wrong size', c: () => chunk(ChunkType.COOKIE_ECHO, 0, Buffer.alloc(10)) },
    { name: 'HEARTBEAT without info', c: () => chunk(ChunkType.HEARTBEAT, 0) },
    { name: 'DATA shorter than its header', c: () => chunk(ChunkType.DATA, 3, Buffer.alloc(8)) },
  ])('drops and counts a malformed chunk: $name', async ({ c }) => {
    const l = await established();
    expect(() => l.b.handle(toB(l, c()))).not.toThrow();
    expect(l.b.stats.malformedChunks).toBe(1);
    expect(l.b.state).toBe('established');
    const got = once<[number, number, Buffer]>(l.b, 'message');
    l.a.sendMessage(1, 53, Buffer.from('still fine'));
    expect((await advanceUntilSettled(got))[2].toString()).toBe('still fine');
    l.a.abort();
  });

  it('ABORTs with "No User Data" on a DATA chunk without payload (RFC 9260 §6.2)', async () => {
    const l = await established();
    const closed = once<[string]>(l.b, 'close');
    const aClosed = once<[string, string]>(l.a, 'close');
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, Buffer.alloc(12))));
    expect((await advanceUntilSettled(closed))[0]).toBe('abort');
    const abort = l.fromB[l.fromB.length - 1];
    expect(chunkTypes(abort)).toEqual([ChunkType.ABORT]);
    expect(abort.readUInt16BE(16)).toBe(ErrorCause.NO_USER_DATA);
    expect((await advanceUntilSettled(aClosed))[0]).toBe('peer-abort');
  });

  it('reports DATA on a stream beyond the negotiated count with "Invalid Stream Identifier"', async () => {
    const l = await established({}, { inboundStreams: 4 });
    const before = l.fromB.length;
    const data = Buffer.alloc(17);
    data.writeUInt32BE(0, 0); // TSN: an old one is fine, only the stream matters here
    const ok = once(l.b, 'message');
    l.a.sendMessage(3, 53, Buffer.from('ok'));
    await advanceUntilSettled(ok);
    // Build a DATA chunk with the next TSN on stream 9.
    const lastData = l.fromA.filter((p) => p[12] === ChunkType.DATA).pop()!;
    const tsn = (lastData.readUInt32BE(16) + 1) >>> 0;
    const v = Buffer.alloc(13);
    v.writeUInt32BE(tsn, 0);
    v.writeUInt16BE(9, 4);
    v.writeUInt32BE(53, 8);
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, v)));
    const err = l.fromB.slice(before).find((p) => p[12] === ChunkType.ERROR);
    expect(err?.readUInt16BE(16)).toBe(ErrorCause.INVALID_STREAM_ID);
    expect(err?.readUInt16BE(20)).toBe(9);
    l.a.abort();
  });

  it('reports an unknown INIT parameter (0xc001, skip + report) in the INIT ACK', async () => {
    const l = link();
    const init = Buffer.from(
      [
        '1388 1388 00000000 00000000', // common header, tag 0, checksum below
        '01 00 001c', // INIT, length 28
        '0000abcd 00010000 0001 0001 00000001', // tag, a_rwnd, OS, MIS, initial TSN
        'c001 0008 deadbeef', // unknown parameter: skip and report
      ]
        .join('')
        .replace(/ /g, ''),
      'hex',
    );
    expect(init.length).toBe(40);
    finishPacket(init, init.length);
    l.b.handle(init);
    const ack = l.fromB[0];
    expect(chunkTypes(ack)).toEqual([ChunkType.INIT_ACK]);
    expect(ack.readUInt32BE(4)).toBe(0xabcd); // sent with the initiator's tag
    const hex = ack.toString('hex');
    // Unrecognized Parameter (8), length 12, wrapping the whole unknown parameter.
    expect(hex).toContain('0008000cc0010008deadbeef');
  });

  it('refuses an INIT bundled with another chunk', async () => {
    const l = link();
    const init = Buffer.from('1388138800000000000000000100001400000001000010000001000100000001', 'hex');
    const p = Buffer.concat([init, chunk(ChunkType.COOKIE_ACK, 0)]);
    p.writeUInt16BE(20, 14);
    finishPacket(p, p.length);
    l.b.handle(p);
    expect(l.fromB.length).toBe(0);
    expect(l.b.stats.badVerificationTag).toBe(1);
  });

  it('never throws on 3000 seeded mutations of real packets, and still answers', async () => {
    const l = await established();
    const reset = once(l.a, 'outgoingStreamsReset');
    l.a.sendMessage(0, 53, pattern(5000));
    l.a.sendMessage(0, 51, Buffer.from('x'), { unordered: true });
    l.a.resetStreams([0]);
    await advanceUntilSettled(reset);
    const samples = [...l.fromA];
    const sampleTypes = samples.flatMap(chunkTypes);
    expect(sampleTypes).toContain(ChunkType.DATA);
    expect(sampleTypes).toContain(ChunkType.RECONFIG);
    const rnd = seededRandom(2024);
    for (let i = 0; i < 3000; i++) {
      const src = samples[Math.floor(rnd() * samples.length)];
      const p = Buffer.from(src);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) p[12 + Math.floor(rnd() * (p.length - 12))] = Math.floor(rnd() * 256);
      if (rnd() < 0.2) {
        const cut = p.subarray(0, 12 + Math.floor(rnd() * (p.length - 12)));
        finishPacket(cut, cut.length);
        expect(() => l.b.handle(Buffer.from(cut))).not.toThrow();
      } else {
        finishPacket(p, p.length);
        expect(() => l.b.handle(p)).not.toThrow();
      }
      if (l.b.closed) break;
    }
    // Forged-but-valid packets (right tag and CRC) may legitimately abort or
    // desynchronise the data state (SCTP has no authentication; DTLS gives it).
    // What must hold: nothing threw, and a live association still answers.
    if (!l.b.closed) {
      const before = l.fromB.length;
      l.b.handle(toB(l, heartbeat()));
      expect(l.fromB.slice(before).some((p) => chunkTypes(p).includes(ChunkType.HEARTBEAT_ACK))).toBe(true);
    }
    expect(l.b.stats.packetsReceived).toBeGreaterThan(3000);
    expect(checkPacket(Buffer.alloc(3))).toBe(PacketCheck.TOO_SHORT);
    l.a.abort();
  });
});

describe('SctpAssociation timers and teardown', () => {
  it('T3: retransmits after a blackout and delivers', async () => {
    const l = await established();
    const start = Date.now();
    const dataAt = new Set<number>();
    let blackout = true;
    l.passAB = (p) => {
      if (p[12] !== ChunkType.DATA) return true;
      dataAt.add(Date.now() - start);
      return !blackout;
    };
    const got = once<[number, number, Buffer]>(l.b, 'message', 5000);
    l.a.sendMessage(0, 53, pattern(3000));
    await vi.advanceTimersByTimeAsync(150);
    // T3 fired once at the RTO (60: no RTT sample yet), then backed off to 120.
    expect(l.a.stats.t3Expirations).toBe(1);
    expect([...dataAt]).toEqual([0, 60]);
    blackout = false;
    expect((await advanceUntilSettled(got))[2].equals(pattern(3000))).toBe(true);
    expect([...dataAt].filter((t) => t <= 180)).toEqual([0, 60, 180]);
    expect(l.a.stats.t3Expirations).toBe(2);
    expect(l.a.stats.retransmissions).toBeGreaterThan(0);
    l.a.abort();
  });

  it('fails the association after maxRetransmissions T3 expirations', async () => {
    const l = await established({ maxRetransmissions: 2, rtoMaxMs: 40 });
    l.passAB = () => false;
    l.a.sendMessage(0, 53, Buffer.from('lost'));
    const [reason, detail] = await advanceUntilSettled(once<[string, string]>(l.a, 'close', 5000));
    expect(reason).toBe('failure');
    expect(detail).toMatch(/retransmissions/);
    expect(l.a.stats.t3Expirations).toBe(3);
  });

  it('heartbeats measure the RTT; unanswered ones fail the association', async () => {
    // 5 ms each way: the heartbeat RTT is exactly 10 ms of fake time.
    const l = await established({ heartbeatIntervalMs: 20, maxRetransmissions: 2, rtoMaxMs: 40 }, {}, 5);
    await advanceUntil(() => l.a.smoothedRtt !== 0);
    expect(l.fromA.some((p) => p[12] === ChunkType.HEARTBEAT)).toBe(true);
    expect(l.fromB.some((p) => p[12] === ChunkType.HEARTBEAT_ACK)).toBe(true);
    expect(l.a.smoothedRtt).toBe(10);
    l.passBA = () => false;
    const [reason, detail] = await advanceUntilSettled(once<[string, string]>(l.a, 'close', 5000));
    expect(reason).toBe('failure');
    expect(detail).toMatch(/heartbeat/);
  });

  it('SHUTDOWN delivers queued data first, then both sides close', async () => {
    const l = await established();
    const got: Buffer[] = [];
    l.b.on('message', (_s, _p, d) => got.push(Buffer.from(d)));
    for (let i = 0; i < 20; i++) l.a.sendMessage(0, 53, pattern(4000, i));
    const closed = Promise.all([once<[string]>(l.a, 'close'), once<[string]>(l.b, 'close')]);
    l.a.shutdown();
    expect(() => l.a.sendMessage(0, 53, Buffer.from('late'))).toThrow();
    const [[ra], [rb]] = await advanceUntilSettled(closed);
    expect(ra).toBe('shutdown');
    expect(rb).toBe('shutdown');
    expect([l.a.sctpState, l.b.sctpState]).toEqual(['closed', 'closed']);
    expect(got.length).toBe(20);
    for (let i = 0; i < 20; i++) expect(got[i].equals(pattern(4000, i))).toBe(true);
    const types = l.fromA.map((p) => p[12]);
    expect(types).toContain(ChunkType.SHUTDOWN);
    expect(types).toContain(ChunkType.SHUTDOWN_COMPLETE);
    expect(l.fromB.map((p) => p[12])).toContain(ChunkType.SHUTDOWN_ACK);
  });

  it('SHUTDOWN while the peer still sends: its data arrives, answered with SHUTDOWN (RFC 9260 §9.2)', async () => {
    const l = await established();
    const got: Buffer[] = [];
    l.a.on('message', (_s, _p, d) => got.push(Buffer.from(d)));
    for (let i = 0; i < 30; i++) l.b.sendMessage(1, 53, pattern(3000, i));
    l.a.shutdown();
    expect(l.a.state).toBe('shutdown-sent');
    const [[ra], [rb]] = await advanceUntilSettled(
      Promise.all([once<[string]>(l.a, 'close'), once<[string]>(l.b, 'close')]),
    );
    expect([ra, rb]).toEqual(['shutdown', 'shutdown']);
    expect(got.length).toBe(30);
    for (let i = 0; i < 30; i++) expect(got[i].equals(pattern(3000, i))).toBe(true);
    expect(
      l.fromA.filter((p) => p[12] === ChunkType.SHUTDOWN || chunkTypes(p).includes(ChunkType.SHUTDOWN))
        .length,
    ).toBeGreaterThan(1);
  });

  it('ABORT closes both sides at once with the reason', async () => {
    const l = await established();
    const closed = once<[string, string]>(l.b, 'close');
    l.a.abort('bye');
    expect(l.a.closed).toBe(true);
    const [reason, detail] = await advanceUntilSettled(closed);
    expect(reason).toBe('peer-abort');
    expect(detail).toBe(`cause ${ErrorCause.USER_INITIATED_ABORT}`);
    expect(() => l.a.sendMessage(0, 51, Buffer.from('x'))).toThrow();
  });

  it('enforces maxMessageSize on send and drops oversize messages on receive', async () => {
    const l = await established({ maxMessageSize: 300000 }, { maxMessageSize: 1000 });
    expect(() => l.b.sendMessage(0, 53, Buffer.alloc(1001))).toThrow(RangeError);
    expect(() => l.a.sendMessage(0, 53, Buffer.alloc(0))).toThrow(RangeError);
    const got: number[] = [];
    l.b.on('message', (_s, _p, d) => got.push(d.length));
    l.a.sendMessage(0, 53, Buffer.alloc(5000));
    l.a.sendMessage(1, 53, Buffer.alloc(5000), { unordered: true });
    l.a.sendMessage(0, 53, Buffer.alloc(1000));
    await advanceUntil(() => got.length > 0 && l.b.stats.oversizeMessagesDropped === 2);
    // Past any retransmission: nothing else arrives, the drop count holds.
    await vi.advanceTimersByTimeAsync(1000);
    expect(got).toEqual([1000]);
    expect(l.b.stats.oversizeMessagesDropped).toBe(2);
    l.a.abort();
  });

  it('stream reset: SSNs restart at 0 on both sides and data keeps flowing', async () => {
    const l = await established();
    const got: string[] = [];
    l.b.on('message', (_s, _p, d) => got.push(d.toString()));
    l.a.sendMessage(4, 51, Buffer.from('one'));
    l.a.sendMessage(4, 51, Buffer.from('two'));
    const incomingReset = once<[number[]]>(l.b, 'streamsReset');
    const outgoingReset = once<[number[]]>(l.a, 'outgoingStreamsReset');
    l.a.resetStreams([4]);
    const [incoming, outgoing] = await advanceUntilSettled(Promise.all([incomingReset, outgoingReset]));
    expect(outgoing[0]).toEqual([4]);
    expect(incoming[0]).toEqual([4]);
    const three = once(l.b, 'message');
    l.a.sendMessage(4, 51, Buffer.from('three'));
    await advanceUntilSettled(three);
    expect(got).toEqual(['one', 'two', 'three']);
    const data3 = l.fromA.filter((p) => p[12] === ChunkType.DATA).pop()!;
    expect(data3.readUInt16BE(20)).toBe(4); // stream 4
    expect(data3.readUInt16BE(22)).toBe(0); // SSN restarted at 0
    l.a.abort();
  });
});

describe('SctpAssociation wire details', () => {
  /** A DATA chunk value: TSN, stream, SSN, PPID 51, payload. */
  const dataValue = (tsn: number, sid: number, ssn: number, text: string): Buffer => {
    const v = Buffer.alloc(12 + text.length);
    v.writeUInt32BE(tsn >>> 0, 0);
    v.writeUInt16BE(sid, 4);
    v.writeUInt16BE(ssn, 6);
    v.writeUInt32BE(51, 8);
    v.write(text, 12);
    return v;
  };

  it('SACKs out-of-order TSNs with gap blocks and reports duplicates', async () => {
    const l = await established();
    const got: string[] = [];
    l.b.on('message', (_s, _p, d) => got.push(d.toString()));
    const seed = once(l.b, 'message');
    l.a.sendMessage(0, 51, Buffer.from('seed'));
    await advanceUntilSettled(seed);
    await settle(); // the delayed SACK for it goes out first
    const first = l.fromA.filter((p) => p[12] === ChunkType.DATA).pop()!;
    const base = first.readUInt32BE(16); // TSN of the message B already has
    const before = l.fromB.length;
    // TSNs base+2 and base+4 arrive; base+1 and base+3 are missing; base+2 arrives twice.
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 2, 1, 1, 'two'))));
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 4, 1, 3, 'four'))));
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 2, 1, 1, 'two'))));
    const sacks = l.fromB.slice(before).filter((p) => p[12] === ChunkType.SACK);
    const last = sacks[sacks.length - 1];
    expect(last.readUInt32BE(16)).toBe(base); // cumulative TSN ack
    expect(last.readUInt16BE(24)).toBe(2); // two gap blocks
    expect(last.readUInt16BE(26)).toBe(1); // one duplicate
    expect([last.readUInt16BE(28), last.readUInt16BE(30)]).toEqual([2, 2]); // base+2
    expect([last.readUInt16BE(32), last.readUInt16BE(34)]).toEqual([4, 4]); // base+4
    expect(last.readUInt32BE(36)).toBe((base + 2) >>> 0);
    expect(got).toEqual(['seed']); // stream 1 waits for SSN 0
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 1, 1, 0, 'one'))));
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 3, 1, 2, 'three'))));
    expect(got).toEqual(['seed', 'one', 'two', 'three', 'four']);
    await settle();
    const final = l.fromB.filter((p) => p[12] === ChunkType.SACK).pop()!;
    expect(final.readUInt32BE(16)).toBe((base + 4) >>> 0);
    expect(final.readUInt16BE(24)).toBe(0);
    l.a.abort();
  });

  it('a message that never ends is bounded by the receive window; chunks beyond it go unacknowledged', async () => {
    const l = await established({}, { receiveWindow: 8000 });
    const seed = once(l.b, 'message');
    l.a.sendMessage(0, 51, Buffer.from('seed'));
    await advanceUntilSettled(seed);
    await settle();
    const base = l.fromA
      .filter((p) => p[12] === ChunkType.DATA)
      .pop()!
      .readUInt32BE(16);
    // In-order first and middle fragments (B, then none) of one endless message, 1000 B each.
    for (let i = 1; i <= 20; i++) {
      l.b.handle(toB(l, chunk(ChunkType.DATA, i === 1 ? 2 : 0, dataValue(base + i, 3, 0, 'x'.repeat(1000)))));
    }
    await settle();
    const sack = l.fromB.filter((p) => p[12] === ChunkType.SACK).pop()!;
    expect(sack.readUInt32BE(16)).toBe((base + 8) >>> 0); // 8 × 1000 B fit, the rest was dropped
    expect(sack.readUInt32BE(20)).toBe(0); // a_rwnd 0
    expect(l.b.stats.windowDrops).toBe(12);
    // A message that can be delivered at once still gets through a full window.
    const got = once<[number, number, Buffer]>(l.b, 'message');
    l.b.handle(toB(l, chunk(ChunkType.DATA, 3, dataValue(base + 9, 4, 0, 'deliverable'))));
    expect((await advanceUntilSettled(got))[2].toString()).toBe('deliverable');
    l.a.abort();
  });

  it('FORWARD TSN names the abandoned ordered stream and SSN; the receiver skips past it', async () => {
    const l = await established();
    const got: string[] = [];
    l.b.on('message', (_s, _p, d) => got.push(d.toString()));
    l.a.sendMessage(5, 51, Buffer.from('m0'));
    await advanceUntil(() => got.length === 1);
    await settle();
    let dropped = 0;
    l.passAB = (p) => !(p[12] === ChunkType.DATA && dropped++ === 0);
    l.a.sendMessage(5, 51, Buffer.from('lost'), { maxRetransmits: 0 });
    l.a.sendMessage(5, 51, Buffer.from('m2'));
    await advanceUntil(() => got.length >= 2);
    expect(got).toEqual(['m0', 'm2']);
    const fwd = l.fromA.find((p) => chunkTypes(p).includes(ChunkType.FORWARD_TSN))!;
    let off = 12;
    while (fwd[off] !== ChunkType.FORWARD_TSN) off += (fwd.readUInt16BE(off + 2) + 3) & ~3;
    expect(fwd.readUInt16BE(off + 2)).toBe(12); // one stream entry
    const lostTsn = l.fromA.filter((p) => p[12] === ChunkType.DATA)[1].readUInt32BE(16);
    expect(fwd.readUInt32BE(off + 4)).toBe(lostTsn); // new cumulative TSN
    expect(fwd.readUInt16BE(off + 8)).toBe(5); // stream 5
    expect(fwd.readUInt16BE(off + 10)).toBe(1); // its SSN 1 skipped
    expect(l.a.stats.abandonedMessages).toBe(1);
    l.a.abort();
  });
});

describe('buffered amounts kept as running totals', () => {
  it('totalBufferedAmount and unsentAmount follow enqueue, first send and acknowledgement', async () => {
    const l = await established();
    l.passAB = () => false; // nothing reaches B, so nothing is acknowledged
    l.a.sendMessage(1, 53, Buffer.alloc(3000, 1));
    l.a.sendMessage(1, 53, Buffer.alloc(3000, 2));
    l.a.sendMessage(1, 53, Buffer.alloc(3000, 3));
    l.a.sendMessage(2, 51, Buffer.alloc(500, 4));
    expect(l.a.totalBufferedAmount).toBe(9500);
    expect(l.a.bufferedAmount(1) + l.a.bufferedAmount(2)).toBe(9500);
    // The first congestion window went out; the rest waits, per stream.
    const unsent = l.a.unsentAmount(1) + l.a.unsentAmount(2);
    expect(unsent).toBeGreaterThan(0);
    expect(unsent).toBeLessThan(9500);
    expect(l.a.unsentAmount(2)).toBe(500);
    l.passAB = () => true;
    await vi.advanceTimersByTimeAsync(3000); // T3 retransmits, then the rest flows
    expect(l.a.totalBufferedAmount).toBe(0);
    expect(l.a.unsentAmount(1)).toBe(0);
    expect(l.a.unsentAmount(2)).toBe(0);
  });
});
