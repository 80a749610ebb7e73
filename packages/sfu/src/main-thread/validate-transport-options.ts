/**
 * `router.createWebRtcTransport()` options, checked before anything is asked
 * of the worker: TypeError naming the field. mediasoup checks the listen
 * options in its Node layer and the rest in mediasoup-worker (flatbuffers
 * types: u8 iceConsentTimeout, u16 stream counts, u32/u64 sizes and bitrates).
 */

import {
  checkBitrate,
  checkBoolean,
  checkInteger,
  checkOptions,
  isPlainObject,
  shown,
} from './validate-fields.js';
import { validateListenInfos, validateListenIp } from './validate-listen-infos.js';
import { WebRtcServerImpl } from './webrtc-server.js';

const U32_MAX = 2 ** 32 - 1;

/** Everything but `webRtcServer`'s identity (which needs the worker's objects) and appData. */
export function validateWebRtcTransportOptions(o: Record<string, unknown>): void {
  checkOptions('options', o);
  checkWebRtcServer(o.webRtcServer);
  for (const name of ['enableUdp', 'enableTcp', 'preferUdp', 'preferTcp', 'enableSctp'] as const) {
    checkBoolean(name, o[name]);
  }
  if (o.listenInfos !== undefined) validateListenInfos(o.listenInfos);
  if (o.listenIps !== undefined) validateListenIps(o.listenIps);
  checkInteger('port', o.port, 0, 65535);
  const enableUdp = o.enableUdp ?? true;
  const enableTcp = o.enableTcp ?? Boolean(o.webRtcServer);
  if ((o.webRtcServer || o.listenIps) && !enableUdp && !enableTcp) {
    throw new TypeError('enableUdp and enableTcp cannot both be false (no protocol to listen on)');
  }
  checkBitrate('initialAvailableOutgoingBitrate', o.initialAvailableOutgoingBitrate);
  if (o.numSctpStreams !== undefined) {
    if (!isPlainObject(o.numSctpStreams)) {
      throw new TypeError(`invalid numSctpStreams: ${shown(o.numSctpStreams)} (must be { OS, MIS })`);
    }
    checkInteger('numSctpStreams.OS', o.numSctpStreams.OS ?? Number.NaN, 1, 65535);
    checkInteger('numSctpStreams.MIS', o.numSctpStreams.MIS ?? Number.NaN, 1, 65535);
  }
  for (const name of [
    'maxSctpMessageSize',
    'maxSendMessageSize',
    'maxReceiveMessageSize',
    'sctpSendBufferSize',
    'sctpPerStreamSendQueueLimit',
    'sctpMaxReceiverWindowBufferSize',
    'sctpDefaultStreamBufferedAmountLowThreshold',
  ]) {
    checkInteger(name, o[name], 0, U32_MAX);
  }
}

/** mediasoup's deprecated `listenIps`: IP strings or `{ ip, announcedIp }`. */
function validateListenIps(listenIps: unknown): void {
  if (!Array.isArray(listenIps))
    throw new TypeError(`listenIps must be an array [listenIps:${shown(listenIps)}]`);
  listenIps.forEach((entry, i) => {
    if (typeof entry === 'string') {
      validateListenIp(entry, `listenIps[${i}].ip`);
      return;
    }
    if (!isPlainObject(entry)) {
      throw new TypeError(
        `invalid listenIps[${i}]: ${shown(entry)} (must be an IP string or { ip, announcedIp })`,
      );
    }
    validateListenIp(entry.ip, `listenIps[${i}].ip`);
    if (entry.announcedIp !== undefined && typeof entry.announcedIp !== 'string') {
      throw new TypeError(
        `invalid listenIps[${i}].announcedIp: ${shown(entry.announcedIp)} (must be a string)`,
      );
    }
  });
}

/** A `webRtcServer` option must be one of this package's WebRtcServers. */
function checkWebRtcServer(webRtcServer: unknown): void {
  if (webRtcServer !== undefined && !(webRtcServer instanceof WebRtcServerImpl)) {
    throw new TypeError(`invalid webRtcServer: ${shown(webRtcServer)} (must be a WebRtcServer)`);
  }
}
