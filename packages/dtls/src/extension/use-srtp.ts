import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** use_srtp (RFC 5764 §4.1.1): protection profile ids plus an (unused) MKI. */
export interface UseSrtp {
  profiles: number[];
  mki: Uint8Array;
}

export function marshalUseSrtp(v: UseSrtp): Buffer {
  const w = new ByteWriter(3 + v.profiles.length * 2 + v.mki.length);
  w.u16(v.profiles.length * 2);
  for (const p of v.profiles) w.u16(p);
  w.vec8(v.mki);
  return w.finish();
}

export function unmarshalUseSrtp(data: Uint8Array): UseSrtp | undefined {
  const r = new ByteReader(data);
  const list = r.vec16();
  const mki = r.vec8();
  if (!r.done || list.length % 2 !== 0) return undefined;
  const profiles: number[] = [];
  for (let i = 0; i < list.length; i += 2) profiles.push((list[i] << 8) | list[i + 1]);
  return { profiles, mki };
}
