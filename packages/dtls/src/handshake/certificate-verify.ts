import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** CertificateVerify (RFC 5246 §7.4.8): signature over the transcript so far. */
export interface CertificateVerify {
  signatureScheme: number;
  signature: Uint8Array;
}

export function marshalCertificateVerify(m: CertificateVerify): Buffer {
  return new ByteWriter(4 + m.signature.length).u16(m.signatureScheme).vec16(m.signature).finish();
}

export function unmarshalCertificateVerify(body: Uint8Array): CertificateVerify | undefined {
  const r = new ByteReader(body);
  const signatureScheme = r.u16();
  const signature = r.vec16();
  if (!r.done || signature.length === 0) return undefined;
  return { signatureScheme, signature };
}
