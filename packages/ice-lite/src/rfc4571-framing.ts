/**
 * RFC 4571 framing of STUN/DTLS/RTP over a TCP stream (as RFC 6544 uses it):
 * each frame is a 16-bit big-endian length then that many bytes.
 */

/** Largest frame RFC 4571 can carry. */
export const RFC4571_MAX_FRAME_LENGTH = 0xffff;

/** `payload` with its 2-byte length prefix, in a new Buffer. Throws if longer than 65535. */
export function frameRfc4571(payload: Uint8Array, length: number = payload.length): Buffer {
  if (length > RFC4571_MAX_FRAME_LENGTH) throw new RangeError('RFC 4571 frame longer than 65535 bytes');
  const out = Buffer.allocUnsafe(2 + length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out.set(payload.subarray(0, length), 2);
  return out;
}

/**
 * Splits a TCP byte stream into RFC 4571 frames, coping with frames split
 * across reads and several frames in one read. Whole frames inside a chunk
 * are handed out as views of it (no copy); only a frame cut by a read
 * boundary is copied, into one buffer that grows with the bytes actually
 * received (not with the length a frame announces: a peer that announces
 * 65535 bytes and trickles one byte at a time holds a few hundred bytes, not
 * 64 KiB, per connection). A frame announcing more than `maxFrameLength` bytes makes
 * the stream unusable: `push` returns false and the caller should close it.
 */
export class Rfc4571Deframer {
  private pending: Uint8Array | undefined;
  /** Bytes held in `pending` (prefix included). */
  private held = 0;
  private failed = false;
  /** Frames delivered so far. */
  frames = 0;

  /**
   * @param onFrame called once per frame with a view valid only during the call.
   * @param maxFrameLength cap on one frame's length (default 65535).
   */
  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    readonly maxFrameLength: number = RFC4571_MAX_FRAME_LENGTH,
  ) {}

  /** True once a frame exceeded the cap; every later push is refused. */
  get isFailed(): boolean {
    return this.failed;
  }

  /** Feeds bytes read from the stream. False when the stream must be closed. */
  push(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    let i = 0;
    const n = chunk.length;
    // Finish a frame begun in an earlier chunk.
    if (this.held > 0) {
      const p = this.pending!;
      if (this.held === 1) {
        if (n === 0) return true;
        p[1] = chunk[i++];
        this.held = 2;
      }
      const want = 2 + ((p[0] << 8) | p[1]);
      if (want - 2 > this.maxFrameLength) return this.fail();
      const take = Math.min(want - this.held, n - i);
      const into = this.reserve(this.held + take, want);
      into.set(chunk.subarray(i, i + take), this.held);
      this.held += take;
      i += take;
      if (this.held < want) return true;
      this.held = 0;
      this.deliver(into.subarray(2, want));
    }
    // Whole frames straight out of the chunk.
    while (n - i >= 2) {
      const len = (chunk[i] << 8) | chunk[i + 1];
      if (len > this.maxFrameLength) return this.fail();
      if (n - i - 2 < len) break;
      this.deliver(chunk.subarray(i + 2, i + 2 + len));
      i += 2 + len;
    }
    // Keep the cut frame's start.
    if (i < n) {
      const announced = n - i >= 2 ? 2 + ((chunk[i] << 8) | chunk[i + 1]) : 2 + this.maxFrameLength;
      this.reserve(n - i, announced).set(chunk.subarray(i, n), 0);
      this.held = n - i;
    }
    return true;
  }

  /**
   * `pending` with room for `needed` bytes, keeping what it holds. It grows by
   * doubling (at least 256 bytes) but never past `limit`, the cut frame's
   * announced size: memory follows what the peer sent.
   */
  private reserve(needed: number, limit: number): Uint8Array {
    const p = this.pending;
    if (p !== undefined && p.length >= needed) return p;
    const size = Math.min(Math.max(needed, 256, p === undefined ? 0 : p.length * 2), limit);
    // A Buffer, so frames handed out are Buffers whether or not they were cut.
    const grown = Buffer.allocUnsafe(Math.max(size, needed));
    if (p !== undefined && this.held > 0) grown.set(p.subarray(0, this.held), 0);
    this.pending = grown;
    return grown;
  }

  /** Bytes the deframer holds for a cut frame (its buffer's size). */
  get bufferedCapacity(): number {
    return this.pending === undefined ? 0 : this.pending.length;
  }

  private deliver(frame: Uint8Array): void {
    this.frames++;
    // Zero-length frames carry nothing; they are skipped.
    if (frame.length > 0) this.onFrame(frame);
  }

  private fail(): boolean {
    this.failed = true;
    this.pending = undefined;
    this.held = 0;
    return false;
  }
}
