/**
 * The State Cookie an INIT ACK carries (RFC 9260 §5.1.3): everything the
 * passive side needs to create the association when COOKIE ECHO comes back,
 * so answering an INIT keeps no state. Signed with HMAC-SHA256 under a
 * per-association secret.
 *
 *  0: our verification tag (32)      4: peer's tag (32)
 *  8: peer's initial TSN (32)       12: peer's a_rwnd (32)
 * 16: peer's OS (16) 18: MIS (16)   20: flags (32): 1 = FORWARD TSN, 2 = RE-CONFIG
 * 24: creation time, ms since epoch (float64)
 * 32: HMAC-SHA256 of bytes 0..32
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readU16, readU32, writeU16, writeU32 } from './sctp-packet.js';

export const STATE_COOKIE_LENGTH = 64;
const BODY = 32;

/** How long a cookie is accepted after it was made (RFC 9260 Valid.Cookie.Life, default 60 s). */
export const STATE_COOKIE_LIFETIME_MS = 60_000;

export interface StateCookie {
  localTag: number;
  peerTag: number;
  peerInitialTsn: number;
  peerRwnd: number;
  peerOutboundStreams: number;
  peerInboundStreams: number;
  peerForwardTsn: boolean;
  peerReconfig: boolean;
  /** Date.now() when the cookie was made. */
  createdAt: number;
}

function mac(secret: Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function marshalStateCookie(c: StateCookie, secret: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(STATE_COOKIE_LENGTH);
  writeU32(out, 0, c.localTag);
  writeU32(out, 4, c.peerTag);
  writeU32(out, 8, c.peerInitialTsn);
  writeU32(out, 12, c.peerRwnd);
  writeU16(out, 16, c.peerOutboundStreams);
  writeU16(out, 18, c.peerInboundStreams);
  writeU32(out, 20, (c.peerForwardTsn ? 1 : 0) | (c.peerReconfig ? 2 : 0));
  out.writeDoubleBE(c.createdAt, 24);
  mac(secret, out.subarray(0, BODY)).copy(out, BODY);
  return out;
}

/** Reads a cookie back; undefined when its length or signature is wrong. Staleness is the caller's call. */
export function unmarshalStateCookie(buf: Uint8Array, secret: Uint8Array): StateCookie | undefined {
  if (buf.length !== STATE_COOKIE_LENGTH) return undefined;
  if (!timingSafeEqual(mac(secret, buf.subarray(0, BODY)), buf.subarray(BODY))) return undefined;
  const flags = readU32(buf, 20);
  return {
    localTag: readU32(buf, 0),
    peerTag: readU32(buf, 4),
    peerInitialTsn: readU32(buf, 8),
    peerRwnd: readU32(buf, 12),
    peerOutboundStreams: readU16(buf, 16),
    peerInboundStreams: readU16(buf, 18),
    peerForwardTsn: (flags & 1) !== 0,
    peerReconfig: (flags & 2) !== 0,
    createdAt: Buffer.from(buf.buffer, buf.byteOffset, buf.length).readDoubleBE(24),
  };
}
