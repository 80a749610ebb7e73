import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';

/**
 * The public key of a DER certificate, read by walking just enough ASN.1 to
 * reach SubjectPublicKeyInfo and imported as a JWK. Why not
 * `new X509Certificate(der).publicKey`: that full parse costs ~130 µs, a fifth
 * of a server's handshake CPU; this costs a few µs. Anything unexpected falls
 * back to node's parser; undefined when neither can read the certificate.
 */
export function certificatePublicKey(der: Uint8Array): KeyObject | undefined {
  try {
    const fast = readSpkiAsJwk(der);
    if (fast) return createPublicKey({ key: fast, format: 'jwk' });
  } catch {
    // fall through to the full parser
  }
  try {
    return new X509Certificate(der).publicKey;
  } catch {
    // Unparsable: the handshake fails with bad_certificate on undefined.
    return undefined;
  }
}

interface Tlv {
  tag: number;
  /** Offset of the contents. */
  start: number;
  /** Offset just past the contents. */
  end: number;
}

function tlv(buf: Uint8Array, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = buf[off];
  let len = buf[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | buf[start + i];
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

const hexOf = (buf: Uint8Array, t: Tlv) => Buffer.from(buf.subarray(t.start, t.end)).toString('hex');

const OID_EC_PUBLIC_KEY = '2a8648ce3d0201';
const OID_RSA_ENCRYPTION = '2a864886f70d010101';
const CURVES: Record<string, { crv: string; size: number }> = {
  '2a8648ce3d030107': { crv: 'P-256', size: 32 },
  '2b81040022': { crv: 'P-384', size: 48 },
};

export type Jwk = { kty: string; crv?: string; x?: string; y?: string; n?: string; e?: string };

/** The SubjectPublicKeyInfo of `der` as a JWK (EC P-256/P-384 or RSA), or undefined. */
export function readSpkiAsJwk(der: Uint8Array): Jwk | undefined {
  const cert = tlv(der, 0, der.length);
  if (cert?.tag !== 0x30) return undefined;
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs?.tag !== 0x30) return undefined;
  let off = tbs.start;
  let field = tlv(der, off, tbs.end);
  if (field?.tag === 0xa0) {
    off = field.end; // [0] version
    field = tlv(der, off, tbs.end);
  }
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
  for (let i = 0; i < 5; i++) {
    if (!field) return undefined;
    off = field.end;
    field = tlv(der, off, tbs.end);
  }
  const spki = field;
  if (spki?.tag !== 0x30) return undefined;
  const alg = tlv(der, spki.start, spki.end);
  if (alg?.tag !== 0x30) return undefined;
  const oid = tlv(der, alg.start, alg.end);
  const bits = tlv(der, alg.end, spki.end);
  if (oid?.tag !== 0x06 || bits?.tag !== 0x03 || der[bits.start] !== 0) return undefined;
  const key = der.subarray(bits.start + 1, bits.end);
  const algOid = hexOf(der, oid);
  if (algOid === OID_EC_PUBLIC_KEY) {
    const params = tlv(der, oid.end, alg.end);
    const curve = params?.tag === 0x06 ? CURVES[hexOf(der, params)] : undefined;
    if (!curve || key.length !== 1 + 2 * curve.size || key[0] !== 4) return undefined;
    return {
      kty: 'EC',
      crv: curve.crv,
      x: Buffer.from(key.subarray(1, 1 + curve.size)).toString('base64url'),
      y: Buffer.from(key.subarray(1 + curve.size)).toString('base64url'),
    };
  }
  if (algOid === OID_RSA_ENCRYPTION) {
    const seq = tlv(key, 0, key.length);
    if (seq?.tag !== 0x30) return undefined;
    const n = tlv(key, seq.start, seq.end);
    const e = n && tlv(key, n.end, seq.end);
    if (n?.tag !== 0x02 || e?.tag !== 0x02) return undefined;
    const unsigned = (t: Tlv) => {
      let s = t.start;
      while (s < t.end - 1 && key[s] === 0) s++;
      return Buffer.from(key.subarray(s, t.end)).toString('base64url');
    };
    return { kty: 'RSA', n: unsigned(n), e: unsigned(e) };
  }
  return undefined;
}
