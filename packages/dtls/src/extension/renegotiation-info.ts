import { ByteReader } from '../util/byte-reader.js';

/**
 * renegotiation_info (RFC 5746). We never renegotiate, so on the initial
 * handshake the only valid content is an empty `renegotiated_connection`.
 */
export function marshalRenegotiationInfo(): Buffer {
  return Buffer.from([0]);
}

/** True when the extension is well formed and empty, as an initial handshake needs. */
export function unmarshalRenegotiationInfo(data: Uint8Array): boolean {
  const r = new ByteReader(data);
  const conn = r.vec8();
  return r.done && conn.length === 0;
}

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV: the cipher-suite form of the same signal. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
