/**
 * Which peers a relay may reach. Order: an explicit allow wins, then an
 * explicit deny, then the server's own addresses and the default denied
 * ranges (loopback, private, link-local…), then everything else is allowed.
 */
import {
  type AddressRange,
  addressBytes,
  DEFAULT_DENIED_PEER_RANGES,
  parseAddressRange,
  rangeContains,
} from './address-range.js';

export interface PeerPolicyOptions {
  /** Ranges always allowed (e.g. `['127.0.0.1']` in tests, or a LAN the relay should reach). */
  allowedPeers?: readonly string[];
  /** Ranges always denied, on top of the defaults. */
  deniedPeers?: readonly string[];
  /** Keep the default denied ranges (default true). */
  denyPrivatePeers?: boolean;
}

export class PeerPolicy {
  private readonly allowed: AddressRange[];
  private readonly denied: AddressRange[];
  private readonly own: AddressRange[] = [];
  private readonly scratch = new Uint8Array(16);

  constructor(options: PeerPolicyOptions = {}) {
    this.allowed = (options.allowedPeers ?? []).map(parseAddressRange);
    const defaults = options.denyPrivatePeers === false ? [] : DEFAULT_DENIED_PEER_RANGES;
    this.denied = [...(options.deniedPeers ?? []), ...defaults].map(parseAddressRange);
  }

  /** The server's own addresses (listening and relay): never a peer unless allowed. */
  addOwnAddress(ip: string): void {
    if (ip === '0.0.0.0' || ip === '::') return;
    this.own.push(parseAddressRange(ip));
  }

  /** True when a relay may send to / receive from `ip`. */
  isAllowed(ip: string): boolean {
    const b = this.scratch;
    const family = addressBytes(ip, b);
    if (family === 0) return false;
    for (const r of this.allowed) if (rangeContains(r, family, b)) return true;
    for (const r of this.denied) if (rangeContains(r, family, b)) return false;
    for (const r of this.own) if (rangeContains(r, family, b)) return false;
    return true;
  }
}
