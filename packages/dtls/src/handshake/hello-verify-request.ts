import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** HelloVerifyRequest (RFC 6347 §4.2.1). */
export interface HelloVerifyRequest {
  version: number;
  cookie: Uint8Array;
}

export function marshalHelloVerifyRequest(m: HelloVerifyRequest): Buffer {
  return new ByteWriter(3 + m.cookie.length).u16(m.version).vec8(m.cookie).finish();
}

export function unmarshalHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest | undefined {
  const r = new ByteReader(body);
  const version = r.u16();
  const cookie = r.vec8();
  if (!r.done || cookie.length > 255) return undefined;
  return { version, cookie };
}
