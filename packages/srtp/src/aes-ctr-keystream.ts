/**
 * AES counter mode (RFC 3711 §4.1.1) driven by one long-lived `aes-*-ecb`
 * cipher: per packet we write the counter blocks IV, IV+1, … into a reused
 * buffer, get the keystream with a single `update` call and XOR it in JS,
 * 32 bits at a time when the buffers are aligned. This avoids a
 * `createCipheriv` per packet, which costs more than the XOR (see README and
 * `bench/src/srtp.ts` for the measurements).
 */
import { type Cipher, createCipheriv } from 'node:crypto';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class AesCtrKeystream {
  private readonly ecb: Cipher;
  private counterBlocks: Buffer;
  private counterWords: Int32Array;
  /** Per block: the 16-bit block counter as it sits in the block's last word. */
  private counterTail: Int32Array;
  private capacityBlocks = 0;
  // Int32 views over the whole ArrayBuffer of the last src/dst seen: a hit when
  // the caller reuses buffers (ring slots, send buffers); a miss costs one view.
  private srcAb: ArrayBufferLike | null = null;
  private src32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private dstAb: ArrayBufferLike | null = null;
  private dst32: Int32Array<ArrayBufferLike> = new Int32Array(0);

  constructor(key: Uint8Array) {
    this.ecb = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
    this.counterBlocks = Buffer.alloc(0);
    this.counterWords = new Int32Array(0);
    this.counterTail = new Int32Array(0);
    this.grow(96); // 1536 bytes: any MTU-sized packet
  }

  private grow(blocks: number): void {
    // Own ArrayBuffer, so the Int32 view is aligned.
    const words = new Int32Array(blocks * 4);
    this.counterWords = words;
    this.counterBlocks = Buffer.from(words.buffer, 0, blocks * 16);
    this.counterTail = new Int32Array(blocks);
    const tailBytes = new Uint8Array(this.counterTail.buffer);
    for (let b = 0; b < blocks; b++) {
      this.counterBlocks[b * 16 + 14] = b >>> 8;
      this.counterBlocks[b * 16 + 15] = b & 0xff;
      tailBytes[b * 4 + 2] = b >>> 8;
      tailBytes[b * 4 + 3] = b & 0xff;
    }
    this.capacityBlocks = blocks;
  }

  /**
   * dst[dstOff..+n) = src[srcOff..+n) XOR AES-CTR keystream starting at `iv`
   * (16 bytes whose last two bytes are zero: the block counter goes there).
   * `src` and `dst` may be the same buffer at the same offset.
   */
  xor(iv: Uint8Array, src: Buffer, srcOff: number, dst: Buffer, dstOff: number, n: number): void {
    if (n <= 0) return;
    const blocks = (n + 15) >>> 4;
    // 2^16 blocks = 1 MiB, beyond any datagram: a caller bug, not network input.
    if (blocks > 0xffff) throw new RangeError('AES-CM payload longer than 2^16 blocks');
    if (blocks > this.capacityBlocks) this.grow(blocks);
    const cb = this.counterBlocks;
    if (LITTLE_ENDIAN) {
      // Counter block b = IV bytes 0..13 || b (16 bits): four word stores per block.
      const w = this.counterWords;
      const tail = this.counterTail;
      const w0 = iv[0] | (iv[1] << 8) | (iv[2] << 16) | (iv[3] << 24);
      const w1 = iv[4] | (iv[5] << 8) | (iv[6] << 16) | (iv[7] << 24);
      const w2 = iv[8] | (iv[9] << 8) | (iv[10] << 16) | (iv[11] << 24);
      const w3 = iv[12] | (iv[13] << 8);
      for (let b = 0, o = 0; b < blocks; b++, o += 4) {
        w[o] = w0;
        w[o + 1] = w1;
        w[o + 2] = w2;
        w[o + 3] = w3 | tail[b];
      }
    } else {
      for (let b = 0; b < blocks; b++) {
        const o = b << 4;
        for (let i = 0; i < 14; i++) cb[o + i] = iv[i];
      }
    }
    const ks = this.ecb.update(cb.subarray(0, blocks << 4));
    const sAbs = src.byteOffset + srcOff;
    const dAbs = dst.byteOffset + dstOff;
    let i = 0;
    if (((sAbs | dAbs | ks.byteOffset) & 3) === 0 && n >= 16) {
      if (src.buffer !== this.srcAb) {
        this.srcAb = src.buffer;
        this.src32 = new Int32Array(src.buffer, 0, src.buffer.byteLength >>> 2);
      }
      if (dst.buffer !== this.dstAb) {
        this.dstAb = dst.buffer;
        this.dst32 = new Int32Array(dst.buffer, 0, dst.buffer.byteLength >>> 2);
      }
      const k32 = new Int32Array(ks.buffer, ks.byteOffset, ks.length >>> 2);
      const s32 = this.src32;
      const d32 = this.dst32;
      const words = n >>> 2;
      const s0 = sAbs >>> 2;
      const d0 = dAbs >>> 2;
      for (let w = 0; w < words; w++) d32[d0 + w] = s32[s0 + w] ^ k32[w];
      i = words << 2;
    }
    for (; i < n; i++) dst[dstOff + i] = src[srcOff + i] ^ ks[i];
  }
}
