import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

/**
 * dgram resolves the destination of every `send` through `lookup`; the default
 * (`dns.lookup`) answers an IP literal one `process.nextTick` later, which costs
 * a tick and a closure per datagram. Every address this thread sends to is a
 * literal from `rinfo` (or a validated tuple), so answer those synchronously —
 * dgram then sends at once, as it does on a connected socket — and leave
 * anything else to `dns.lookup`.
 */
export function ipLiteralLookup(
  address: string,
  options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  if (family !== 0) callback(null, address, family);
  else dnsLookup(address, options as LookupOneOptions, callback);
}
