import { type RawExtension, unmarshalExtensions, writeExtensions } from '../extension/extension.js';
import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** ClientHello (RFC 6347 §4.2.1: RFC 5246's plus a cookie). */
export interface ClientHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cookie: Uint8Array;
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: RawExtension[];
}

export function marshalClientHello(m: ClientHello): Buffer {
  const w = new ByteWriter(256);
  w.u16(m.version).bytes(m.random).vec8(m.sessionId).vec8(m.cookie);
  w.u16(m.cipherSuites.length * 2);
  for (const s of m.cipherSuites) w.u16(s);
  w.u8(m.compressionMethods.length);
  for (const c of m.compressionMethods) w.u8(c);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function unmarshalClientHello(body: Uint8Array): ClientHello | undefined {
  const r = new ByteReader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8();
  const cookie = r.vec8();
  const suites = r.vec16();
  const compression = r.vec8();
  if (r.failed || suites.length % 2 !== 0 || suites.length === 0 || compression.length === 0)
    return undefined;
  if (sessionId.length > 32) return undefined;
  let extensions: RawExtension[] = [];
  if (r.remaining > 0) {
    const extBlock = r.vec16();
    if (!r.done) return undefined;
    const parsed = unmarshalExtensions(extBlock);
    if (!parsed) return undefined;
    extensions = parsed;
  }
  const cipherSuites: number[] = [];
  for (let i = 0; i < suites.length; i += 2) cipherSuites.push((suites[i] << 8) | suites[i + 1]);
  return {
    version,
    random,
    sessionId,
    cookie,
    cipherSuites,
    compressionMethods: Array.from(compression),
    extensions,
  };
}

/**
 * The fields a stateless server needs from the first fragment of a
 * ClientHello, read without allocating: offsets of the random and cookie, or
 * undefined when the fragment is too short to hold them.
 */
export function peekClientHelloCookie(
  fragment: Uint8Array,
): { randomOffset: number; cookieOffset: number; cookieLength: number } | undefined {
  // version(2) random(32) session_id<0..32> cookie<0..255>
  if (fragment.length < 35) return undefined;
  const sidLen = fragment[34];
  if (sidLen > 32) return undefined;
  const cookieLenAt = 35 + sidLen;
  if (fragment.length < cookieLenAt + 1) return undefined;
  const cookieLength = fragment[cookieLenAt];
  if (fragment.length < cookieLenAt + 1 + cookieLength) return undefined;
  return { randomOffset: 2, cookieOffset: cookieLenAt + 1, cookieLength };
}
