/**
 * Result codes of the protect/unprotect calls. They are negative so a call can
 * return either a packet length (>= 0) or one of these, with no exception and
 * no allocation on the failure path.
 */
export const SrtpError = {
  /** Shorter than header + tag (+ SRTCP index), or the RTP/RTCP header is malformed. */
  TooShort: -1,
  /** Authentication tag did not verify (or the ROC guess was wrong). */
  AuthFailed: -2,
  /** Packet index already seen inside the replay window. */
  Replayed: -3,
  /** Packet index older than the replay window. */
  TooOld: -4,
  /** Destination buffer cannot hold the result (in-place protect needs spare room for the tag). */
  BufferTooSmall: -5,
  /** SRTCP index space (2^31) is used up: the keys must be renegotiated. */
  IndexExhausted: -6,
} as const;

export type SrtpError = (typeof SrtpError)[keyof typeof SrtpError];

/** Name of a result code, for logs: `srtpErrorName(-2) === 'AuthFailed'`. */
export function srtpErrorName(code: number): string {
  for (const [name, value] of Object.entries(SrtpError)) {
    if (value === code) return name;
  }
  return code >= 0 ? 'Ok' : 'Unknown';
}
