import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** Certificate (RFC 5246 §7.4.2): a DER chain, leaf first; may be empty from a client. */
export interface CertificateMessage {
  certificates: Uint8Array[];
}

export function marshalCertificate(m: CertificateMessage): Buffer {
  const w = new ByteWriter(1024);
  let total = 0;
  for (const c of m.certificates) total += 3 + c.length;
  w.u24(total);
  for (const c of m.certificates) w.vec24(c);
  return w.finish();
}

export function unmarshalCertificate(body: Uint8Array): CertificateMessage | undefined {
  const r = new ByteReader(body);
  const list = r.vec24();
  if (!r.done) return undefined;
  const lr = new ByteReader(list);
  const certificates: Uint8Array[] = [];
  while (lr.remaining > 0) {
    const c = lr.vec24();
    if (lr.failed || c.length === 0) return undefined;
    certificates.push(c);
  }
  return lr.failed ? undefined : { certificates };
}
