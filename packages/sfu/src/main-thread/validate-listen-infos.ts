/**
 * `listenInfos` of createWebRtcServer and createWebRtcTransport, checked as
 * mediasoup-worker does before it opens a socket: TypeError naming the field.
 * `ip` must be an IP address (mediasoup never resolves names; a hostname here
 * would otherwise reach a DNS lookup in the I/O thread).
 */
import { isIP } from 'node:net';
import { validateListenInfoLimits } from '../limits.js';
import type { TransportListenInfo } from '../types/transport.js';
import { checkBoolean, checkInteger, checkString, isPlainObject, shown } from './validate-fields.js';

/** A non-empty array of valid listen infos, no two on the same protocol, ip and port. */
export function validateListenInfos(listenInfos: unknown): asserts listenInfos is TransportListenInfo[] {
  if (!Array.isArray(listenInfos) || listenInfos.length === 0) {
    throw new TypeError(`listenInfos must be a non-empty array [listenInfos:${shown(listenInfos)}]`);
  }
  const seen = new Set<string>();
  listenInfos.forEach((info, i) => {
    validateListenInfo(info, `listenInfos[${i}]`);
    if (!info.port) return; // 0 or absent: each picks its own free port
    const key = `${info.protocol} ${info.ip} ${info.port}`;
    if (seen.has(key)) {
      throw new TypeError(
        `duplicate listenInfo: listenInfos[${i}] uses the same protocol, ip and port as an earlier one`,
      );
    }
    seen.add(key);
  });
}

/** One listen info (`where` names it in messages, e.g. `listenInfos[0]`). */
export function validateListenInfo(info: unknown, where = 'listenInfo'): asserts info is TransportListenInfo {
  if (!isPlainObject(info))
    throw new TypeError(`invalid listenInfo ${where}: ${shown(info)} (must be an object)`);
  if (info.protocol !== 'udp' && info.protocol !== 'tcp') {
    throw new TypeError(`invalid ${where}.protocol: ${shown(info.protocol)} (must be "udp" or "tcp")`);
  }
  validateListenIp(info.ip, `${where}.ip`);
  checkString(`${where}.announcedAddress`, info.announcedAddress);
  checkString(`${where}.announcedIp`, info.announcedIp);
  checkBoolean(`${where}.exposeInternalIp`, info.exposeInternalIp);
  checkInteger(`${where}.port`, info.port, 0, 65535);
  if (info.portRange !== undefined) validatePortRange(info.portRange, `${where}.portRange`);
  if (info.flags !== undefined) {
    if (!isPlainObject(info.flags))
      throw new TypeError(`invalid ${where}.flags: ${shown(info.flags)} (must be an object)`);
    checkBoolean(`${where}.flags.ipv6Only`, info.flags.ipv6Only);
    checkBoolean(`${where}.flags.udpReusePort`, info.flags.udpReusePort);
  }
  checkInteger(`${where}.sendBufferSize`, info.sendBufferSize, 0, 2 ** 31 - 1);
  checkInteger(`${where}.recvBufferSize`, info.recvBufferSize, 0, 2 ** 31 - 1);
  checkBoolean(`${where}.tsfuLoopbackOnly`, info.tsfuLoopbackOnly);
  checkBoolean(`${where}.tsfuConnectedUdp`, info.tsfuConnectedUdp);
  validateListenInfoLimits(info as TransportListenInfo);
}

/** An IPv4 or IPv6 address literal (no hostname: mediasoup requires an IP). */
export function validateListenIp(ip: unknown, name: string): void {
  if (typeof ip !== 'string' || isIP(ip) === 0) {
    throw new TypeError(`invalid ${name}: ${shown(ip)} (must be an IPv4 or IPv6 address)`);
  }
}

function validatePortRange(range: unknown, name: string): void {
  if (!isPlainObject(range)) throw new TypeError(`invalid ${name}: ${shown(range)} (must be { min, max })`);
  checkInteger(`${name}.min`, range.min ?? Number.NaN, 0, 65535);
  checkInteger(`${name}.max`, range.max ?? Number.NaN, 0, 65535);
  if ((range.max as number) < (range.min as number)) {
    throw new TypeError(`invalid ${name}: min ${range.min} is greater than max ${range.max}`);
  }
}
