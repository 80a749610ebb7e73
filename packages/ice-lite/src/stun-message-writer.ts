/**
 * Builds STUN messages into a caller-owned buffer: the marshal side of
 * {@link StunMessageView}. One writer and one buffer are reused for every
 * response an agent sends; nothing is allocated per attribute.
 */
import { createHmac } from 'node:crypto';
import { writeIpAddress } from './ip-address.js';
import {
  STUN_FAMILY_IPV4,
  STUN_FAMILY_IPV6,
  STUN_FINGERPRINT_ATTRIBUTE_LENGTH,
  STUN_HEADER_LENGTH,
  STUN_INTEGRITY_ATTRIBUTE_LENGTH,
  STUN_MAGIC_COOKIE,
  StunAttr,
  type StunClass,
  stunMessageType,
} from './stun-constants.js';
import { computeStunFingerprint, type StunIntegrityKey } from './stun-integrity.js';

/** Thrown only by the writer (a programming error: the buffer is too small or an address is not an IP). */
export class StunWriteError extends Error {}

export class StunMessageWriter {
  /** Bytes written so far: the message is `buf[0..length)`. */
  length = 0;

  /** @param buf where messages are built; 548 bytes holds any response this package sends. */
  constructor(readonly buf: Uint8Array = new Uint8Array(548)) {}

  /**
   * Starts a message. The transaction id is copied from `txId[txIdOffset..+12)`
   * (a request being answered, typically), or random when `txId` is omitted.
   */
  begin(method: number, cls: StunClass, txId?: Uint8Array, txIdOffset = 0): this {
    const b = this.buf;
    const type = stunMessageType(method, cls);
    b[0] = type >> 8;
    b[1] = type & 0xff;
    b[2] = 0;
    b[3] = 0;
    writeUint32(b, 4, STUN_MAGIC_COOKIE);
    if (txId) {
      for (let i = 0; i < 12; i++) b[8 + i] = txId[txIdOffset + i];
    } else {
      for (let i = 0; i < 12; i++) b[8 + i] = (Math.random() * 256) | 0;
    }
    this.length = STUN_HEADER_LENGTH;
    return this;
  }

  /** Appends an attribute header and returns the value offset; pads the previous value. */
  private attribute(type: number, len: number): number {
    const o = this.length;
    const padded = (len + 3) & ~3;
    if (o + 4 + padded > this.buf.length) throw new StunWriteError('STUN message does not fit the buffer');
    const b = this.buf;
    b[o] = type >> 8;
    b[o + 1] = type & 0xff;
    b[o + 2] = len >> 8;
    b[o + 3] = len & 0xff;
    // Zero the padding so nothing stale leaks from a reused buffer.
    for (let i = o + 4 + len; i < o + 4 + padded; i++) b[i] = 0;
    this.length = o + 4 + padded;
    this.setBodyLength(this.length - STUN_HEADER_LENGTH);
    return o + 4;
  }

  private setBodyLength(n: number): void {
    this.buf[2] = n >> 8;
    this.buf[3] = n & 0xff;
  }

  /** A zero-length flag attribute (USE-CANDIDATE). */
  addFlag(type: number): this {
    this.attribute(type, 0);
    return this;
  }

  /** A 32-bit attribute (PRIORITY, NOMINATION). */
  addUint32(type: number, value: number): this {
    writeUint32(this.buf, this.attribute(type, 4), value >>> 0);
    return this;
  }

  /** A 64-bit attribute (ICE-CONTROLLING / ICE-CONTROLLED tie-breakers). */
  addUint64(type: number, value: bigint): this {
    const o = this.attribute(type, 8);
    writeUint32(this.buf, o, Number((value >> 32n) & 0xffffffffn));
    writeUint32(this.buf, o + 4, Number(value & 0xffffffffn));
    return this;
  }

