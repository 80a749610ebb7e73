/**
 * A single-producer / single-consumer ring of variable-length packets in a
 * SharedArrayBuffer: the I/O thread ↔ worker hot path. One side builds a
 * `PacketRingWriter`, the other a `PacketRingReader`, over the same buffer.
 *
 * Layout: a control block of Int32 words, each on its own 64-byte line so the
 * two threads do not false-share, then the data region (a power of two of
 * bytes). Records are 8-byte aligned:
 *
 *   [u32 length][u32 meta][u32 aux][u32 reserved][payload …][pad to 8]
 *
 * A record never straddles the end: when it does not fit before the end, the
 * writer leaves a WRAP marker in the length word and starts again at 0.
 *
 * Cursors are free-running u32 byte counts (position = cursor & mask), so
 * `write - read` is the bytes in use even across 2^32 wraps. The writer copies
 * payloads with plain stores and publishes its cursor with `Atomics.store`
 * (sequentially consistent, so it orders the payload before it); the reader
 * `Atomics.load`s that cursor before reading anything behind it. The same
 * holds the other way for the read cursor, so no record is read torn or
 * overwritten before it is released.
 *
 * Publishing is batched: `tryWrite` only copies; `publish()` makes every
 * record written since the last publish visible with one atomic store (and
 * `publishEvery` does it automatically). Wake-ups cost a syscall, so they are
 * only paid when the other side said it is going to sleep: the reader sets
 * `CONSUMER_WAITING`, re-checks, then `Atomics.wait`s on the write cursor;
 * `publish()` notifies only when it sees that flag.
 *
 * Nothing here allocates per packet; a full ring drops the packet and counts
 * it (the I/O thread must never block on a slow worker).
 */

/** Bytes before each payload. */
export const PACKET_RING_RECORD_HEADER = 16;

// Control block: Int32 word indices, 16 words (64 bytes) apart.
const CTRL_WRITE = 0;
const CTRL_READ = 16;
const CTRL_CONSUMER_WAITING = 32;
const CTRL_PRODUCER_WAITING = 48;
const CTRL_DROPPED = 64;
const CTRL_WRITTEN = 80;
const CTRL_CAPACITY = 96;
const CTRL_MAGIC = 97;
const CTRL_WORDS = 112;
const CTRL_BYTES = CTRL_WORDS * 4;

const MAGIC = 0x52494e47; // 'RING'
const WRAP_MARKER = 0xffffffff;
const MIN_CAPACITY = 1024;
const MAX_CAPACITY = 1 << 30;

// Buffer#copy copies between any Uint8Arrays without allocating a subarray view.
const bufferCopy = Buffer.prototype.copy;

/** Options of `createPacketRingBuffer`. */
export interface PacketRingOptions {
  /** Bytes of the data region; rounded up to a power of two (1 KiB … 1 GiB). Default 1 MiB. */
  capacity?: number;
}

/** Counters of a ring, readable from either side. */
export interface PacketRingStats {
  /** Bytes of the data region. */
  capacity: number;
  /** Bytes published and not yet released by the reader. */
  usedBytes: number;
  /** Records published by the writer. */
  written: number;
  /** Records the writer dropped (ring full or record too large). */
  dropped: number;
}

function roundUpPowerOfTwo(n: number): number {
  let p = MIN_CAPACITY;
  while (p < n) p *= 2;
  return p;
}

/** Allocates and initialises the shared memory of a ring. Hand it to both threads. */
export function createPacketRingBuffer(options: PacketRingOptions = {}): SharedArrayBuffer {
  const requested = options.capacity ?? 1 << 20;
  if (!Number.isInteger(requested) || requested <= 0 || requested > MAX_CAPACITY) {
    throw new TypeError(`invalid ring capacity ${requested}`);
  }
  const capacity = roundUpPowerOfTwo(requested);
  const sab = new SharedArrayBuffer(CTRL_BYTES + capacity);
  const ctrl = new Int32Array(sab, 0, CTRL_WORDS);
  ctrl[CTRL_CAPACITY] = capacity;
  ctrl[CTRL_MAGIC] = MAGIC;
  return sab;
}

