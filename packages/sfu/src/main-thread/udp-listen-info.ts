/**
 * The UDP listen address of a PlainTransport or PipeTransport, from the
 * options both share as mediasoup 3.27 does: `listenInfo`, or the deprecated
 * `listenIp` (a string or `{ ip, announcedIp }`) with `port`; one of them, not
 * both; UDP only. TypeError for what mediasoup's serializer or worker rejects.
 */
import { isIP } from 'node:net';
import { validateListenInfoLimits } from '../limits.js';
import type { TransportListenInfo, TransportListenIp } from '../types/transport.js';

export interface UdpListenOptions {
  listenInfo?: TransportListenInfo;
  listenIp?: TransportListenIp | string;
  port?: number;
  appData?: unknown;
}

/** Checks one listen info (`name` in messages: 'listenInfo', 'rtcpListenInfo'); `kind` names the transport. */
export function checkUdpListenInfo(info: TransportListenInfo, name: string, kind: string): void {
  if (!info || typeof info !== 'object') throw new TypeError(`${name} must be an object`);
  if (info.protocol !== 'udp') throw new TypeError(`${name}.protocol must be 'udp' (${kind})`);
  if (typeof info.ip !== 'string' || isIP(info.ip) === 0) {
    throw new TypeError(`${name}.ip must be an IP address [ip:${info.ip}]`);
  }
  validateListenInfoLimits(info);
}

/** The checked listen info of `o` (and its `appData` checked too: both transports' first checks). */
export function udpListenInfoOf(o: UdpListenOptions, kind: string): TransportListenInfo {
  if (!o.listenInfo && !o.listenIp)
    throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
  if (o.listenInfo && o.listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
  if (o.appData && typeof o.appData !== 'object') throw new TypeError('if given, appData must be an object');
  let listenInfo: TransportListenInfo;
  if (o.listenIp) {
    if (typeof o.listenIp !== 'string' && (typeof o.listenIp !== 'object' || Array.isArray(o.listenIp))) {
      throw new TypeError('listenIp must be a string or an object');
    }
    const l = typeof o.listenIp === 'string' ? { ip: o.listenIp } : o.listenIp;
    listenInfo = { protocol: 'udp', ip: l.ip, announcedAddress: l.announcedIp, port: o.port };
  } else {
    listenInfo = o.listenInfo as TransportListenInfo;
  }
  checkUdpListenInfo(listenInfo, 'listenInfo', kind);
  return listenInfo;
}
