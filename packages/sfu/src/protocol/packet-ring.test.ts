import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPacketRingBuffer,
  PACKET_RING_RECORD_HEADER,
  PacketRingReader,
  PacketRingWriter,
} from './packet-ring.js';

/** A packet whose every byte is derived from (seq, index), so a torn or shifted read shows. */
function patterned(seq: number, length: number): Uint8Array {
  const p = new Uint8Array(length);
  for (let i = 0; i < length; i++) p[i] = (seq * 31 + i * 7) & 0xff;
  return p;
}

function readAll(reader: PacketRingReader): { payload: number[]; meta: number; aux: number }[] {
  const out: { payload: number[]; meta: number; aux: number }[] = [];
  while (reader.next()) {
    out.push({
      payload: [...reader.data.subarray(reader.offset, reader.offset + reader.length)],
      meta: reader.meta,
      aux: reader.aux,
    });
  }
  reader.commit();
  return out;
}

function pair(capacity = 1024, publishEvery = 0) {
  const sab = createPacketRingBuffer({ capacity });
  return { sab, writer: new PacketRingWriter(sab, { publishEvery }), reader: new PacketRingReader(sab) };
}

describe('createPacketRingBuffer', () => {
  const rows: { capacity: number; want: number }[] = [
    { capacity: 1, want: 1024 }, // minimum
    { capacity: 1024, want: 1024 },
    { capacity: 1025, want: 2048 }, // rounded up to a power of two
    { capacity: 100_000, want: 131072 },
  ];
  for (const row of rows) {
    it(`capacity ${row.capacity} → ${row.want}`, () => {
      const sab = createPacketRingBuffer({ capacity: row.capacity });
      const reader = new PacketRingReader(sab);
      expect(reader.capacity).toBe(row.want);
      expect(reader.maxPayloadLength).toBe(row.want / 2 - PACKET_RING_RECORD_HEADER);
      expect(reader.stats()).toEqual({ capacity: row.want, usedBytes: 0, written: 0, dropped: 0 });
    });
  }

  it('rejects bad capacities', () => {
    for (const capacity of [0, -1, 1.5, 2 ** 31]) {
      expect(() => createPacketRingBuffer({ capacity })).toThrow(TypeError);
    }
  });

  it('readers and writers refuse buffers that are not rings', () => {
    expect(() => new PacketRingReader(new SharedArrayBuffer(4096))).toThrow('not a packet ring buffer');
    expect(() => new PacketRingWriter(new SharedArrayBuffer(16))).toThrow('not a packet ring buffer');
    const sab = createPacketRingBuffer({ capacity: 1024 });
    new Int32Array(sab)[96] = 1000; // capacity word no longer a power of two
    expect(() => new PacketRingReader(sab)).toThrow('not a packet ring buffer');
  });
});

