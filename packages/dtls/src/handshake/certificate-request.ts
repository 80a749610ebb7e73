import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** ClientCertificateType values (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = { rsaSign: 1, ecdsaSign: 64 } as const;

/** CertificateRequest (RFC 5246 §7.4.4). We never send or check CA names. */
export interface CertificateRequest {
  certificateTypes: number[];
  signatureSchemes: number[];
}

export function marshalCertificateRequest(m: CertificateRequest): Buffer {
  const w = new ByteWriter(64);
  w.u8(m.certificateTypes.length);
  for (const t of m.certificateTypes) w.u8(t);
  w.u16(m.signatureSchemes.length * 2);
  for (const s of m.signatureSchemes) w.u16(s);
  w.u16(0);
  return w.finish();
}

export function unmarshalCertificateRequest(body: Uint8Array): CertificateRequest | undefined {
  const r = new ByteReader(body);
  const types = r.vec8();
  const schemes = r.vec16();
  r.vec16(); // certificate_authorities: ignored
  if (!r.done || schemes.length % 2 !== 0) return undefined;
  const signatureSchemes: number[] = [];
  for (let i = 0; i < schemes.length; i += 2) signatureSchemes.push((schemes[i] << 8) | schemes[i + 1]);
  return { certificateTypes: Array.from(types), signatureSchemes };
}
