/**
 * `createPipeTransport()` and `pipeTransport.connect()` arguments, checked and
 * defaulted as mediasoup 3.27 does (TypeError for what its serializer or
 * worker rejects): `listenInfo` or the deprecated `listenIp`/`port`, UDP only,
 * SCTP sizes of a pipe (not a data channel), SRTP with AEAD_AES_256_GCM only.
 */
import { isIP } from 'node:net';
import type { CreatePipeTransportRequest, PlainConnectRequest } from '../protocol/worker-protocol.js';
import type { AppData } from '../types/app-data.js';
import type { PipeTransportOptions } from '../types/pipe-transport.js';
import type { SrtpParameters } from '../types/srtp-parameters.js';
import { udpListenInfoOf } from './udp-listen-info.js';

/** The one SRTP suite of mediasoup's PipeTransport. */
export const PIPE_SRTP_CRYPTO_SUITE = 'AEAD_AES_256_GCM';

/** The worker request for `options` (without the router and transport ids). */
export function pipeTransportRequest<T extends AppData>(
  options: PipeTransportOptions<T>,
): Omit<CreatePipeTransportRequest, 'routerId' | 'transportId'> {
  const o = (options ?? {}) as PipeTransportOptions<T>;
  const listenInfo = udpListenInfoOf(o, 'PipeTransport');
  // mediasoup's pipe defaults: messages and buffers of 256 MiB.
  const maxMessageSize = o.maxSctpMessageSize ?? 268435456;
  const numSctpStreams = o.numSctpStreams ?? { OS: 1024, MIS: 1024 };
  for (const [name, v] of Object.entries({
    maxSctpMessageSize: maxMessageSize,
    OS: numSctpStreams.OS,
    MIS: numSctpStreams.MIS,
  })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer`);
  }
  return {
    listenInfo,
    enableRtx: o.enableRtx === true,
    enableSrtp: o.enableSrtp === true,
    sctpParameters: o.enableSctp
      ? {
          port: 5000,
          OS: numSctpStreams.OS,
          MIS: numSctpStreams.MIS,
          maxMessageSize,
          maxSendMessageSize: maxMessageSize,
          maxReceiveMessageSize: maxMessageSize,
          sendBufferSize: o.sctpSendBufferSize ?? 268435456,
          perStreamSendQueueLimit: 268435456,
          maxReceiverWindowBufferSize: 268435456,
          isDataChannel: false,
        }
      : undefined,
    maxSendMessageSize: maxMessageSize,
    maxReceiveMessageSize: maxMessageSize,
  };
}

/** `connect()`'s parameters (TypeError as mediasoup's worker). */
export function pipeConnectRequest(
  transportId: string,
  params: { ip?: string; port?: number; srtpParameters?: SrtpParameters },
  srtp: boolean,
): PlainConnectRequest {
  const { ip, port, srtpParameters } = params ?? {};
  if (srtp && srtpParameters === undefined) throw new TypeError('missing srtpParameters (SRTP enabled)');
  if (!srtp && srtpParameters !== undefined) {
    throw new TypeError('srtpParameters given but SRTP is not enabled');
  }
  if (srtpParameters !== undefined) {
    if (!srtpParameters || typeof srtpParameters !== 'object') {
      throw new TypeError('srtpParameters must be an object');
    }
    if (srtpParameters.cryptoSuite !== PIPE_SRTP_CRYPTO_SUITE) {
      throw new TypeError(`invalid/unsupported srtpParameters.cryptoSuite: ${srtpParameters.cryptoSuite}`);
    }
    if (typeof srtpParameters.keyBase64 !== 'string' || srtpParameters.keyBase64.length === 0) {
      throw new TypeError('missing srtpParameters.keyBase64');
    }
  }
  if (typeof ip !== 'string' || isIP(ip) === 0) throw new TypeError(`missing or invalid ip [ip:${ip}]`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`port must be a port number [port:${port}]`);
  }
  return {
    transportId,
    ip,
    port,
    ...(srtpParameters ? { srtpParameters: { ...srtpParameters } } : {}),
  };
}
