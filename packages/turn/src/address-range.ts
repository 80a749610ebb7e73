/**
 * CIDR ranges ("10.0.0.0/8", "fe80::/10", or a bare address) and a matcher
 * over them, for the relay's peer policy.
 */
import { writeIpAddress } from '@tsfu/ice-lite';

export interface AddressRange {
  family: 4 | 6;
  /** Network bytes (4 or 16 used). */
  bytes: Uint8Array;
  prefix: number;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address; throws TypeError on anything else. */
export function parseAddressRange(text: string): AddressRange {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.substring(0, slash);
  const bytes = new Uint8Array(16);
  const family = writeIpAddress(ip, bytes, 0);
  if (family === 0) throw new TypeError(`not an address range: ${text}`);
  const max = family === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : Number(text.substring(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new TypeError(`bad prefix length in ${text}`);
  }
  return { family, bytes, prefix };
}

/**
 * The bytes of `ip` (an IPv4-mapped IPv6 address counts as IPv4) into `out`;
 * returns the family, 0 when `ip` is not an address.
 */
export function addressBytes(ip: string, out: Uint8Array): 0 | 4 | 6 {
  if (ip.startsWith('::ffff:') && ip.indexOf('.') > 0) return writeIpAddress(ip.substring(7), out, 0);
  return writeIpAddress(ip, out, 0);
}

export function rangeContains(range: AddressRange, family: 4 | 6, bytes: Uint8Array): boolean {
  if (range.family !== family) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i] & mask) !== (bytes[i] & mask)) return false;
  }
  return true;
}

/** Peers a TURN server refuses unless allowed (RFC 8656 §21.3.1: not an open relay into private networks). */
export const DEFAULT_DENIED_PEER_RANGES: readonly string[] = Object.freeze([
  '0.0.0.0/8', // "this" network
  '10.0.0.0/8', // private (RFC 1918)
  '100.64.0.0/10', // shared address space (RFC 6598, carrier-grade NAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/128', // unspecified
  '::1/128', // loopback
  '::ffff:0:0/96', // IPv4-mapped (checked as IPv4 instead)
  '64:ff9b::/96', // NAT64: would reach any IPv4 address
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'ff00::/8', // multicast
]);
