/**
 * One SRTP/SRTCP crypto context for one direction of one transport (RFC 3711
 * §3.2): the SFU holds one to unprotect what a peer sends and another to
 * protect what it sends to that peer. It owns the derived session keys (via
 * the profile's cipher) and the per-SSRC state: ROC/highest index and replay
 * window on receive, ROC or SRTCP index on send.
 *
 * Receive-side state for an SSRC is created only after a packet for it
 * authenticated, so forged traffic allocates nothing. Every call returns a
 * length or a negative `SrtpError`; nothing throws on network input.
 */
import { rtpHeaderLength } from '@tsfu/rtp';
import { deriveSrtpSessionKeys } from './key-derivation.js';
import { estimateSrtpIndex } from './packet-index.js';
import { type SrtpCryptoSuite, type SrtpProfileInfo, srtpProfileByName } from './profiles.js';
import { ReplayCheck, ReplayWindow } from './replay-window.js';
import type { SrtpCipher } from './srtp-cipher.js';
import { SrtpCipherAeadAesGcm } from './srtp-cipher-aead-aes-gcm.js';
import { SrtpCipherAesCmHmacSha1 } from './srtp-cipher-aes-cm-hmac-sha1.js';
import { SrtpError } from './srtp-error.js';

export interface SrtpContextOptions {
  /** Crypto suite name (mediasoup's `srtpParameters.cryptoSuite`) or a profile from `SRTP_PROFILES`. */
  profile: SrtpCryptoSuite | SrtpProfileInfo;
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** SRTP replay window in packets (default 1024, rounded up to a multiple of 32). */
  replayWindowSize?: number;
  /** SRTCP replay window in packets (default 128). */
  rtcpReplayWindowSize?: number;
}

/** Counters of one context. Protect/unprotect successes and every kind of drop. */
export interface SrtpContextStats {
  rtpProtected: number;
  rtpUnprotected: number;
  rtcpProtected: number;
  rtcpUnprotected: number;
  authFailures: number;
  replayed: number;
  tooOld: number;
  tooShort: number;
  bufferTooSmall: number;
}

/** Highest index sent for one SSRC (ROC * 2^16 + SEQ). */
interface RtpSendState {
  maxIndex: number;
}

/** Last SRTCP index sent for one SSRC. */
interface RtcpSendState {
  index: number;
}

const RTP_MIN_HEADER = 12;
const RTCP_HEADER = 8;
const MAX_SRTCP_INDEX = 0x7fffffff;

export class SrtpContext {
  readonly profile: SrtpProfileInfo;
  /** Bytes `protectRtp` adds: an in-place buffer needs this much spare room after the packet. */
  readonly rtpOverhead: number;
  /** Bytes `protectRtcp` adds (tag + 4-byte SRTCP index). */
  readonly rtcpOverhead: number;
  readonly stats: SrtpContextStats = {
    rtpProtected: 0,
    rtpUnprotected: 0,
    rtcpProtected: 0,
    rtcpUnprotected: 0,
    authFailures: 0,
    replayed: 0,
    tooOld: 0,
    tooShort: 0,
    bufferTooSmall: 0,
  };
  private readonly cipher: SrtpCipher;
  private readonly replayWindowSize: number;
  private readonly rtcpReplayWindowSize: number;
  private readonly rtpSend = new Map<number, RtpSendState>();
  private readonly rtcpSend = new Map<number, RtcpSendState>();
  private readonly rtpRecv = new Map<number, ReplayWindow>();
  private readonly rtcpRecv = new Map<number, ReplayWindow>();

  /** Throws (RangeError/TypeError) on an unknown profile or wrong key/salt lengths: configuration, not traffic. */
  constructor(options: SrtpContextOptions) {
    const profile =
      typeof options.profile === 'string' ? srtpProfileByName(options.profile) : options.profile;
    if (profile === undefined) throw new TypeError(`unknown SRTP profile ${String(options.profile)}`);
    this.profile = profile;
    const keys = deriveSrtpSessionKeys(profile, options.masterKey, options.masterSalt);
    this.cipher = profile.aead
      ? new SrtpCipherAeadAesGcm(keys.rtp, keys.rtcp)
      : new SrtpCipherAesCmHmacSha1(keys.rtp, keys.rtcp, profile.srtpAuthTagLength);
    // Validated now rather than on the first packet.
    this.replayWindowSize = ReplayWindow.roundSize(options.replayWindowSize ?? 1024);
    this.rtcpReplayWindowSize = ReplayWindow.roundSize(options.rtcpReplayWindowSize ?? 128);
    this.rtpOverhead = this.cipher.rtpAuthTagLength;
    this.rtcpOverhead = this.cipher.rtcpTrailerLength;
  }

