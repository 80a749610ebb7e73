/**
 * AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32 (RFC 3711 §4.1.1,
 * §4.2.1; RFC 5764 §4.1.2): AES counter mode for confidentiality,
 * HMAC-SHA1 over header || ciphertext || ROC for SRTP and over
 * header || ciphertext || E||index for SRTCP (always 80 bits for SRTCP).
 * Encrypt-then-MAC on send; verify-then-decrypt on receive.
 */

import { AesCtrKeystream } from './aes-ctr-keystream.js';
import { HmacSha1 } from './hmac-sha1.js';
import type { SrtpSessionKeys } from './key-derivation.js';
import type { SrtpCipher } from './srtp-cipher.js';
import { SrtpError } from './srtp-error.js';

const SRTCP_TAG = 10;
const SRTCP_INDEX = 4;

export class SrtpCipherAesCmHmacSha1 implements SrtpCipher {
  readonly rtpAuthTagLength: number;
  readonly rtcpAuthTagLength = SRTCP_TAG;
  readonly rtcpTrailerLength = SRTCP_TAG + SRTCP_INDEX;
  private readonly rtpKeystream: AesCtrKeystream;
  private readonly rtcpKeystream: AesCtrKeystream;
  private readonly rtpMac: HmacSha1;
  private readonly rtcpMac: HmacSha1;
  private readonly rtpSalt: Buffer;
  private readonly rtcpSalt: Buffer;
  private readonly iv = Buffer.alloc(16);

  constructor(rtp: SrtpSessionKeys, rtcp: SrtpSessionKeys, rtpAuthTagLength: number) {
    if (rtp.salt.length !== 14 || rtcp.salt.length !== 14)
      throw new RangeError('AES-CM salt must be 14 bytes');
    if (rtp.authKey.length === 0 || rtcp.authKey.length === 0) throw new RangeError('HMAC-SHA1 key missing');
    this.rtpAuthTagLength = rtpAuthTagLength;
    this.rtpKeystream = new AesCtrKeystream(rtp.encryptionKey);
    this.rtcpKeystream = new AesCtrKeystream(rtcp.encryptionKey);
    this.rtpMac = new HmacSha1(rtp.authKey);
    this.rtcpMac = new HmacSha1(rtcp.authKey);
    this.rtpSalt = Buffer.from(rtp.salt);
    this.rtcpSalt = Buffer.from(rtcp.salt);
  }

  rtcpIndexOffset(length: number): number {
    return length - SRTCP_TAG - SRTCP_INDEX;
  }

  /**
   * IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = the 48-bit packet
   * index (ROC || SEQ for SRTP, the 31-bit SRTCP index for SRTCP).
   */
  private counterIv(salt: Buffer, ssrc: number, indexHigh: number, indexLow16: number): Buffer {
    const iv = this.iv;
    for (let i = 0; i < 14; i++) iv[i] = salt[i];
    iv[4] ^= ssrc >>> 24;
    iv[5] ^= (ssrc >>> 16) & 0xff;
    iv[6] ^= (ssrc >>> 8) & 0xff;
    iv[7] ^= ssrc & 0xff;
    iv[8] ^= indexHigh >>> 24;
    iv[9] ^= (indexHigh >>> 16) & 0xff;
    iv[10] ^= (indexHigh >>> 8) & 0xff;
    iv[11] ^= indexHigh & 0xff;
    iv[12] ^= indexLow16 >>> 8;
    iv[13] ^= indexLow16 & 0xff;
    iv[14] = 0;
    iv[15] = 0;
    return iv;
  }

  encryptRtp(
    src: Buffer,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
    dst: Buffer,
  ): number {
    if (dst !== src) src.copy(dst, 0, 0, headerLength);
    const iv = this.counterIv(this.rtpSalt, ssrc, roc, seq);
    this.rtpKeystream.xor(iv, src, headerLength, dst, headerLength, length - headerLength);
    this.rtpMac.sign(dst, 0, length, roc, dst, length, this.rtpAuthTagLength);
    return length + this.rtpAuthTagLength;
  }

  decryptRtp(
    src: Buffer,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
    dst: Buffer,
  ): number {
    const n = length - this.rtpAuthTagLength;
    if (!this.rtpMac.verify(src, 0, n, roc, src, n, this.rtpAuthTagLength)) return SrtpError.AuthFailed;
    if (dst !== src) src.copy(dst, 0, 0, headerLength);
    const iv = this.counterIv(this.rtpSalt, ssrc, roc, seq);
    this.rtpKeystream.xor(iv, src, headerLength, dst, headerLength, n - headerLength);
    return n;
  }

  encryptRtcp(src: Buffer, length: number, ssrc: number, index: number, dst: Buffer): number {
    if (dst !== src) src.copy(dst, 0, 0, 8);
    // The 31-bit index sits in bits 16..46 of the 48-bit index field.
    const iv = this.counterIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
    this.rtcpKeystream.xor(iv, src, 8, dst, 8, length - 8);
    dst.writeUInt32BE((0x80000000 | index) >>> 0, length);
    this.rtcpMac.sign(dst, 0, length + SRTCP_INDEX, -1, dst, length + SRTCP_INDEX, SRTCP_TAG);
    return length + SRTCP_INDEX + SRTCP_TAG;
  }

  decryptRtcp(
    src: Buffer,
    length: number,
    ssrc: number,
    index: number,
    encrypted: boolean,
    dst: Buffer,
  ): number {
    const tagOffset = length - SRTCP_TAG;
    if (!this.rtcpMac.verify(src, 0, tagOffset, -1, src, tagOffset, SRTCP_TAG)) return SrtpError.AuthFailed;
    const n = tagOffset - SRTCP_INDEX;
    if (encrypted) {
      if (dst !== src) src.copy(dst, 0, 0, 8);
      const iv = this.counterIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      this.rtcpKeystream.xor(iv, src, 8, dst, 8, n - 8);
    } else if (dst !== src) {
      src.copy(dst, 0, 0, n);
    }
    return n;
  }
}
