/**
 * Text ⇄ bytes for IPv4 and IPv6 addresses, written for the STUN response
 * path: `writeIpAddress` parses the dotted/colon text of a remote address
 * straight into a buffer, with no intermediate arrays or strings.
 */

/**
 * Writes the binary form of `ip` at `out[offset]` (4 bytes for IPv4, 16 for
 * IPv6, including `::`, embedded IPv4 and a `%zone` suffix, which is dropped).
 * Returns 4 or 6 for the family written, or 0 when `ip` is not an address
 * (nothing useful is written then).
 */
export function writeIpAddress(ip: string, out: Uint8Array, offset: number): 0 | 4 | 6 {
  if (ip.indexOf(':') < 0) return writeIpv4(ip, 0, ip.length, out, offset) ? 4 : 0;
  let end = ip.indexOf('%');
  if (end < 0) end = ip.length;
  return writeIpv6(ip, end, out, offset) ? 6 : 0;
}

function writeIpv4(ip: string, start: number, end: number, out: Uint8Array, offset: number): boolean {
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? ip.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || parts === 4) return false;
      out[offset + parts++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function writeIpv6(ip: string, end: number, out: Uint8Array, offset: number): boolean {
  // Groups are written left to right; at `::` we remember where the gap is and
  // shift the tail groups right at the end.
  let groups = 0;
  let gapAt = -1;
  let i = 0;
  if (end >= 2 && ip.charCodeAt(0) === 0x3a) {
    if (ip.charCodeAt(1) !== 0x3a) return false;
    gapAt = 0;
    i = 2;
    if (i === end) {
      out.fill(0, offset, offset + 16);
      return true;
    }
  }
  while (i < end) {
    let value = 0;
    let digits = 0;
    const groupStart = i;
    while (i < end) {
      const h = hexValue(ip.charCodeAt(i));
      if (h < 0) break;
      value = (value << 4) | h;
      if (++digits > 4) return false;
      i++;
    }
    if (i < end && ip.charCodeAt(i) === 0x2e) {
      // Embedded IPv4 in the last 32 bits.
      if (groups > 6 || !writeIpv4(ip, groupStart, end, out, offset + groups * 2)) return false;
      groups += 2;
      i = end;
      break;
    }
    if (digits === 0 || groups === 8) return false;
    out[offset + groups * 2] = value >> 8;
    out[offset + groups * 2 + 1] = value & 0xff;
    groups++;
    if (i === end) break;
    if (ip.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < end && ip.charCodeAt(i) === 0x3a) {
      if (gapAt >= 0) return false;
      gapAt = groups;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gapAt < 0) return groups === 8;
  if (groups >= 8) return false;
  const tail = groups - gapAt;
  const zeros = 8 - groups;
  for (let g = tail - 1; g >= 0; g--) {
    out[offset + (gapAt + zeros + g) * 2] = out[offset + (gapAt + g) * 2];
    out[offset + (gapAt + zeros + g) * 2 + 1] = out[offset + (gapAt + g) * 2 + 1];
  }
  out.fill(0, offset + gapAt * 2, offset + (gapAt + zeros) * 2);
  return true;
}

/** Dotted-quad text of the 4 bytes at `buf[offset]`. */
export function readIpv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** RFC 5952 text of the 16 bytes at `buf[offset]` (longest zero run compressed). */
export function readIpv6(buf: Uint8Array, offset: number): string {
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (buf[offset + i * 2] << 8) | buf[offset + i * 2 + 1];
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