  /**
   * A context from mediasoup-style `srtpParameters` (PlainTransport): `keyBase64` is the master key
   * followed by the master salt. Throws on an unknown suite or a wrong key length.
   */
  static fromSrtpParameters(
    params: { cryptoSuite: string; keyBase64: string },
    options: Omit<SrtpContextOptions, 'profile' | 'masterKey' | 'masterSalt'> = {},
  ): SrtpContext {
    const profile = srtpProfileByName(params.cryptoSuite);
    if (profile === undefined) throw new TypeError(`unknown SRTP crypto suite ${params.cryptoSuite}`);
    const key = Buffer.from(params.keyBase64, 'base64');
    if (key.length !== profile.masterKeyLength + profile.masterSaltLength) {
      throw new RangeError(
        `${profile.cryptoSuite} keyBase64 must decode to ${profile.masterKeyLength + profile.masterSaltLength} bytes, got ${key.length}`,
      );
    }
    return new SrtpContext({
      ...options,
      profile,
      masterKey: key.subarray(0, profile.masterKeyLength),
      masterSalt: key.subarray(profile.masterKeyLength),
    });
  }

  /**
   * Protects the RTP packet `buf[0..length)`. Writes into `out` if given, else
   * in place — then `buf` needs `rtpOverhead` spare bytes after `length`.
   * `out` may be `buf` itself but must not partially overlap it.
   * Returns the SRTP length or a negative `SrtpError`.
   */
  protectRtp(buf: Buffer, length: number = buf.length, out?: Buffer): number {
    const hl = length <= buf.length ? rtpHeaderLength(buf, length) : -1;
    if (hl < 0) {
      this.stats.tooShort++;
      return SrtpError.TooShort;
    }
    const dst = out ?? buf;
    if (dst.length < length + this.rtpOverhead) {
      this.stats.bufferTooSmall++;
      return SrtpError.BufferTooSmall;
    }
    const seq = (buf[2] << 8) | buf[3];
    const ssrc = ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0;
    let state = this.rtpSend.get(ssrc);
    let index: number;
    if (state === undefined) {
      index = seq;
      state = { maxIndex: seq };
      this.rtpSend.set(ssrc, state);
    } else {
      index = estimateSrtpIndex(state.maxIndex, seq);
      // A packet from before the first one sent: it can only be at ROC 0.
      if (index < 0) index = seq;
      if (index > state.maxIndex) state.maxIndex = index;
    }
    const n = this.cipher.encryptRtp(buf, length, hl, ssrc, Math.floor(index / 0x10000), seq, dst);
    this.stats.rtpProtected++;
    return n;
  }

  /**
   * Verifies and decrypts the SRTP packet `buf[0..length)` into `out` (or in
   * place). Returns the RTP length, or a negative `SrtpError`; on any error
   * no state changes and (for auth failures) nothing is written.
   */
  unprotectRtp(buf: Buffer, length: number = buf.length, out?: Buffer): number {
    const tag = this.cipher.rtpAuthTagLength;
    const hl =
      length <= buf.length && length >= RTP_MIN_HEADER + tag ? rtpHeaderLength(buf, length - tag) : -1;
    if (hl < 0) {
      this.stats.tooShort++;
      return SrtpError.TooShort;
    }
    const dst = out ?? buf;
    if (dst.length < length - tag) {
      this.stats.bufferTooSmall++;
      return SrtpError.BufferTooSmall;
    }
    const seq = (buf[2] << 8) | buf[3];
    const ssrc = ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0;
    const window = this.rtpRecv.get(ssrc);
    let index = seq;
    if (window !== undefined) {
      index = estimateSrtpIndex(window.maxIndex, seq);
      const check = index < 0 ? ReplayCheck.TooOld : window.check(index);
      if (check !== ReplayCheck.Ok) return this.replayDrop(check);
    }
    const n = this.cipher.decryptRtp(buf, length, hl, ssrc, Math.floor(index / 0x10000), seq, dst);
    if (n < 0) {
      this.stats.authFailures++;
      return n;
    }
    if (window === undefined) {
      const w = new ReplayWindow(this.replayWindowSize);
      w.accept(index);
      this.rtpRecv.set(ssrc, w);
    } else {
      window.accept(index);
    }
    this.stats.rtpUnprotected++;
    return n;
  }

