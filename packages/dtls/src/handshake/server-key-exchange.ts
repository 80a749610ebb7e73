import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** ECCurveType.named_curve (RFC 8422 §5.4). */
export const CURVE_TYPE_NAMED_CURVE = 3;

/** ServerKeyExchange for ECDHE (RFC 8422 §5.4) with a TLS 1.2 digitally-signed struct. */
export interface ServerKeyExchange {
  namedGroup: number;
  publicKey: Uint8Array;
  signatureScheme: number;
  signature: Uint8Array;
}

/** The ServerECDHParams bytes, which the signature covers after both randoms. */
export function marshalEcdheParams(namedGroup: number, publicKey: Uint8Array): Buffer {
  return new ByteWriter(4 + publicKey.length)
    .u8(CURVE_TYPE_NAMED_CURVE)
    .u16(namedGroup)
    .vec8(publicKey)
    .finish();
}

export function marshalServerKeyExchange(m: ServerKeyExchange): Buffer {
  const w = new ByteWriter(4 + m.publicKey.length + 4 + m.signature.length);
  w.bytes(marshalEcdheParams(m.namedGroup, m.publicKey));
  w.u16(m.signatureScheme).vec16(m.signature);
  return w.finish();
}

export function unmarshalServerKeyExchange(body: Uint8Array): ServerKeyExchange | undefined {
  const r = new ByteReader(body);
  const curveType = r.u8();
  const namedGroup = r.u16();
  const publicKey = r.vec8();
  const signatureScheme = r.u16();
  const signature = r.vec16();
  if (!r.done || curveType !== CURVE_TYPE_NAMED_CURVE || publicKey.length === 0) return undefined;
  return { namedGroup, publicKey, signatureScheme, signature };
}