  /** UTF-8 text (USERNAME, SOFTWARE, REALM, NONCE). */
  addString(type: number, text: string): this {
    const len = Buffer.byteLength(text, 'utf8');
    const o = this.attribute(type, len);
    Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).write(text, o, len, 'utf8');
    return this;
  }

  /** Raw bytes `src[start..end)`. */
  addBytes(type: number, src: Uint8Array, start = 0, end: number = src.length): this {
    const o = this.attribute(type, end - start);
    for (let i = start; i < end; i++) this.buf[o + i - start] = src[i];
    return this;
  }

  /** XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS with `xor = false`) for `ip:port`. */
  addAddress(ip: string, port: number, type: number = StunAttr.XorMappedAddress): this {
    const xor = type !== StunAttr.MappedAddress;
    const b = this.buf;
    // An IPv4 peer seen through a dual-stack socket ("::ffff:a.b.c.d") is reported as the IPv4 address it is.
    const start = isV4Mapped(ip) ? 7 : 0;
    const v4 = start > 0 || ip.indexOf(':') < 0;
    const o = this.attribute(type, v4 ? 8 : 20);
    const family = writeIpAddress(start > 0 ? ip.substring(start) : ip, b, o + 4);
    if (family === 0 || (family === 4) !== (this.length - o === 8)) {
      throw new StunWriteError(`not an IP address: ${ip}`);
    }
    b[o] = 0;
    b[o + 1] = family === 4 ? STUN_FAMILY_IPV4 : STUN_FAMILY_IPV6;
    const p = xor ? port ^ (STUN_MAGIC_COOKIE >>> 16) : port;
    b[o + 2] = (p >> 8) & 0xff;
    b[o + 3] = p & 0xff;
    if (xor) {
      // Cookie then transaction id: header bytes 4..20 are the XOR key.
      const n = family === 4 ? 4 : 16;
      for (let i = 0; i < n; i++) b[o + 4 + i] ^= b[4 + i];
    }
    return this;
  }

  /** ERROR-CODE with a reason phrase. */
  addErrorCode(code: number, reason: string): this {
    const ascii = isAscii(reason);
    const len = 4 + (ascii ? reason.length : Buffer.byteLength(reason, 'utf8'));
    const o = this.attribute(StunAttr.ErrorCode, len);
    const b = this.buf;
    b[o] = 0;
    b[o + 1] = 0;
    b[o + 2] = Math.floor(code / 100) & 0x07;
    b[o + 3] = code % 100;
    // Error answers go to unauthenticated senders too: write ASCII phrases without a temporary Buffer.
    if (ascii) for (let i = 0; i < reason.length; i++) b[o + 4 + i] = reason.charCodeAt(i);
    else Buffer.from(b.buffer, b.byteOffset, b.length).write(reason, o + 4, len - 4, 'utf8');
    return this;
  }

  /** UNKNOWN-ATTRIBUTES listing `types[0..count)`. */
  addUnknownAttributes(types: ArrayLike<number>, count: number = types.length): this {
    const o = this.attribute(StunAttr.UnknownAttributes, count * 2);
    for (let i = 0; i < count; i++) {
      this.buf[o + i * 2] = types[i] >> 8;
      this.buf[o + i * 2 + 1] = types[i] & 0xff;
    }
    return this;
  }

  /** MESSAGE-INTEGRITY (HMAC-SHA1) over everything written so far. */
  addIntegrity(key: StunIntegrityKey): this {
    const at = this.length;
    if (at + STUN_INTEGRITY_ATTRIBUTE_LENGTH > this.buf.length) {
      throw new StunWriteError('STUN message does not fit the buffer');
    }
    // The buffer is ours: set the length MESSAGE-INTEGRITY expects in place and hash in one update.
    this.setBodyLength(at + STUN_INTEGRITY_ATTRIBUTE_LENGTH - STUN_HEADER_LENGTH);
    const digest = createHmac('sha1', key).update(this.buf.subarray(0, at)).digest();
    const o = this.attribute(StunAttr.MessageIntegrity, 20);
    for (let i = 0; i < 20; i++) this.buf[o + i] = digest[i];
    return this;
  }

  /** MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, 32 bytes, RFC 8489 §14.6) over everything written so far. */
  addIntegritySha256(key: StunIntegrityKey): this {
    const at = this.length;
    if (at + 36 > this.buf.length) throw new StunWriteError('STUN message does not fit the buffer');
    this.setBodyLength(at + 36 - STUN_HEADER_LENGTH);
    const digest = createHmac('sha256', key).update(this.buf.subarray(0, at)).digest();
    const o = this.attribute(StunAttr.MessageIntegritySha256, 32);
    for (let i = 0; i < 32; i++) this.buf[o + i] = digest[i];
    return this;
  }

  /** FINGERPRINT over everything written so far; must be the last attribute. */
  addFingerprint(): this {
    const at = this.length;
    // The CRC covers a header whose length already includes FINGERPRINT itself.
    if (at + STUN_FINGERPRINT_ATTRIBUTE_LENGTH > this.buf.length) {
      throw new StunWriteError('STUN message does not fit the buffer');
    }
    this.setBodyLength(at + STUN_FINGERPRINT_ATTRIBUTE_LENGTH - STUN_HEADER_LENGTH);
    const crc = computeStunFingerprint(this.buf, at);
    const o = this.attribute(StunAttr.Fingerprint, 4);
    writeUint32(this.buf, o, crc);
    return this;
  }

  /** A copy of the message built so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Size of MESSAGE-INTEGRITY plus FINGERPRINT, for callers sizing buffers. */
export const STUN_TRAILER_LENGTH = STUN_INTEGRITY_ATTRIBUTE_LENGTH + STUN_FINGERPRINT_ATTRIBUTE_LENGTH;

function isV4Mapped(ip: string): boolean {
  if (ip.length < 14 || ip.charCodeAt(0) !== 0x3a || ip.charCodeAt(1) !== 0x3a || ip.indexOf('.') < 0)
    return false;
  return ip.substring(2, 7).toLowerCase() === 'ffff:';
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function writeUint32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
