/**
 * Bounds-checked big-endian reader over a byte range. Reads past `end` never
 * throw: they set `failed` and return 0 / an empty view, so an unmarshal
 * function reads every field and checks `failed` once at the end.
 */
const EMPTY = new Uint8Array(0);

export class ByteReader {
  offset: number;
  failed = false;

  constructor(
    readonly buf: Uint8Array,
    offset = 0,
    readonly end: number = buf.length,
  ) {
    this.offset = offset;
    if (end > buf.length || offset > end) this.failed = true;
  }

  get remaining(): number {
    return this.failed ? 0 : this.end - this.offset;
  }

  private take(n: number): boolean {
    if (this.failed || this.offset + n > this.end) {
      this.failed = true;
      return false;
    }
    return true;
  }

  u8(): number {
    if (!this.take(1)) return 0;
    return this.buf[this.offset++];
  }

  u16(): number {
    if (!this.take(2)) return 0;
    const b = this.buf;
    const o = this.offset;
    this.offset += 2;
    return (b[o] << 8) | b[o + 1];
  }

  u24(): number {
    if (!this.take(3)) return 0;
    const b = this.buf;
    const o = this.offset;
    this.offset += 3;
    return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
  }

  /** 48-bit unsigned (DTLS record sequence numbers); exact in a double. */
  u48(): number {
    if (!this.take(6)) return 0;
    const b = this.buf;
    const o = this.offset;
    this.offset += 6;
    return (
      ((b[o] << 8) | b[o + 1]) * 0x1_0000_0000 +
      ((b[o + 2] << 24) >>> 0) +
      ((b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5])
    );
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytes(n: number): Uint8Array {
    if (!this.take(n)) return EMPTY;
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** opaque<0..2^8-1> */
  vec8(): Uint8Array {
    return this.bytes(this.u8());
  }

  /** opaque<0..2^16-1> */
  vec16(): Uint8Array {
    return this.bytes(this.u16());
  }

  /** opaque<0..2^24-1> */
  vec24(): Uint8Array {
    return this.bytes(this.u24());
  }

  /** Succeeds only if every read fit and nothing is left over. */
  get done(): boolean {
    return !this.failed && this.offset === this.end;
  }
}