/** The views both sides share; validates the buffer once, at construction. */
abstract class PacketRingEnd {
  /** The data region. A reader's record lives at `data[offset, offset + length)`. */
  readonly data: Buffer;
  /** Bytes of the data region. */
  readonly capacity: number;
  /** Largest payload a record can carry: half the ring, so a record always fits once the ring drains. */
  readonly maxPayloadLength: number;
  protected readonly ctrl: Int32Array;
  protected readonly words: Uint32Array;
  protected readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < CTRL_BYTES + MIN_CAPACITY) {
      throw new TypeError('not a packet ring buffer');
    }
    this.ctrl = new Int32Array(buffer, 0, CTRL_WORDS);
    const capacity = this.ctrl[CTRL_CAPACITY];
    if (
      this.ctrl[CTRL_MAGIC] !== MAGIC ||
      capacity < MIN_CAPACITY ||
      (capacity & (capacity - 1)) !== 0 ||
      buffer.byteLength !== CTRL_BYTES + capacity
    ) {
      throw new TypeError('not a packet ring buffer');
    }
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.maxPayloadLength = capacity / 2 - PACKET_RING_RECORD_HEADER;
    this.data = Buffer.from(buffer, CTRL_BYTES, capacity);
    this.words = new Uint32Array(buffer, CTRL_BYTES, capacity / 4);
  }

  /** Counters; allocates, so call it from control paths, not per packet. */
  stats(): PacketRingStats {
    const write = Atomics.load(this.ctrl, CTRL_WRITE) >>> 0;
    const read = Atomics.load(this.ctrl, CTRL_READ) >>> 0;
    return {
      capacity: this.capacity,
      usedBytes: (write - read) >>> 0,
      written: Atomics.load(this.ctrl, CTRL_WRITTEN) >>> 0,
      dropped: Atomics.load(this.ctrl, CTRL_DROPPED) >>> 0,
    };
  }
}

/** Bytes a record of `length` payload bytes occupies. */
function recordBytes(length: number): number {
  return (PACKET_RING_RECORD_HEADER + length + 7) & ~7;
}

/** The producing end. Use it from one thread only. */
export class PacketRingWriter extends PacketRingEnd {
  /** Records written and not yet published. */
  pending = 0;
  /** Publish automatically after this many records (0: only on `publish()`). */
  publishEvery: number;
  private write: number;
  private readCache: number;

  constructor(buffer: SharedArrayBuffer, { publishEvery = 0 }: { publishEvery?: number } = {}) {
    super(buffer);
    this.publishEvery = publishEvery;
    this.write = Atomics.load(this.ctrl, CTRL_WRITE) >>> 0;
    this.readCache = Atomics.load(this.ctrl, CTRL_READ) >>> 0;
  }

  /**
   * Copies `src[srcOffset, srcOffset + length)` into the ring with two u32
   * words of metadata (e.g. the index of the remote address, a socket id).
   * Not visible to the reader until published. Returns false, and counts a
   * drop, when the ring is full or the payload is larger than
   * `maxPayloadLength`.
   */
  tryWrite(src: Uint8Array, length: number = src.length, meta = 0, aux = 0, srcOffset = 0): boolean {
    if (
      (length | 0) !== length ||
      length < 0 ||
      length > this.maxPayloadLength ||
      (srcOffset | 0) !== srcOffset ||
      srcOffset < 0 ||
      srcOffset + length > src.length
    ) {
      Atomics.add(this.ctrl, CTRL_DROPPED, 1);
      return false;
    }
    const bytes = recordBytes(length);
    let pos = this.write & this.mask;
    const tail = this.capacity - pos;
    const need = bytes <= tail ? bytes : tail + bytes;
    if (this.capacity - ((this.write - this.readCache) >>> 0) < need) {
      // Only touch the shared read cursor when the cached one says "full".
      this.readCache = Atomics.load(this.ctrl, CTRL_READ) >>> 0;
      if (this.capacity - ((this.write - this.readCache) >>> 0) < need) {
        Atomics.add(this.ctrl, CTRL_DROPPED, 1);
        return false;
      }
    }
    if (bytes > tail) {
      this.words[pos >> 2] = WRAP_MARKER;
      this.write = (this.write + tail) >>> 0;
      pos = 0;
    }
    const w = pos >> 2;
    this.words[w] = length;
    this.words[w + 1] = meta;
    this.words[w + 2] = aux;
    this.words[w + 3] = 0;
    bufferCopy.call(src, this.data, pos + PACKET_RING_RECORD_HEADER, srcOffset, srcOffset + length);
    this.write = (this.write + bytes) >>> 0;
    this.pending++;
    if (this.publishEvery > 0 && this.pending >= this.publishEvery) this.publish();
    return true;
  }

