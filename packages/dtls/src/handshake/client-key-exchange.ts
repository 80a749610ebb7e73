import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's public point. */
export interface ClientKeyExchange {
  publicKey: Uint8Array;
}

export function marshalClientKeyExchange(m: ClientKeyExchange): Buffer {
  return new ByteWriter(1 + m.publicKey.length).vec8(m.publicKey).finish();
}

export function unmarshalClientKeyExchange(body: Uint8Array): ClientKeyExchange | undefined {
  const r = new ByteReader(body);
  const publicKey = r.vec8();
  if (!r.done || publicKey.length === 0) return undefined;
  return { publicKey };
}
