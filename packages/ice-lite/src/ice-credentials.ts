/**
 * Local ICE credentials (RFC 8445 §5.3): ufrag and password drawn from the
 * ice-char set `ALPHA / DIGIT / "+" / "/"` (RFC 8839 §5.4).
 */
import { randomBytes } from 'node:crypto';

const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface IceParameters {
  usernameFragment: string;
  password: string;
  /** Always true: this agent only implements the lite procedures. */
  iceLite: true;
}

/**
 * `length` random ice-chars. 64 symbols give 6 bits each, so a 16-char ufrag
 * has 96 bits and a 32-char password 192 bits (RFC 8445 asks ≥ 24 and ≥ 128).
 */
export function randomIceString(length: number): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ICE_CHARS[bytes[i] & 63];
  return s;
}

/** True when `s` is a non-empty string of ice-chars only. */
export function isIceString(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (ICE_CHARS.indexOf(s[i]) < 0) return false;
  return true;
}

/** Fresh credentials: 16-char ufrag (96 bits), 32-char password (192 bits), like mediasoup. */
export function generateIceParameters(): IceParameters {
  return { usernameFragment: randomIceString(16), password: randomIceString(32), iceLite: true };
}
