/**
 * Growable big-endian writer used to marshal handshake messages (not on the
 * per-packet path, where records are written in place).
 */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.length);
    this.length += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf.writeUIntBE(v & 0xffffff, this.length, 3);
    this.length += 3;
    return this;
  }

  u48(v: number): this {
    this.ensure(6);
    this.buf.writeUIntBE(v, this.length, 6);
    this.length += 6;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  vec8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }

  vec16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }

  vec24(b: Uint8Array): this {
    return this.u24(b.length).bytes(b);
  }

  /** Writes a 16-bit length, runs `body`, then patches the length in. */
  lengthPrefixed16(body: (w: this) => void): this {
    const at = this.length;
    this.u16(0);
    body(this);
    this.buf.writeUInt16BE(this.length - at - 2, at);
    return this;
  }

  lengthPrefixed8(body: (w: this) => void): this {
    const at = this.length;
    this.u8(0);
    body(this);
    this.buf[at] = this.length - at - 1;
    return this;
  }

  /** A copy of the written bytes. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
