import { ByteReader } from '../util/byte-reader.js';

/** ec_point_formats (RFC 8422 §5.1.2): we only speak `uncompressed` (0). */
export const EC_POINT_FORMAT_UNCOMPRESSED = 0;

export function marshalEcPointFormats(formats: readonly number[] = [EC_POINT_FORMAT_UNCOMPRESSED]): Buffer {
  return Buffer.from([formats.length, ...formats]);
}

export function unmarshalEcPointFormats(data: Uint8Array): number[] | undefined {
  const r = new ByteReader(data);
  const list = r.vec8();
  if (!r.done) return undefined;
  return Array.from(list);
}