describe('PacketRing in one thread', () => {
  const rows: { name: string; length: number; meta: number; aux: number }[] = [
    { name: 'empty payload', length: 0, meta: 0, aux: 0 },
    { name: 'one byte', length: 1, meta: 7, aux: 9 },
    { name: 'unaligned length', length: 13, meta: 0xffffffff, aux: 0x80000000 },
    { name: 'typical RTP packet', length: 200, meta: 42, aux: 1 },
    {
      name: 'largest payload (half the ring)',
      length: 1024 / 2 - PACKET_RING_RECORD_HEADER,
      meta: 1,
      aux: 2,
    },
  ];
  for (const row of rows) {
    it(`round trip: ${row.name}`, () => {
      const { writer, reader } = pair();
      const p = patterned(row.length, row.length);
      expect(writer.tryWrite(p, p.length, row.meta, row.aux)).toBe(true);
      writer.publish();
      expect(readAll(reader)).toEqual([{ payload: [...p], meta: row.meta, aux: row.aux }]);
      expect(reader.next()).toBe(false);
      expect(writer.stats()).toMatchObject({ written: 1, dropped: 0, usedBytes: 0 });
    });
  }

  it('copies a slice of a larger buffer (srcOffset, length)', () => {
    const { writer, reader } = pair();
    const big = patterned(3, 100);
    expect(writer.tryWrite(big, 10, 5, 6, 20)).toBe(true);
    writer.publish();
    expect(readAll(reader)).toEqual([{ payload: [...big.subarray(20, 30)], meta: 5, aux: 6 }]);
  });

  it('copyRecord copies the current payload out', () => {
    const { writer, reader } = pair();
    writer.tryWrite(Uint8Array.from([1, 2, 3, 4]));
    writer.publish();
    expect(reader.next()).toBe(true);
    const dst = new Uint8Array(6);
    expect(reader.copyRecord(dst, 1)).toBe(4);
    expect([...dst]).toEqual([0, 1, 2, 3, 4, 0]);
  });

  it('records stay invisible until published (batched publish)', () => {
    const { writer, reader } = pair();
    for (let i = 0; i < 5; i++) writer.tryWrite(patterned(i, 20), 20, i);
    expect(writer.pending).toBe(5);
    expect(reader.next()).toBe(false);
    expect(reader.hasData()).toBe(false);
    writer.publish();
    expect(writer.pending).toBe(0);
    expect(readAll(reader).map((r) => r.meta)).toEqual([0, 1, 2, 3, 4]);
  });

  it('publishEvery publishes automatically', () => {
    const { writer, reader } = pair(1024, 3);
    for (let i = 0; i < 4; i++) writer.tryWrite(patterned(i, 8), 8, i);
    expect(readAll(reader).map((r) => r.meta)).toEqual([0, 1, 2]);
    writer.publish();
    expect(readAll(reader).map((r) => r.meta)).toEqual([3]);
  });

  it('full ring: drops and counts, then accepts again once the reader releases', () => {
    const { writer, reader } = pair(1024);
    // 16-byte header + 100 bytes, padded to 120 bytes a record: 8 fit in 1024 bytes.
    let accepted = 0;
    for (let i = 0; i < 12; i++) if (writer.tryWrite(patterned(i, 100), 100, i)) accepted++;
    writer.publish();
    expect(accepted).toBe(8);
    expect(writer.stats()).toMatchObject({ written: 8, dropped: 4, usedBytes: 960 });
    // Reading without committing does not free anything.
    expect(reader.next()).toBe(true);
    expect(writer.tryWrite(patterned(99, 100), 100)).toBe(false);
    reader.commit();
    expect(writer.tryWrite(patterned(99, 100), 100, 99)).toBe(true);
    writer.publish();
    expect(readAll(reader).map((r) => r.meta)).toEqual([1, 2, 3, 4, 5, 6, 7, 99]);
    expect(reader.stats()).toMatchObject({ written: 9, dropped: 5, usedBytes: 0 });
  });

  it('drops what can never fit: too long, negative or fractional length, slice past the source', () => {
    const { writer } = pair(1024);
    expect(writer.tryWrite(new Uint8Array(1024 / 2 - PACKET_RING_RECORD_HEADER + 1))).toBe(false);
    expect(writer.tryWrite(new Uint8Array(10), -1)).toBe(false);
    expect(writer.tryWrite(new Uint8Array(10), 8, 0, 0, 4)).toBe(false);
    expect(writer.tryWrite(new Uint8Array(10), 2.5)).toBe(false);
    expect(writer.stats().dropped).toBe(4);
    expect(writer.stats().written).toBe(0);
  });

  it('wraps around: records never straddle the end, contents survive many laps', () => {
    const { sab, writer, reader } = pair(1024);
    const words = new Uint32Array(sab, 112 * 4, 256);
    // Lengths chosen so record sizes do not divide the ring: laps end with a wrap marker.
    const lengths = [1, 100, 37, 250, 0, 13, 300, 64, 77, 496];
    let expected = 0;
    let wrapMarkersSeen = 0;
    const verifyAll = () => {
      for (const record of readAll(reader)) {
        expect(record.meta).toBe(expected);
        expect(record.payload).toEqual([...patterned(expected, lengths[expected % lengths.length])]);
        expected++;
      }
    };
    for (let seq = 0; seq < 2000; seq++) {
      const len = lengths[seq % lengths.length];
      if (!writer.tryWrite(patterned(seq, len), len, seq)) {
        // Full: let the reader catch up; an empty ring always takes a record of up to half its size.
        if (words.includes(0xffffffff)) wrapMarkersSeen++;
        writer.publish();
        verifyAll();
        expect(writer.tryWrite(patterned(seq, len), len, seq)).toBe(true);
      }
      if (seq % 7 === 3) writer.publish();
    }
    writer.publish();
    verifyAll();
    expect(expected).toBe(2000);
    expect(wrapMarkersSeen).toBeGreaterThan(10);
    expect(reader.corrupted).toBe(0);
    expect(writer.stats().usedBytes).toBe(0);
  });

  it('cursors keep working across the u32 wrap of the byte counters', () => {
    const sab = createPacketRingBuffer({ capacity: 1024 });
    const ctrl = new Int32Array(sab);
    // Start both cursors just below 2^32 (same ring position, 0x...c00 & 1023 = 0).
    ctrl[0] = 0xfffffc00 | 0;
    ctrl[16] = 0xfffffc00 | 0;
    const writer = new PacketRingWriter(sab);
    const reader = new PacketRingReader(sab);
    for (let i = 0; i < 50; i++) {
      expect(writer.tryWrite(patterned(i, 90), 90, i)).toBe(true);
      writer.publish();
      const [record] = readAll(reader);
      expect(record.meta).toBe(i);
      expect(record.payload).toEqual([...patterned(i, 90)]);
    }
    expect(new Uint32Array(sab)[0]).toBeLessThan(0xfffffc00); // the write cursor did wrap
  });

  it('a corrupted length word is counted, never read past the published data', () => {
    const { sab, writer, reader } = pair(1024);
    writer.tryWrite(patterned(1, 10), 10, 1);
    writer.publish();
    // Overwrite the record's length word with something past the published bytes.
    new Uint32Array(sab, 112 * 4, 256)[0] = 500;
    expect(reader.next()).toBe(false);
    expect(reader.corrupted).toBe(1);
    // The reader skipped to the write cursor and keeps working.
    writer.tryWrite(patterned(2, 10), 10, 2);
    writer.publish();
    expect(readAll(reader).map((r) => r.meta)).toEqual([2]);
  });

  it('drain hands records to one callback and releases them', () => {
    const { writer, reader } = pair(1024);
    for (let i = 0; i < 6; i++) writer.tryWrite(patterned(i, 30), 30, i, i * 2);
    writer.publish();
    const seen: number[][] = [];
    const onRecord = (data: Buffer, offset: number, length: number, meta: number, aux: number) => {
      seen.push([meta, aux, length, data[offset + length - 1]]);
    };
    expect(reader.drain(onRecord, 4)).toBe(4);
    expect(reader.drain(onRecord)).toBe(2);
    expect(seen.map((s) => s[0])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[5]).toEqual([5, 10, 30, patterned(5, 30)[29]]);
    expect(writer.stats().usedBytes).toBe(0);
  });

  it('waitAsync resolves when data is published, without a sleeping writer having to know', async () => {
    const { writer, reader } = pair(1024);
    let published = false;
    const woke = reader.waitAsync(5_000).then((ok) => [ok, published]);
    // Published in a later turn, while the reader waits.
    setImmediate(() => {
      writer.tryWrite(patterned(1, 10), 10, 77);
      writer.publish();
      published = true;
    });
    expect(await woke).toEqual([true, true]);
    expect(readAll(reader).map((r) => r.meta)).toEqual([77]);
  });

  it('waitAsync returns at once when data is already there, and times out when none comes', async () => {
    const { writer, reader } = pair(1024);
    writer.tryWrite(patterned(1, 10));
    writer.publish();
    expect(await reader.waitAsync(5_000)).toBe(true);
    readAll(reader);
    expect(await reader.waitAsync(20)).toBe(false);
  });

  it('waitSync and waitForSpaceSync time out instead of blocking forever', () => {
    const { writer, reader } = pair(1024);
    expect(reader.waitSync(5)).toBe(false);
    for (let i = 0; i < 8; i++) writer.tryWrite(patterned(i, 100), 100);
    expect(writer.waitForSpaceSync(100, 5)).toBe(false);
    expect(reader.next()).toBe(true);
    reader.commit();
    expect(writer.waitForSpaceSync(100, 5)).toBe(true);
  });
});

