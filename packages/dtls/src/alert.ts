import { ByteReader } from './util/byte-reader.js';

/** AlertLevel (RFC 5246 §7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** AlertDescription values we send or name (RFC 5246 §7.2, RFC 5746, RFC 8446). */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateUnknown: 46,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  noRenegotiation: 100,
  unsupportedExtension: 110,
} as const;

export interface Alert {
  level: number;
  description: number;
}

export function marshalAlert(a: Alert): Buffer {
  return Buffer.from([a.level, a.description]);
}

export function unmarshalAlert(body: Uint8Array): Alert | undefined {
  const r = new ByteReader(body);
  const level = r.u8();
  const description = r.u8();
  if (!r.done) return undefined;
  return { level, description };
}

export function alertName(description: number): string {
  for (const [k, v] of Object.entries(AlertDescription)) if (v === description) return k;
  return `alert_${description}`;
}