  /** Makes every written record visible, and wakes the reader if it said it sleeps. */
  publish(): void {
    if (this.pending === 0) return;
    Atomics.store(this.ctrl, CTRL_WRITE, this.write | 0);
    Atomics.add(this.ctrl, CTRL_WRITTEN, this.pending);
    this.pending = 0;
    if (Atomics.load(this.ctrl, CTRL_CONSUMER_WAITING) !== 0) {
      Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 0);
      Atomics.notify(this.ctrl, CTRL_WRITE);
    }
  }

  /** Bytes free for new records, as far as this writer knows right now. */
  freeBytes(): number {
    this.readCache = Atomics.load(this.ctrl, CTRL_READ) >>> 0;
    return this.capacity - ((this.write - this.readCache) >>> 0);
  }

  /**
   * Blocks this thread (up to `timeoutMs`) until the reader releases space,
   * for producers that prefer back-pressure to drops (benchmarks, tests).
   * Publishes pending records first. Returns false on timeout. Never use it
   * on the I/O thread or the main thread.
   */
  waitForSpaceSync(bytesNeeded: number, timeoutMs: number): boolean {
    this.publish();
    const bytes = recordBytes(bytesNeeded);
    const tail = this.capacity - (this.write & this.mask);
    const need = bytes <= tail ? bytes : tail + bytes;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      Atomics.store(this.ctrl, CTRL_PRODUCER_WAITING, 1);
      const read = Atomics.load(this.ctrl, CTRL_READ);
      this.readCache = read >>> 0;
      if (this.capacity - ((this.write - this.readCache) >>> 0) >= need) {
        Atomics.store(this.ctrl, CTRL_PRODUCER_WAITING, 0);
        return true;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        Atomics.store(this.ctrl, CTRL_PRODUCER_WAITING, 0);
        return false;
      }
      Atomics.wait(this.ctrl, CTRL_READ, read, left);
    }
  }
}

/**
 * The consuming end. Use it from one thread only. After `next()` returns
 * true, the record is `data[offset, offset + length)` with `meta` and `aux`;
 * it stays valid until the following `next()`, `commit()` or wait.
 */
