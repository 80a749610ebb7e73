/**
 * HMAC-SHA1 (RFC 2104) for SRTP authentication, built for per-packet cost:
 * - the SHA-1 states after the `K XOR ipad` and `K XOR opad` blocks are
 *   computed once per key;
 * - the inner hash of a short input (up to `jsMaxInnerBlocks` blocks) runs in
 *   JS from the ipad state; a longer one is one native `crypto.hash('sha1')`
 *   call over a reused scratch buffer holding `K XOR ipad || data || ROC`;
 * - the outer hash (one block from the opad state) always runs in JS.
 * Measured against `createHmac` per packet in bench/src/srtp.ts (README).
 */
import * as nodeCrypto from 'node:crypto';
import { SHA1_INITIAL_STATE, sha1Compress } from './sha1-block.js';

const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;
const BLOCK = 64;

export interface HmacSha1Options {
  /**
   * Inner hashes of at most this many 64-byte blocks (after the ipad block,
   * padding included) are computed in JS, longer ones natively. Default 4:
   * the crossover measured on Node 20 with SHA extensions. `Infinity` forces JS.
   */
  jsMaxInnerBlocks?: number;
}

export class HmacSha1 {
  private readonly ipadState = new Int32Array(5);
  private readonly opadState = new Int32Array(5);
  private readonly state = new Int32Array(5);
  private readonly jsMaxInnerBlocks: number;
  /** K XOR ipad || data || suffix, for the native inner hash. */
  private scratch: Buffer;
  /** Padded tail blocks for the JS inner hash, and the outer block. */
  private readonly tail = Buffer.alloc(4 * BLOCK);
  private readonly outerBlock = Buffer.alloc(BLOCK);
  private readonly ipadBlock = Buffer.alloc(BLOCK);
  private readonly digestBytes = Buffer.alloc(20);

  constructor(key: Uint8Array, options: HmacSha1Options = {}) {
    if (key.length > BLOCK) throw new RangeError('HMAC key longer than one block');
    this.jsMaxInnerBlocks = oneShotHash === undefined ? Infinity : (options.jsMaxInnerBlocks ?? 4);
    const opadBlock = Buffer.alloc(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i] : 0;
      this.ipadBlock[i] = k ^ 0x36;
      opadBlock[i] = k ^ 0x5c;
    }
    this.ipadState.set(SHA1_INITIAL_STATE);
    sha1Compress(this.ipadState, this.ipadBlock, 0);
    this.opadState.set(SHA1_INITIAL_STATE);
    sha1Compress(this.opadState, opadBlock, 0);
    // Outer block: inner digest (20 bytes) || 0x80 || zeros || bit length of opad block + digest.
    this.outerBlock[20] = 0x80;
    this.outerBlock.writeUInt32BE((BLOCK + 20) * 8, 60);
    this.scratch = Buffer.alloc(0);
    this.growScratch(1600);
  }

  private growScratch(dataBytes: number): void {
    const next = Buffer.alloc(BLOCK + dataBytes + 4);
    this.ipadBlock.copy(next, 0);
    this.scratch = next;
  }

  /**
   * Writes the first `tagLength` bytes of HMAC(data[off..off+n) || suffix32) to
   * `out[outOff..)`, where `suffix32` (the SRTP ROC) is appended big-endian
   * unless it is negative.
   */
  sign(
    data: Buffer,
    off: number,
    n: number,
    suffix32: number,
    out: Buffer,
    outOff: number,
    tagLength: number,
  ): void {
    this.digestInto(data, off, n, suffix32).copy(out, outOff, 0, tagLength);
  }

  /** Constant-time comparison of the truncated HMAC with `tag[tagOff..+tagLength)`. */
  verify(
    data: Buffer,
    off: number,
    n: number,
    suffix32: number,
    tag: Buffer,
    tagOff: number,
    tagLength: number,
  ): boolean {
    const digest = this.digestInto(data, off, n, suffix32);
    let diff = 0;
    for (let i = 0; i < tagLength; i++) diff |= digest[i] ^ tag[tagOff + i];
    return diff === 0;
  }

  /** The 20-byte HMAC in a reused buffer (valid until the next call). */
  private digestInto(data: Buffer, off: number, n: number, suffix32: number): Buffer {
    const total = n + (suffix32 >= 0 ? 4 : 0);
    const innerBlocks = (total + 9 + BLOCK - 1) >>> 6;
    const ob = this.outerBlock;
    if (innerBlocks <= this.jsMaxInnerBlocks) {
      const st = this.state;
      st.set(this.ipadState);
      let o = off;
      let left = n;
      while (left >= BLOCK) {
        sha1Compress(st, data, o);
        o += BLOCK;
        left -= BLOCK;
      }
      // Remaining data, suffix and padding go through the tail buffer.
      const tail = this.tail;
      data.copy(tail, 0, o, o + left);
      let t = left;
      if (suffix32 >= 0) {
        tail.writeUInt32BE(suffix32 >>> 0, t);
        t += 4;
      }
      tail[t++] = 0x80;
      const end = t + 8 <= BLOCK ? BLOCK : 2 * BLOCK;
      tail.fill(0, t, end - 4);
      tail.writeUInt32BE(((BLOCK + total) * 8) >>> 0, end - 4);
      sha1Compress(st, tail, 0);
      if (end > BLOCK) sha1Compress(st, tail, BLOCK);
      for (let i = 0; i < 5; i++) ob.writeInt32BE(st[i], i * 4);
    } else {
      if (this.scratch.length < BLOCK + total) this.growScratch(total + 256);
      const scratch = this.scratch;
      data.copy(scratch, BLOCK, off, off + n);
      if (suffix32 >= 0) scratch.writeUInt32BE(suffix32 >>> 0, BLOCK + n);
      (oneShotHash as typeof nodeCrypto.hash)('sha1', scratch.subarray(0, BLOCK + total), 'buffer').copy(
        ob,
        0,
      );
    }
    const st = this.state;
    st.set(this.opadState);
    sha1Compress(st, ob, 0);
    const d = this.digestBytes;
    for (let i = 0; i < 5; i++) d.writeInt32BE(st[i], i * 4);
    return d;
  }
}
