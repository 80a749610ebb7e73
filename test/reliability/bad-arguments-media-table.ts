/**
 * Bad arguments to the calls on live objects: transport.connect, produce,
 * consume, the bitrate setters, the consumer's layers and priority, and
 * enableTraceEvent. Each entry spoils one field of an otherwise valid call.
 */
import * as sfu from '@tsfu/sfu';
import { audioRtpParameters, type BadCall, type Ctx, SHA256_VALUE } from './bad-arguments-fixture.js';

const { NotFoundError, UnsupportedError } = sfu;
// biome-ignore lint/suspicious/noExplicitAny: the table passes malformed values on purpose.
type Any = any;

const connect = (name: string, arg: Any, field: RegExp): BadCall => ({
  name: `connect ${name}`,
  call: (c) => c.transport.connect(arg),
  error: TypeError,
  field,
});
const fp = (patch: Any) => ({
  dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: SHA256_VALUE, ...patch }] },
});
const dtls = (patch: Any) => ({
  dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: SHA256_VALUE }], ...patch },
});

const connectCalls: BadCall[] = [
  connect('no argument', undefined, /options|dtlsParameters/),
  connect('dtlsParameters missing', {}, /dtlsParameters/),
  connect('dtlsParameters not an object', { dtlsParameters: 'x' }, /dtlsParameters/),
  connect('fingerprints missing', dtls({ fingerprints: undefined }), /fingerprints/),
  connect('fingerprints not an array', dtls({ fingerprints: 'sha-256 AB:CD' }), /fingerprints/),
  connect('fingerprints empty', dtls({ fingerprints: [] }), /fingerprints/),
  connect('fingerprint null', dtls({ fingerprints: [null] }), /fingerprints/),
  connect(
    'fingerprint algorithm md5',
    fp({ algorithm: 'md5', value: '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57' }),
    /algorithm/,
  ),
  connect('fingerprint algorithm sha-256000', fp({ algorithm: 'sha-256000' }), /algorithm/),
  connect('fingerprint algorithm missing', fp({ algorithm: undefined }), /algorithm/),
  connect('fingerprint value missing', fp({ value: undefined }), /fingerprints\[0\]\.value/),
  connect(
    'fingerprint value not hex',
    fp({ value: SHA256_VALUE.replace('5A', 'ZZ') }),
    /fingerprints\[0\]\.value/,
  ),
  connect('fingerprint value too short', fp({ value: '82:5A:68' }), /fingerprints\[0\]\.value/),
  connect(
    'fingerprint value of sha-1 length',
    fp({ value: SHA256_VALUE.slice(0, 59) }),
    /fingerprints\[0\]\.value/,
  ),
  connect(
    'fingerprint value without colons',
    fp({ value: SHA256_VALUE.replaceAll(':', '') }),
    /fingerprints\[0\]\.value/,
  ),
  connect('role bogus', dtls({ role: 'bogus' }), /role/),
  connect('role chicken', dtls({ role: 'chicken' }), /role/),
  connect('role a number', dtls({ role: 1 }), /role/),
];

const produce = (
  name: string,
  options: Any,
  field: RegExp,
  error: BadCall['error'] = TypeError,
): BadCall => ({
  name: `produce ${name}`,
  call: async (c) => {
    const p = await c.transport.produce(typeof options === 'function' ? options(c) : options);
    p.close();
  },
  error,
  field,
});
/** An audio produce() whose RTP parameters get `patch` (top level). */
const audio = (patch: Any) => ({
  kind: 'audio',
  rtpParameters: { ...audioRtpParameters(), mid: undefined, encodings: [{ ssrc: 44444444 }], ...patch },
});
const audioCodec = (patch: Any) => audio({ codecs: [{ ...audioRtpParameters().codecs[0], ...patch }] });
const audioEncoding = (patch: Any) => audio({ encodings: [{ ssrc: 33333333, ...patch }] });
const audioExt = (patch: Any) =>
  audio({ headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, ...patch }] });