  /**
   * Protects the RTCP compound packet `buf[0..length)` (encrypted, E=1) into
   * `out` or in place — then `buf` needs `rtcpOverhead` spare bytes. Returns
   * the SRTCP length or a negative `SrtpError`.
   */
  protectRtcp(buf: Buffer, length: number = buf.length, out?: Buffer): number {
    if (length > buf.length || length < RTCP_HEADER || buf[0] >> 6 !== 2) {
      this.stats.tooShort++;
      return SrtpError.TooShort;
    }
    const dst = out ?? buf;
    if (dst.length < length + this.rtcpOverhead) {
      this.stats.bufferTooSmall++;
      return SrtpError.BufferTooSmall;
    }
    const ssrc = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
    let state = this.rtcpSend.get(ssrc);
    if (state === undefined) {
      state = { index: 0 };
      this.rtcpSend.set(ssrc, state);
    }
    // Never reuse an index (keystream/nonce reuse): stop at 2^31 - 1 until rekeyed.
    if (state.index >= MAX_SRTCP_INDEX) return SrtpError.IndexExhausted;
    state.index++;
    const n = this.cipher.encryptRtcp(buf, length, ssrc, state.index, dst);
    this.stats.rtcpProtected++;
    return n;
  }

  /** Verifies and (if E=1) decrypts an SRTCP packet. Returns the RTCP length or a negative `SrtpError`. */
  unprotectRtcp(buf: Buffer, length: number = buf.length, out?: Buffer): number {
    const trailer = this.cipher.rtcpTrailerLength;
    if (length > buf.length || length < RTCP_HEADER + trailer || buf[0] >> 6 !== 2) {
      this.stats.tooShort++;
      return SrtpError.TooShort;
    }
    const dst = out ?? buf;
    if (dst.length < length - trailer) {
      this.stats.bufferTooSmall++;
      return SrtpError.BufferTooSmall;
    }
    const ssrc = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
    const io = this.cipher.rtcpIndexOffset(length);
    const encrypted = (buf[io] & 0x80) !== 0;
    const index = (((buf[io] & 0x7f) << 24) | (buf[io + 1] << 16) | (buf[io + 2] << 8) | buf[io + 3]) >>> 0;
    const window = this.rtcpRecv.get(ssrc);
    if (window !== undefined) {
      const check = window.check(index);
      if (check !== ReplayCheck.Ok) return this.replayDrop(check);
    }
    const n = this.cipher.decryptRtcp(buf, length, ssrc, index, encrypted, dst);
    if (n < 0) {
      this.stats.authFailures++;
      return n;
    }
    if (window === undefined) {
      const w = new ReplayWindow(this.rtcpReplayWindowSize);
      w.accept(index);
      this.rtcpRecv.set(ssrc, w);
    } else {
      window.accept(index);
    }
    this.stats.rtcpUnprotected++;
    return n;
  }

  private replayDrop(check: ReplayCheck): number {
    if (check === ReplayCheck.Replayed) {
      this.stats.replayed++;
      return SrtpError.Replayed;
    }
    this.stats.tooOld++;
    return SrtpError.TooOld;
  }

  /**
   * Sets the send-side ROC and highest sequence number of an SSRC — for a
   * sender taking over a stream whose ROC is known (and for tests).
   */
  setRtpSendIndex(ssrc: number, roc: number, seq: number): void {
    this.rtpSend.set(ssrc >>> 0, { maxIndex: (roc >>> 0) * 0x10000 + (seq & 0xffff) });
  }

  /** Sets the last SRTCP index sent for an SSRC: the next `protectRtcp` uses `index + 1`. */
  setRtcpSendIndex(ssrc: number, index: number): void {
    this.rtcpSend.set(ssrc >>> 0, { index: index & MAX_SRTCP_INDEX });
  }

  /** Highest authenticated SRTP index (ROC * 2^16 + SEQ) received for an SSRC, if any. */
  receivedRtpIndex(ssrc: number): number | undefined {
    return this.rtpRecv.get(ssrc >>> 0)?.maxIndex;
  }

  /** Number of SSRCs with receive state (created only by authenticated packets). */
  get receiveStreamCount(): number {
    return this.rtpRecv.size + this.rtcpRecv.size;
  }

  /** Forgets all state of an SSRC (e.g. when its producer or consumer closes). */
  removeSsrc(ssrc: number): void {
    const s = ssrc >>> 0;
    this.rtpSend.delete(s);
    this.rtcpSend.delete(s);
    this.rtpRecv.delete(s);
    this.rtcpRecv.delete(s);
  }
}
