import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** supported_groups (RFC 8422 §5.1.1, RFC 7919): NamedGroup list. */
export function marshalSupportedGroups(groups: readonly number[]): Buffer {
  const w = new ByteWriter(2 + groups.length * 2);
  w.u16(groups.length * 2);
  for (const g of groups) w.u16(g);
  return w.finish();
}

export function unmarshalSupportedGroups(data: Uint8Array): number[] | undefined {
  const r = new ByteReader(data);
  const list = r.vec16();
  if (!r.done || list.length % 2 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push((list[i] << 8) | list[i + 1]);
  return out;
}