const produceCalls: BadCall[] = [
  produce('no argument', undefined, /options|kind/),
  produce('kind data', { ...audio({}), kind: 'data' }, /kind/),
  produce('kind missing', { ...audio({}), kind: undefined }, /kind/),
  produce('rtpParameters missing', { kind: 'audio' }, /rtpParameters/),
  produce('rtpParameters not an object', { kind: 'audio', rtpParameters: 'opus' }, /rtpParameters/),
  produce('id already used', (c: Ctx) => ({ ...audio({}), id: c.audioProducer.id }), /\bid\b/),
  produce('appData not an object', { ...audio({}), appData: 'x' }, /appData/),
  produce('paused not a boolean', { ...audio({}), paused: 'yes' }, /paused/),
  produce(
    'keyFrameRequestDelay string',
    { ...audio({}), keyFrameRequestDelay: '100' },
    /keyFrameRequestDelay/,
  ),
  produce('keyFrameRequestDelay -1', { ...audio({}), keyFrameRequestDelay: -1 }, /keyFrameRequestDelay/),
  produce('mid not a string', audio({ mid: 5 }), /mid/),
  produce('msid not a string', audio({ msid: 5 }), /msid/),
  produce('codecs missing', audio({ codecs: undefined }), /codecs/),
  produce('codecs not an array', audio({ codecs: 'opus' }), /codecs/),
  produce('codecs empty', audio({ codecs: [] }), /codecs/),
  produce('codec not an object', audio({ codecs: [5] }), /codec/),
  produce('codec mimeType missing', audioCodec({ mimeType: undefined }), /mimeType/),
  produce('codec mimeType malformed', audioCodec({ mimeType: 'opus' }), /mimeType/),
  produce(
    'codec mimeType unsupported',
    audioCodec({ mimeType: 'audio/chicken' }),
    /mimeType/,
    UnsupportedError,
  ),
  produce('codec payloadType missing', audioCodec({ payloadType: undefined }), /payloadType/),
  produce('codec payloadType string', audioCodec({ payloadType: '111' }), /payloadType/),
  produce('codec payloadType 200', audioCodec({ payloadType: 200 }), /payloadType/),
  produce('codec clockRate missing', audioCodec({ clockRate: undefined }), /clockRate/),
  produce('codec parameters value an object', audioCodec({ parameters: { useinbandfec: [] } }), /parameter/),
  produce('codec rtcpFeedback type missing', audioCodec({ rtcpFeedback: [{}] }), /fb\.type/),
  produce('encodings not an array', audio({ encodings: {} }), /encodings/),
  produce('encoding not an object', audio({ encodings: [7] }), /encoding/),
  produce('encoding ssrc string', audioEncoding({ ssrc: '33333333' }), /ssrc/),
  produce('encoding ssrc -1', audioEncoding({ ssrc: -1 }), /ssrc/),
  produce('encoding ssrc 2^32', audioEncoding({ ssrc: 2 ** 32 }), /ssrc/),
  produce('encoding ssrc 1.5', audioEncoding({ ssrc: 1.5 }), /ssrc/),
  produce('encoding rid a number', audioEncoding({ ssrc: undefined, rid: 5 }), /rid/),
  produce('encoding rtx not an object', audioEncoding({ rtx: 5 }), /rtx/),
  produce('encoding rtx.ssrc missing', audioEncoding({ rtx: {} }), /rtx\.ssrc/),
  produce('encoding scalabilityMode a number', audioEncoding({ scalabilityMode: 3 }), /scalabilityMode/),
  produce('encoding maxBitrate string', audioEncoding({ maxBitrate: 'fast' }), /maxBitrate/),
  produce('headerExtensions not an array', audio({ headerExtensions: 'mid' }), /headerExtensions/),
  produce('headerExtension not an object', audio({ headerExtensions: [3] }), /ext/),
  produce('headerExtension uri missing', audioExt({ uri: undefined }), /uri/),
  produce('headerExtension id missing', audioExt({ id: undefined }), /\bid\b/),
  produce('headerExtension id 0', audioExt({ id: 0 }), /\bid\b/),
  produce('headerExtension id 256', audioExt({ id: 256 }), /\bid\b/),
  produce('headerExtension encrypt string', audioExt({ encrypt: 'yes' }), /encrypt/),
  produce('rtcp not an object', audio({ rtcp: 'cname' }), /rtcp/),
  produce('rtcp.cname a number', audio({ rtcp: { cname: 5 } }), /cname/),
];

const consume = (
  name: string,
  options: Any,
  field: RegExp,
  error: BadCall['error'] = TypeError,
): BadCall => ({
  name: `consume ${name}`,
  call: async (c) => {
    const k = await c.transport.consume(typeof options === 'function' ? options(c) : options);
    k.close();
  },
  error,
  field,
});
const valid = (patch: Any) => (c: Ctx) => ({
  producerId: c.audioProducer.id,
  rtpCapabilities: c.router.rtpCapabilities,
  ...patch,
});