export class PacketRingReader extends PacketRingEnd {
  /** Offset in `data` of the current record's payload. */
  offset = 0;
  /** Payload length of the current record. */
  length = 0;
  /** First metadata word of the current record. */
  meta = 0;
  /** Second metadata word of the current record. */
  aux = 0;
  /** Records found malformed (only a misbehaving writer can cause it); the ring was skipped to its end. */
  corrupted = 0;
  private read: number;
  private writeCache: number;
  private committed: number;
  private readonly commitThreshold: number;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.read = Atomics.load(this.ctrl, CTRL_READ) >>> 0;
    this.committed = this.read;
    this.writeCache = Atomics.load(this.ctrl, CTRL_WRITE) >>> 0;
    // Release space in quarters of the ring while a long batch is being read.
    this.commitThreshold = this.capacity / 4;
  }

  /** Advances to the next published record. Returns false when there is none. Never throws. */
  next(): boolean {
    if (this.read === this.writeCache) {
      this.writeCache = Atomics.load(this.ctrl, CTRL_WRITE) >>> 0;
      if (this.read === this.writeCache) return false;
    }
    // Everything before this record has been handed out: release it in big steps.
    if ((this.read - this.committed) >>> 0 >= this.commitThreshold) this.commitTo(this.read);

    let pos = this.read & this.mask;
    let length = this.words[pos >> 2];
    if (length === WRAP_MARKER) {
      this.read = (this.read + (this.capacity - pos)) >>> 0;
      pos = 0;
      length = this.words[0];
    }
    const bytes = recordBytes(length);
    if (length > this.maxPayloadLength || bytes > (this.writeCache - this.read) >>> 0) {
      // Cannot happen with a PacketRingWriter; never read past what was published.
      this.corrupted++;
      this.read = this.writeCache;
      this.commitTo(this.read);
      return false;
    }
    const w = pos >> 2;
    this.meta = this.words[w + 1];
    this.aux = this.words[w + 2];
    this.offset = pos + PACKET_RING_RECORD_HEADER;
    this.length = length;
    this.read = (this.read + bytes) >>> 0;
    return true;
  }

  /** Copies the current record's payload into `dst` at `dstOffset`; returns the bytes copied. */
  copyRecord(dst: Uint8Array, dstOffset = 0): number {
    return bufferCopy.call(this.data, dst, dstOffset, this.offset, this.offset + this.length);
  }

  /**
   * Calls `onRecord` for up to `max` records, then releases them. Pass a
   * function created once, not a fresh closure per call.
   */
  drain(
    onRecord: (data: Buffer, offset: number, length: number, meta: number, aux: number) => void,
    max = Number.POSITIVE_INFINITY,
  ): number {
    let n = 0;
    while (n < max && this.next()) {
      onRecord(this.data, this.offset, this.length, this.meta, this.aux);
      n++;
    }
    this.commit();
    return n;
  }

  /** Releases every record read so far to the writer. */
  commit(): void {
    this.commitTo(this.read);
  }

  private commitTo(cursor: number): void {
    if (cursor === this.committed) return;
    this.committed = cursor;
    Atomics.store(this.ctrl, CTRL_READ, cursor | 0);
    if (Atomics.load(this.ctrl, CTRL_PRODUCER_WAITING) !== 0) {
      Atomics.store(this.ctrl, CTRL_PRODUCER_WAITING, 0);
      Atomics.notify(this.ctrl, CTRL_READ);
    }
  }

  /** True when a published record is waiting. */
  hasData(): boolean {
    if (this.read !== this.writeCache) return true;
    this.writeCache = Atomics.load(this.ctrl, CTRL_WRITE) >>> 0;
    return this.read !== this.writeCache;
  }

  /**
   * Blocks this thread until a record is published or `timeoutMs` passes
   * (for a worker that has nothing else to do). Commits first. Returns
   * whether data is available.
   */
  waitSync(timeoutMs: number): boolean {
    const observed = this.prepareWait();
    if (observed === undefined) return true;
    Atomics.wait(this.ctrl, CTRL_WRITE, observed, timeoutMs);
    Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 0);
    return this.hasData();
  }

  /**
   * Resolves when a record is published or `timeoutMs` passes, without
   * blocking the event loop (one Promise per idle period, not per packet).
   * Commits first. Resolves to whether data is available.
   */
  waitAsync(timeoutMs: number): Promise<boolean> {
    const observed = this.prepareWait();
    if (observed === undefined) return Promise.resolve(true);
    const result = Atomics.waitAsync(this.ctrl, CTRL_WRITE, observed, timeoutMs);
    if (!result.async) {
      Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 0);
      return Promise.resolve(this.hasData());
    }
    return result.value.then(() => {
      Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 0);
      return this.hasData();
    });
  }

  // Announce the sleep, then re-check: a publish racing with us either is seen
  // here or sees the flag and notifies. Returns the write word to wait on.
  private prepareWait(): number | undefined {
    this.commit();
    Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 1);
    const observed = Atomics.load(this.ctrl, CTRL_WRITE);
    if (observed >>> 0 !== this.read) {
      Atomics.store(this.ctrl, CTRL_CONSUMER_WAITING, 0);
      this.writeCache = observed >>> 0;
      return undefined;
    }
    return observed;
  }
}
