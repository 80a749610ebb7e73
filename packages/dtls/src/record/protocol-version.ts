/** DTLS wire versions are the one's complement of the TLS version (RFC 6347 §4.1). */
export const DTLS_1_0 = 0xfeff;
export const DTLS_1_2 = 0xfefd;

/** Record versions a DTLS 1.2 endpoint accepts: clients often open with 1.0 records. */
export function isAcceptedRecordVersion(v: number): boolean {
  return v === DTLS_1_2 || v === DTLS_1_0;
}