const consumeCalls: BadCall[] = [
  consume('no argument', undefined, /options|producerId/),
  consume('producerId missing', valid({ producerId: undefined }), /producerId/),
  consume('producerId a number', valid({ producerId: 5 }), /producerId/),
  consume('producerId unknown', valid({ producerId: 'no-such-producer' }), /Producer with id/, NotFoundError),
  consume('rtpCapabilities missing', valid({ rtpCapabilities: undefined }), /rtpCapabilities/),
  consume('rtpCapabilities not an object', valid({ rtpCapabilities: 'opus' }), /rtpCapabilities/),
  consume('rtpCapabilities.codecs not an array', valid({ rtpCapabilities: { codecs: 'opus' } }), /codecs/),
  consume(
    'rtpCapabilities codec without clockRate',
    valid({
      rtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100 }] },
    }),
    /clockRate/,
  ),
  consume(
    'rtpCapabilities.headerExtensions entry without uri',
    valid({ rtpCapabilities: { codecs: [], headerExtensions: [{ kind: 'audio', preferredId: 1 }] } }),
    /uri/,
  ),
  consume(
    'rtpCapabilities without a matching codec',
    valid({ rtpCapabilities: { codecs: [] } }),
    /codecs/,
    UnsupportedError,
  ),
  consume('preferredLayers not an object', valid({ preferredLayers: 2 }), /preferredLayers/),
  consume(
    'preferredLayers.spatialLayer string',
    valid({ preferredLayers: { spatialLayer: '1' } }),
    /spatialLayer/,
  ),
  consume(
    'preferredLayers.temporalLayer -1',
    valid({ preferredLayers: { spatialLayer: 0, temporalLayer: -1 } }),
    /temporalLayer/,
  ),
  consume('paused not a boolean', valid({ paused: 'no' }), /paused/),
  consume('mid a number', valid({ mid: 5 }), /mid/),
  consume('ignoreDtx not a boolean', valid({ ignoreDtx: 1 }), /ignoreDtx/),
  consume('enableRtx not a boolean', valid({ enableRtx: 'yes' }), /enableRtx/),
  consume('pipe not a boolean', valid({ pipe: 'yes' }), /pipe/),
  consume('appData not an object', valid({ appData: 7 }), /appData/),
];

const BITRATE_SETTERS = ['setMaxIncomingBitrate', 'setMaxOutgoingBitrate', 'setMinOutgoingBitrate'] as const;
const BAD_BITRATES: Array<[string, Any]> = [
  ['-1', -1],
  ['NaN', Number.NaN],
  ['string', '1000000'],
  ['1.5', 1.5],
  ['Infinity', Number.POSITIVE_INFINITY],
];
const bitrateCalls: BadCall[] = BITRATE_SETTERS.flatMap((method) =>
  BAD_BITRATES.map(
    ([name, value]): BadCall => ({
      name: `${method} ${name}`,
      call: (c) => c.transport[method](value),
      error: TypeError,
      field: /bitrate/,
    }),
  ),
);

const consumerCall = (name: string, call: (c: Ctx) => Promise<unknown>, field: RegExp): BadCall => ({
  name: `consumer.${name}`,
  call,
  error: TypeError,
  field,
});
const layers = (arg: Any) => (c: Ctx) => c.consumer.setPreferredLayers(arg);
const priority = (arg: Any) => (c: Ctx) => c.consumer.setPriority(arg);

const consumerCalls: BadCall[] = [
  consumerCall('setPreferredLayers() no argument', layers(undefined), /preferredLayers|spatialLayer/),
  consumerCall('setPreferredLayers spatialLayer missing', layers({}), /spatialLayer/),
  consumerCall('setPreferredLayers spatialLayer string', layers({ spatialLayer: '0' }), /spatialLayer/),
  consumerCall('setPreferredLayers spatialLayer -1', layers({ spatialLayer: -1 }), /spatialLayer/),
  consumerCall('setPreferredLayers spatialLayer 1.5', layers({ spatialLayer: 1.5 }), /spatialLayer/),
  consumerCall(
    'setPreferredLayers temporalLayer string',
    layers({ spatialLayer: 0, temporalLayer: '1' }),
    /temporalLayer/,
  ),
  consumerCall('setPriority -1', priority(-1), /priority/),
  consumerCall('setPriority 0', priority(0), /priority/),
  consumerCall('setPriority string', priority('high'), /priority/),
  consumerCall('setPriority NaN', priority(Number.NaN), /priority/),
  consumerCall('setPriority 256', priority(256), /priority/),
];

const trace = (name: string, call: (c: Ctx) => Promise<unknown>): BadCall => ({
  name: `${name}.enableTraceEvent`,
  call,
  error: TypeError,
  field: /types?\b/,
});

const traceCalls: BadCall[] = [
  trace('transport (number)', (c) => c.transport.enableTraceEvent(123 as Any)),
  trace('transport (string)', (c) => c.transport.enableTraceEvent('probation' as Any)),
  trace('transport (a non-string entry)', (c) => c.transport.enableTraceEvent(['probation', 123.123] as Any)),
  trace('producer (string)', (c) => c.videoProducer.enableTraceEvent('rtp' as Any)),
  trace('producer (a non-string entry)', (c) => c.videoProducer.enableTraceEvent(['rtp', null] as Any)),
  trace('consumer (object)', (c) => c.consumer.enableTraceEvent({ rtp: true } as Any)),
  trace('consumer (a non-string entry)', (c) => c.consumer.enableTraceEvent([{}] as Any)),
];

export const MEDIA_CALLS: BadCall[] = [
  ...connectCalls,
  ...produceCalls,
  ...consumeCalls,
  ...bitrateCalls,
  ...consumerCalls,
  ...traceCalls,
];