describe('PacketRing against a model queue (property)', () => {
  type Op = { kind: 'write'; length: number } | { kind: 'publish' } | { kind: 'read'; max: number };
  // Mostly writes, so the ring runs full and wraps often.
  const op = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant('write' as const), length: fc.nat({ max: 496 }) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('publish' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 1, max: 8 }) }),
    },
  );

  it('delivers exactly the accepted records, in order, byte for byte; drops only when full', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops: Op[]) => {
        const { writer, reader } = pair(1024);
        const written: { seq: number; length: number }[] = []; // accepted, unpublished
        const published: { seq: number; length: number }[] = []; // visible, unread
        let seq = 0;
        let drops = 0;
        for (const o of ops) {
          if (o.kind === 'write') {
            const used = writer.capacity - writer.freeBytes();
            const ok = writer.tryWrite(patterned(seq, o.length), o.length, seq);
            if (ok) written.push({ seq, length: o.length });
            else {
              drops++;
              // A refusal only ever happens when the record could not fit.
              const bytes = (16 + o.length + 7) & ~7;
              if (writer.capacity - used >= 2 * bytes && bytes <= writer.capacity / 2) return false;
            }
            seq++;
          } else if (o.kind === 'publish') {
            writer.publish();
            published.push(...written.splice(0));
          } else {
            for (let i = 0; i < o.max && reader.next(); i++) {
              const want = published.shift();
              if (!want || reader.meta !== want.seq || reader.length !== want.length) return false;
              const got = reader.data.subarray(reader.offset, reader.offset + reader.length);
              if (!Buffer.from(patterned(want.seq, want.length)).equals(got)) return false;
            }
            reader.commit();
          }
        }
        // Everything unread is exactly what the model still holds.
        writer.publish();
        published.push(...written.splice(0));
        while (reader.next()) if (published.shift()?.seq !== reader.meta) return false;
        reader.commit();
        return published.length === 0 && writer.stats().dropped === drops && reader.corrupted === 0;
      }),
      { numRuns: 300 },
    );
  });
});

