import { ByteReader } from '../util/byte-reader.js';
import type { ByteWriter } from '../util/byte-writer.js';

/** Extension type codes we speak or recognise (IANA TLS ExtensionType registry). */
export const ExtensionType = {
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  useSrtp: 14,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

/** One extension as carried on the wire; `data` is a view into the message. */
export interface RawExtension {
  type: number;
  data: Uint8Array;
}

/**
 * Parses an `extensions<0..2^16-1>` block body (without its length). Unknown
 * types are kept raw so callers can skip them; duplicates are an error
 * (RFC 5246 §7.4.1.4).
 */
export function unmarshalExtensions(data: Uint8Array): RawExtension[] | undefined {
  const r = new ByteReader(data);
  const out: RawExtension[] = [];
  while (r.remaining > 0) {
    const type = r.u16();
    const body = r.vec16();
    if (r.failed) return undefined;
    for (const e of out) if (e.type === type) return undefined;
    out.push({ type, data: body });
  }
  return r.failed ? undefined : out;
}

/** Writes `extensions` with its 16-bit length; writes nothing when the list is empty. */
export function writeExtensions(w: ByteWriter, exts: readonly RawExtension[]): void {
  if (exts.length === 0) return;
  w.lengthPrefixed16((w) => {
    for (const e of exts) w.u16(e.type).vec16(e.data);
  });
}

export function findExtension(exts: readonly RawExtension[], type: number): Uint8Array | undefined {
  for (const e of exts) if (e.type === type) return e.data;
  return undefined;
}
