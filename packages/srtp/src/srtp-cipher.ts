/**
 * One SRTP transform behind one interface (as in pion's `srtpCipher`): the
 * context does header parsing, index/ROC and replay bookkeeping and hands the
 * cipher only offsets and numbers. Each profile family lives in its own file.
 *
 * All methods read `src[0..length)` and write into `dst`, which may be the same
 * buffer as `src` (in place); the caller has checked `dst` is large enough.
 * They return the new length, or `SrtpError.AuthFailed` from the decrypts.
 * Nothing throws on network input.
 */
export interface SrtpCipher {
  /** Tag appended to SRTP packets. */
  readonly rtpAuthTagLength: number;
  /** Tag appended to SRTCP packets. */
  readonly rtcpAuthTagLength: number;
  /** Bytes SRTCP adds after the RTCP packet: tag + 4-byte E||index. */
  readonly rtcpTrailerLength: number;
  /** Offset of the 4-byte E||SRTCP-index word in an SRTCP packet of `length` bytes. */
  rtcpIndexOffset(length: number): number;

  /** Encrypts the payload after `headerLength` and appends the tag: returns `length + rtpAuthTagLength`. */
  encryptRtp(
    src: Buffer,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
    dst: Buffer,
  ): number;
  /** Verifies and decrypts an SRTP packet (`length` includes the tag): returns the RTP length. */
  decryptRtp(
    src: Buffer,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
    dst: Buffer,
  ): number;
  /** Encrypts an RTCP compound packet with E=1 and the given 31-bit index: returns the SRTCP length. */
  encryptRtcp(src: Buffer, length: number, ssrc: number, index: number, dst: Buffer): number;
  /** Verifies (and if `encrypted`, decrypts) an SRTCP packet: returns the RTCP length. */
  decryptRtcp(
    src: Buffer,
    length: number,
    ssrc: number,
    index: number,
    encrypted: boolean,
    dst: Buffer,
  ): number;
}