// The worker side runs the built module (dist/), like any other consumer of the package.
const distModule = new URL('../../dist/protocol/packet-ring.js', import.meta.url).href;

/** A worker that reads `count` records and checks every byte against `patterned`. */
const checkingConsumer = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ PacketRingReader }) => {
  const reader = new PacketRingReader(workerData.sab);
  let received = 0, bad = 0, outOfOrder = 0, lastSeq = -1;
  const deadline = Date.now() + workerData.timeoutMs;
  while (Date.now() < deadline) {
    if (!reader.next()) {
      // The producer raises 'done' after its last publish; then an empty ring means the end.
      if (Atomics.load(workerData.done, 0) === 1 && !reader.hasData()) break;
      reader.waitSync(20);
      continue;
    }
    const seq = reader.meta;
    if (seq <= lastSeq) outOfOrder++;
    lastSeq = seq;
    const len = reader.length;
    if (len !== workerData.lengths[seq % workerData.lengths.length]) bad++;
    else {
      for (let i = 0; i < len; i++) {
        if (reader.data[reader.offset + i] !== ((seq * 31 + i * 7) & 0xff)) { bad++; break; }
      }
    }
    if (reader.aux !== (seq ^ 0x5a5a5a5a) >>> 0) bad++;
    received++;
  }
  reader.commit();
  parentPort.postMessage({ received, bad, outOfOrder, corrupted: reader.corrupted });
});
`;

function runConsumer(sab: SharedArrayBuffer, count: number, lengths: number[]) {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(checkingConsumer, {
    eval: true,
    workerData: { sab, done, count, lengths, module: distModule, timeoutMs: 20_000 },
  });
  const result = new Promise<{ received: number; bad: number; outOfOrder: number; corrupted: number }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  const finish = () => Atomics.store(done, 0, 1);
  return { worker, result, finish };
}

describe('PacketRing across worker_threads', () => {
  const lengths = [1200, 60, 1, 700, 1100, 0, 333];

  it('main → worker with back-pressure: every packet arrives intact and in order, across wraps', async () => {
    const count = 20_000;
    const sab = createPacketRingBuffer({ capacity: 16 * 1024 }); // small: hundreds of laps
    const writer = new PacketRingWriter(sab);
    const { worker, result, finish } = runConsumer(sab, count, lengths);
    const packets = lengths.map((len, i) => patterned(i, len));
    const deadline = Date.now() + 20_000;
    for (let seq = 0; seq < count && Date.now() < deadline; ) {
      const len = lengths[seq % lengths.length];
      // Rebuild the pattern for this seq in a reusable buffer of that length.
      const p = packets[seq % lengths.length];
      for (let i = 0; i < len; i++) p[i] = (seq * 31 + i * 7) & 0xff;
      if (writer.tryWrite(p, len, seq, (seq ^ 0x5a5a5a5a) >>> 0)) {
        seq++;
        if (seq % 16 === 0) writer.publish();
      } else {
        writer.waitForSpaceSync(len, 100);
      }
    }
    writer.publish();
    finish();
    const r = await result;
    await worker.terminate();
    // Nothing was lost: each refusal was retried after waitForSpaceSync.
    const stats = writer.stats();
    expect(stats.written).toBe(count);
    expect(r).toEqual({ received: count, bad: 0, outOfOrder: 0, corrupted: 0 });
  });

  it('main → worker without back-pressure: received + dropped = sent, no corruption', async () => {
    const count = 20_000;
    const sab = createPacketRingBuffer({ capacity: 8 * 1024 });
    const writer = new PacketRingWriter(sab, { publishEvery: 8 });
    const p = new Uint8Array(1200);
    let refused = 0;
    const { worker, result, finish } = runConsumer(sab, count, lengths);
    for (let seq = 0; seq < count; seq++) {
      const len = lengths[seq % lengths.length];
      for (let i = 0; i < len; i++) p[i] = (seq * 31 + i * 7) & 0xff;
      if (!writer.tryWrite(p, len, seq, (seq ^ 0x5a5a5a5a) >>> 0)) refused++;
    }
    writer.publish();
    finish();
    const r = await result;
    await worker.terminate();
    const stats = writer.stats();
    expect(stats.dropped).toBe(refused);
    expect(stats.written + stats.dropped).toBe(count);
    expect(r.received).toBe(stats.written);
    expect(r).toMatchObject({ bad: 0, outOfOrder: 0, corrupted: 0 });
  });
});
