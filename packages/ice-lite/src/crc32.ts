/**
 * CRC-32 (ISO-HDLC, the zlib/Ethernet polynomial, reflected 0xEDB88320) as
 * STUN FINGERPRINT uses it (RFC 8489 §14.7). Table-driven, one table built at
 * load time; no allocation per call.
 */

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of `buf[start..end)`, as an unsigned 32-bit number. */
export function crc32(buf: Uint8Array, start = 0, end: number = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
