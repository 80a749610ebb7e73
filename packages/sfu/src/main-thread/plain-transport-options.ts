/**
 * `createPlainTransport()` and `plainTransport.connect()` arguments, checked
 * and defaulted as mediasoup 3.27 does (TypeError for what its serializer or
 * worker rejects): `listenInfo` or the deprecated `listenIp`/`port`, UDP
 * only, RTCP on its own socket when `rtcpMux` is off, SRTP suites.
 */
import { isIP } from 'node:net';
import type { CreatePlainTransportRequest, PlainConnectRequest } from '../protocol/worker-protocol.js';
import type { AppData } from '../types/app-data.js';
import type { PlainTransportOptions } from '../types/plain-transport.js';
import type { SctpParameters } from '../types/sctp-parameters.js';
import type { SrtpCryptoSuite, SrtpParameters } from '../types/srtp-parameters.js';
import { checkUdpListenInfo, udpListenInfoOf } from './udp-listen-info.js';

export const SRTP_CRYPTO_SUITES: readonly SrtpCryptoSuite[] = [
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
];

/** The worker request for `options` (without the router and transport ids). */
export function plainTransportRequest<T extends AppData>(
  options: PlainTransportOptions<T>,
): Omit<CreatePlainTransportRequest, 'routerId' | 'transportId'> {
  const o = (options ?? {}) as PlainTransportOptions<T>;
  const listenInfo = udpListenInfoOf(o, 'PlainTransport');
  let rtcpMux = o.rtcpMux ?? true;
  let rtcpListenInfo = o.rtcpListenInfo;
  // As mediasoup: an RTCP listen info turns rtcpMux off; rtcpMux off without one uses listenInfo's IP.
  if (rtcpListenInfo) rtcpMux = false;
  else if (!rtcpMux) rtcpListenInfo = { ...listenInfo, port: undefined };
  if (rtcpListenInfo) checkUdpListenInfo(rtcpListenInfo, 'rtcpListenInfo', 'PlainTransport');
  const srtpCryptoSuite = o.srtpCryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80';
  if (!SRTP_CRYPTO_SUITES.includes(srtpCryptoSuite)) {
    throw new TypeError(`invalid srtpCryptoSuite: ${srtpCryptoSuite}`);
  }
  const maxSendMessageSize = o.maxSendMessageSize ?? o.maxSctpMessageSize ?? 262144;
  const maxReceiveMessageSize = o.maxReceiveMessageSize ?? o.maxSctpMessageSize ?? 262144;
  const numSctpStreams = o.numSctpStreams ?? { OS: 1024, MIS: 1024 };
  const sctpParameters: SctpParameters | undefined = o.enableSctp
    ? {
        port: 5000,
        OS: numSctpStreams.OS,
        MIS: numSctpStreams.MIS,
        maxMessageSize: maxReceiveMessageSize,
        maxSendMessageSize,
        maxReceiveMessageSize,
        sendBufferSize: o.sctpSendBufferSize ?? 2000000,
        perStreamSendQueueLimit: o.sctpPerStreamSendQueueLimit ?? 2000000,
        maxReceiverWindowBufferSize: o.sctpMaxReceiverWindowBufferSize ?? 5242880,
        isDataChannel: false,
      }
    : undefined;
  return {
    listenInfo,
    rtcpListenInfo,
    rtcpMux,
    comedia: o.comedia === true,
    enableSrtp: o.enableSrtp === true,
    srtpCryptoSuite,
    sctpParameters,
    maxSendMessageSize,
    maxReceiveMessageSize,
  };
}

function checkSrtpParameters(p: SrtpParameters): void {
  if (!p || typeof p !== 'object') throw new TypeError('srtpParameters must be an object');
  if (!SRTP_CRYPTO_SUITES.includes(p.cryptoSuite)) {
    throw new TypeError(`invalid srtpParameters.cryptoSuite: ${p.cryptoSuite}`);
  }
  if (typeof p.keyBase64 !== 'string' || p.keyBase64.length === 0) {
    throw new TypeError('missing srtpParameters.keyBase64');
  }
}

function checkPort(port: unknown, name: string): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`${name} must be a port number [${name}:${port}]`);
  }
}

/** `connect()`'s parameters for a transport with these settings (TypeError as mediasoup's worker). */
export function plainConnectRequest(
  transportId: string,
  params: { ip?: string; port?: number; rtcpPort?: number; srtpParameters?: SrtpParameters },
  t: { rtcpMux: boolean; comedia: boolean; srtp: boolean },
): PlainConnectRequest {
  const { ip, port, rtcpPort, srtpParameters } = params ?? {};
  if (t.srtp && srtpParameters === undefined) throw new TypeError('missing srtpParameters (SRTP enabled)');
  if (!t.srtp && srtpParameters !== undefined)
    throw new TypeError('srtpParameters given but SRTP is not enabled');
  if (srtpParameters !== undefined) checkSrtpParameters(srtpParameters);
  if (!t.comedia) {
    if (typeof ip !== 'string' || isIP(ip) === 0) throw new TypeError(`missing or invalid ip [ip:${ip}]`);
    checkPort(port, 'port');
    if (!t.rtcpMux) checkPort(rtcpPort, 'rtcpPort');
  }
  return {
    transportId,
    ...(t.comedia ? {} : { ip, port, ...(t.rtcpMux ? {} : { rtcpPort }) }),
    ...(srtpParameters ? { srtpParameters: { ...srtpParameters } } : {}),
  };
}
