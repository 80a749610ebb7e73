/**
 * Host candidates of an ICE-Lite agent (RFC 8445 §5.1, RFC 6544 for passive
 * TCP), shaped like mediasoup's `IceCandidate` so signalling can pass them on.
 */
import { isIP } from 'node:net';
import { crc32 } from './crc32.js';

export type IceProtocol = 'udp' | 'tcp';

/** One address the SFU listens on, as in mediasoup's `listenInfos`. */
export interface IceListenInfo {
  protocol: IceProtocol;
  /** The local address bound. */
  ip: string;
  /** The address announced to peers instead of `ip` (a public address for a NAT'd server). */
  announcedAddress?: string;
  /** The port actually bound. */
  port: number;
}

export interface IceCandidate {
  foundation: string;
  priority: number;
  /** The address announced: `announcedAddress ?? ip`. */
  address: string;
  /** Same as `address`; mediasoup-client reads `ip` in older versions. */
  ip: string;
  protocol: IceProtocol;
  port: number;
  type: 'host';
  /** Only for TCP: this agent accepts connections and never opens them. */
  tcpType?: 'passive';
}

export interface IceCandidateOptions {
  /** Rank UDP candidates above TCP ones (the default). */
  preferUdp?: boolean;
  /** Rank TCP candidates above UDP ones. Wins over `preferUdp`. */
  preferTcp?: boolean;
}

/** RFC 8445 §5.1.2.2: host candidates have type preference 126. */
export const HOST_TYPE_PREFERENCE = 126;

/**
 * RFC 8445 §5.1.2.1: `2^24 * type + 2^8 * local + (256 - component)`.
 * Computed with multiplication so the top bit never turns it negative.
 */
export function candidatePriority(typePreference: number, localPreference: number, componentId = 1): number {
  return typePreference * 0x1000000 + localPreference * 0x100 + (256 - componentId);
}

/**
 * Local preference in the RFC 6544 §4.2 shape `2^13 * direction + other`:
 * the transport preferred gets direction preference 7 (UDP has no direction;
 * a preferred passive TCP candidate outranks it the same way), the other
 * transport 6 for UDP and 4 for passive TCP (RFC 6544's value for passive
 * host candidates); `other` ranks listen infos in the order given.
 */
export function localPreference(
  protocol: IceProtocol,
  index: number,
  opts: IceCandidateOptions = {},
): number {
  const tcpFirst = opts.preferTcp === true;
  let direction: number;
  if (protocol === 'udp') direction = tcpFirst ? 6 : 7;
  else direction = tcpFirst ? 7 : 4;
  const other = Math.max(0, 8191 - index);
  return direction * 8192 + other;
}

/** RFC 8445 §5.1.1.3: same type, base address and transport give the same foundation. */
export function candidateFoundation(type: string, protocol: IceProtocol, baseAddress: string): string {
  return String(crc32(Buffer.from(`${type}|${protocol}|${baseAddress}`, 'utf8')));
}

/** Host candidates for `listenInfos`, in the order given. Throws on an address that is not an IP. */
export function hostCandidates(
  listenInfos: readonly IceListenInfo[],
  opts: IceCandidateOptions = {},
): IceCandidate[] {
  return listenInfos.map((info, index) => {
    const address = info.announcedAddress ?? info.ip;
    if (isIP(info.ip) === 0) throw new TypeError(`listen ip is not an IP address: ${info.ip}`);
    if (!Number.isInteger(info.port) || info.port < 1 || info.port > 65535) {
      throw new RangeError(`bad port ${info.port}`);
    }
    const candidate: IceCandidate = {
      foundation: candidateFoundation('host', info.protocol, info.ip),
      priority: candidatePriority(HOST_TYPE_PREFERENCE, localPreference(info.protocol, index, opts)),
      address,
      ip: address,
      protocol: info.protocol,
      port: info.port,
      type: 'host',
    };
    if (info.protocol === 'tcp') candidate.tcpType = 'passive';
    return candidate;
  });
}

/** The SDP `a=candidate` value of a candidate (RFC 8839 §5.1), without the `candidate:` prefix. */
export function candidateToSdp(c: IceCandidate, componentId = 1): string {
  const tail = c.protocol === 'tcp' ? ' tcptype passive' : '';
  return `${c.foundation} ${componentId} ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${tail}`;
}
