/**
 * AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714). GCM needs a fresh IV per
 * packet and node:crypto cannot re-IV a cipher object, so each packet costs one
 * `createCipheriv`/`createDecipheriv` with setAAD + update + final + auth tag:
 * encryption and authentication in one native pass. The only extra work is the
 * 12-byte IV (written into a reused buffer) and copying node's output Buffers
 * into place.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import type { SrtpSessionKeys } from './key-derivation.js';
import type { SrtpCipher } from './srtp-cipher.js';
import { SrtpError } from './srtp-error.js';

const TAG = 16;
const SRTCP_INDEX = 4;

export class SrtpCipherAeadAesGcm implements SrtpCipher {
  readonly rtpAuthTagLength = TAG;
  readonly rtcpAuthTagLength = TAG;
  readonly rtcpTrailerLength = TAG + SRTCP_INDEX;
  private readonly algorithm: 'aes-128-gcm' | 'aes-256-gcm';
  private readonly rtpKey: KeyObject;
  private readonly rtcpKey: KeyObject;
  private readonly rtpSalt: Buffer;
  private readonly rtcpSalt: Buffer;
  private readonly iv = Buffer.alloc(12);
  private readonly rtcpAad = Buffer.alloc(12);

  constructor(rtp: SrtpSessionKeys, rtcp: SrtpSessionKeys) {
    const len = rtp.encryptionKey.length;
    if ((len !== 16 && len !== 32) || rtcp.encryptionKey.length !== len) {
      throw new RangeError('AES-GCM session keys must be 16 or 32 bytes');
    }
    if (rtp.salt.length !== 12 || rtcp.salt.length !== 12)
      throw new RangeError('AES-GCM salt must be 12 bytes');
    this.algorithm = len === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
    // A KeyObject is handed to OpenSSL without re-validating raw key bytes per packet.
    this.rtpKey = createSecretKey(rtp.encryptionKey);
    this.rtcpKey = createSecretKey(rtcp.encryptionKey);
    this.rtpSalt = Buffer.from(rtp.salt);
    this.rtcpSalt = Buffer.from(rtcp.salt);
  }

  rtcpIndexOffset(length: number): number {
    return length - SRTCP_INDEX;
  }

  /** RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt. */
  private rtpIv(ssrc: number, roc: number, seq: number): Buffer {
    const iv = this.iv;
    const s = this.rtpSalt;
    iv[0] = s[0];
    iv[1] = s[1];
    iv[2] = (ssrc >>> 24) ^ s[2];
    iv[3] = ((ssrc >>> 16) & 0xff) ^ s[3];
    iv[4] = ((ssrc >>> 8) & 0xff) ^ s[4];
    iv[5] = (ssrc & 0xff) ^ s[5];
    iv[6] = (roc >>> 24) ^ s[6];
    iv[7] = ((roc >>> 16) & 0xff) ^ s[7];
    iv[8] = ((roc >>> 8) & 0xff) ^ s[8];
    iv[9] = (roc & 0xff) ^ s[9];
    iv[10] = (seq >>> 8) ^ s[10];
    iv[11] = (seq & 0xff) ^ s[11];
    return iv;
  }

  /** RFC 7714 §9.1: IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt. */
  private rtcpIv(ssrc: number, index: number): Buffer {
    const iv = this.iv;
    const s = this.rtcpSalt;
    iv[0] = s[0];
    iv[1] = s[1];
    iv[2] = (ssrc >>> 24) ^ s[2];
    iv[3] = ((ssrc >>> 16) & 0xff) ^ s[3];
    iv[4] = ((ssrc >>> 8) & 0xff) ^ s[4];
    iv[5] = (ssrc & 0xff) ^ s[5];
    iv[6] = s[6];
    iv[7] = s[7];
    iv[8] = ((index >>> 24) & 0x7f) ^ s[8];
    iv[9] = ((index >>> 16) & 0xff) ^ s[9];
    iv[10] = ((index >>> 8) & 0xff) ^ s[10];
    iv[11] = (index & 0xff) ^ s[11];
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
    const c = createCipheriv(this.algorithm, this.rtpKey, this.rtpIv(ssrc, roc, seq), { authTagLength: TAG });
    c.setAAD(src.subarray(0, headerLength));
    const enc = c.update(src.subarray(headerLength, length));
    c.final();
    if (dst !== src) src.copy(dst, 0, 0, headerLength);
    enc.copy(dst, headerLength);
    c.getAuthTag().copy(dst, length);
    return length + TAG;
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
    const tagOffset = length - TAG;
    const d = createDecipheriv(this.algorithm, this.rtpKey, this.rtpIv(ssrc, roc, seq), {
      authTagLength: TAG,
    });
    d.setAAD(src.subarray(0, headerLength));
    d.setAuthTag(src.subarray(tagOffset, length));
    const plain = d.update(src.subarray(headerLength, tagOffset));
    try {
      d.final();
    } catch {
      // node reports a bad tag only by throwing; nothing has been written yet.
      return SrtpError.AuthFailed;
    }
    if (dst !== src) src.copy(dst, 0, 0, headerLength);
    plain.copy(dst, headerLength);
    return tagOffset;
  }

  encryptRtcp(src: Buffer, length: number, ssrc: number, index: number, dst: Buffer): number {
    // RFC 7714 §9.2 / §17: AAD = first 8 header bytes || E=1 || 31-bit index.
    const aad = this.rtcpAad;
    src.copy(aad, 0, 0, 8);
    aad.writeUInt32BE((0x80000000 | index) >>> 0, 8);
    const c = createCipheriv(this.algorithm, this.rtcpKey, this.rtcpIv(ssrc, index), { authTagLength: TAG });
    c.setAAD(aad);
    const enc = c.update(src.subarray(8, length));
    c.final();
    if (dst !== src) src.copy(dst, 0, 0, 8);
    enc.copy(dst, 8);
    c.getAuthTag().copy(dst, length);
    aad.copy(dst, length + TAG, 8, 12);
    return length + TAG + SRTCP_INDEX;
  }

  decryptRtcp(
    src: Buffer,
    length: number,
    ssrc: number,
    index: number,
    encrypted: boolean,
    dst: Buffer,
  ): number {
    const indexOffset = length - SRTCP_INDEX;
    const tagOffset = indexOffset - TAG;
    const d = createDecipheriv(this.algorithm, this.rtcpKey, this.rtcpIv(ssrc, index), {
      authTagLength: TAG,
    });
    // With E=1 only the 8-byte header is AAD; with E=0 the whole RTCP packet is.
    d.setAAD(src.subarray(0, encrypted ? 8 : tagOffset));
    d.setAAD(src.subarray(indexOffset, length));
    d.setAuthTag(src.subarray(tagOffset, indexOffset));
    const plain = encrypted ? d.update(src.subarray(8, tagOffset)) : undefined;
    try {
      d.final();
    } catch {
      // node reports a bad tag only by throwing; nothing has been written yet.
      return SrtpError.AuthFailed;
    }
    if (plain === undefined) {
      if (dst !== src) src.copy(dst, 0, 0, tagOffset);
    } else {
      if (dst !== src) src.copy(dst, 0, 0, 8);
      plain.copy(dst, 8);
    }
    return tagOffset;
  }
}
