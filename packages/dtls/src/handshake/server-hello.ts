import { type RawExtension, unmarshalExtensions, writeExtensions } from '../extension/extension.js';
import { ByteReader } from '../util/byte-reader.js';
import { ByteWriter } from '../util/byte-writer.js';

/** ServerHello (RFC 5246 §7.4.1.3). */
export interface ServerHello {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: RawExtension[];
}

export function marshalServerHello(m: ServerHello): Buffer {
  const w = new ByteWriter(128);
  w.u16(m.version).bytes(m.random).vec8(m.sessionId).u16(m.cipherSuite).u8(m.compressionMethod);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function unmarshalServerHello(body: Uint8Array): ServerHello | undefined {
  const r = new ByteReader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8();
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  if (r.failed || sessionId.length > 32) return undefined;
  let extensions: RawExtension[] = [];
  if (r.remaining > 0) {
    const block = r.vec16();
    if (!r.done) return undefined;
    const parsed = unmarshalExtensions(block);
    if (!parsed) return undefined;
    extensions = parsed;
  }
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}
