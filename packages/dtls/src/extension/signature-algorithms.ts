import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** signature_algorithms (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3): SignatureScheme list. */
export function marshalSignatureAlgorithms(schemes: readonly number[]): Buffer {
  const w = new ByteWriter(2 + schemes.length * 2);
  w.u16(schemes.length * 2);
  for (const s of schemes) w.u16(s);
  return w.finish();
}

export function unmarshalSignatureAlgorithms(data: Uint8Array): number[] | undefined {
  const r = new ByteReader(data);
  const list = r.vec16();
  if (!r.done || list.length % 2 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push((list[i] << 8) | list[i + 1]);
  return out;
}
