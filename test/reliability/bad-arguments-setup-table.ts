/**
 * Bad arguments to the calls that create things: createWorker, updateSettings,
 * createRouter, createWebRtcServer, createWebRtcTransport. Each entry spoils one
 * field of an otherwise valid call.
 */
import * as sfu from '@tsfu/sfu';
import { type BadCall, type Ctx, LISTEN, MEDIA_CODECS } from './bad-arguments-fixture.js';

const { UnsupportedError } = sfu;
// biome-ignore lint/suspicious/noExplicitAny: the table passes malformed values on purpose.
type Any = any;

const worker = (name: string, settings: Any, field: RegExp): BadCall => ({
  name: `createWorker ${name}`,
  call: async () => {
    const w = await sfu.createWorker(settings);
    w.close(); // only if it was wrongly accepted
  },
  error: TypeError,
  field,
});

const workerCalls: BadCall[] = [
  worker('settings not an object', 'debug', /settings/),
  worker('logLevel chicken', { logLevel: 'chicken' }, /logLevel/),
  worker('logLevel number', { logLevel: 3 }, /logLevel/),
  worker('logTags not an array', { logTags: 'info' }, /logTags/),
  worker('logTags entry not a string', { logTags: ['info', 5] }, /logTags/),
  worker('rtcMinPort 70000', { rtcMinPort: 70000 }, /rtcMinPort/),
  worker('rtcMinPort 1.5', { rtcMinPort: 1.5 }, /rtcMinPort/),
  worker('rtcMinPort string', { rtcMinPort: '10000' }, /rtcMinPort/),
  worker('rtcMaxPort -1', { rtcMaxPort: -1 }, /rtcMaxPort/),
  worker('rtcMaxPort < rtcMinPort', { rtcMinPort: 40000, rtcMaxPort: 30000 }, /rtcMaxPort/),
  worker('dtlsCertificateFile without key', { dtlsCertificateFile: '/tmp/c.pem' }, /dtlsPrivateKeyFile/),
  worker(
    'dtlsPrivateKeyFile without certificate',
    { dtlsPrivateKeyFile: '/tmp/k.pem' },
    /dtlsCertificateFile/,
  ),
  worker(
    'dtlsCertificateFile not a string',
    { dtlsCertificateFile: 5, dtlsPrivateKeyFile: '/tmp/k.pem' },
    /dtlsCertificateFile/,
  ),
  worker(
    'dtls files that do not exist',
    { dtlsCertificateFile: '/nonexistent/c.pem', dtlsPrivateKeyFile: '/nonexistent/k.pem' },
    /dtlsCertificateFile|dtlsPrivateKeyFile/,
  ),
  worker('appData not an object', { appData: 'x' }, /appData/),
  worker(
    'tsfuMaxIceTuplesPerTransport 0',
    { tsfuMaxIceTuplesPerTransport: 0 },
    /tsfuMaxIceTuplesPerTransport/,
  ),
  worker('tsfuMaxParkedPackets -1', { tsfuMaxParkedPackets: -1 }, /tsfuMaxParkedPackets/),
  worker('tsfuMaxTransports string', { tsfuMaxTransports: '10' }, /tsfuMaxTransports/),
  worker('tsfuMaxTransports 1.5', { tsfuMaxTransports: 1.5 }, /tsfuMaxTransports/),
];

const settings = (name: string, arg: Any, field: RegExp): BadCall => ({
  name: `updateSettings ${name}`,
  call: (c) => c.worker.updateSettings(arg),
  error: TypeError,
  field,
});

const updateSettingsCalls: BadCall[] = [
  settings('null', null, /settings/),
  settings('logLevel chicken', { logLevel: 'chicken' }, /logLevel/),
  settings('logTags not an array', { logTags: 'rtp' }, /logTags/),
  settings('logTags entry not a string', { logTags: [1] }, /logTags/),
];

const router = (name: string, options: Any, field: RegExp, error: BadCall['error'] = TypeError): BadCall => ({
  name: `createRouter ${name}`,
  call: async (c) => {
    const r = await c.worker.createRouter(options);
    r.close();
  },
  error,
  field,
});
const opus = MEDIA_CODECS[0];
const codec = (patch: Any) => ({ mediaCodecs: [{ ...opus, ...patch }] });

const routerCalls: BadCall[] = [
  router('null options', null, /options/),
  router('mediaCodecs not an array', { mediaCodecs: 'opus' }, /mediaCodecs/),
  router('mediaCodecs entry not an object', { mediaCodecs: [5] }, /codec/),
  router('mimeType missing', codec({ mimeType: undefined }), /mimeType/),
  router('mimeType not a string', codec({ mimeType: 5 }), /mimeType/),
  router('mimeType without kind', codec({ mimeType: 'opus' }), /mimeType/),
  router('mimeType unsupported', codec({ mimeType: 'audio/chicken' }), /mimeType/, UnsupportedError),
  router('clockRate missing', codec({ clockRate: undefined }), /clockRate/),
  router('clockRate string', codec({ clockRate: '48000' }), /clockRate/),
  router('clockRate not a match', codec({ clockRate: 44100 }), /mimeType/, UnsupportedError),
  router('channels not a match', codec({ channels: 'two' }), /mimeType/, UnsupportedError),
  router('preferredPayloadType string', codec({ preferredPayloadType: 'x' }), /preferredPayloadType/),
  router('preferredPayloadType 128', codec({ preferredPayloadType: 128 }), /preferredPayloadType/),
  router('preferredPayloadType -1', codec({ preferredPayloadType: -1 }), /preferredPayloadType/),
  router(
    'preferredPayloadType duplicated',
    {
      mediaCodecs: [
        { ...opus, preferredPayloadType: 100 },
        { ...MEDIA_CODECS[1], preferredPayloadType: 100 },
      ],
    },
    /preferredPayloadType/,
  ),
  router('parameters value an object', codec({ parameters: { useinbandfec: {} } }), /parameter/),
  router('parameters apt not a number', codec({ parameters: { apt: 'x' } }), /apt/),
  router('rtcpFeedback entry not an object', codec({ rtcpFeedback: [5] }), /fb/),
  router('rtcpFeedback type missing', codec({ rtcpFeedback: [{ parameter: 'pli' }] }), /fb\.type/),
  router('rtcpFeedback type not a string', codec({ rtcpFeedback: [{ type: 5 }] }), /fb\.type/),
  router('appData not an object', { mediaCodecs: MEDIA_CODECS, appData: 'x' }, /appData/),
];

const server = (name: string, options: Any, field: RegExp): BadCall => ({
  name: `createWebRtcServer ${name}`,
  call: async (c) => {
    const s = await c.worker.createWebRtcServer(options);
    s.close();
  },
  error: TypeError,
  field,
});
const listen = (patch: Any) => ({ listenInfos: [{ ...LISTEN, ...patch }] });

/** Malformed listen infos: the same for a WebRtcServer and a WebRtcTransport. */
const BAD_LISTEN_INFOS: Array<[string, Any, RegExp]> = [
  ['listenInfo not an object', ['udp'], /listenInfo/],
  ['listenInfo null', [null], /listenInfo/],
  ['protocol sctp', [{ ...LISTEN, protocol: 'sctp' }], /protocol/],
  ['protocol missing', [{ ...LISTEN, protocol: undefined }], /protocol/],
  ['ip missing', [{ ...LISTEN, ip: undefined }], /\bip\b/],
  ['ip not a string', [{ ...LISTEN, ip: 127 }], /\bip\b/],
  ['ip a hostname', [{ ...LISTEN, ip: 'localhost' }], /\bip\b/],
  ['ip a hostname (.invalid)', [{ ...LISTEN, ip: 'sfu.example.invalid' }], /\bip\b/],
  ['ip 999.1.1.1', [{ ...LISTEN, ip: '999.1.1.1' }], /\bip\b/],
  ['ip empty', [{ ...LISTEN, ip: '' }], /\bip\b/],
  ['announcedAddress not a string', [{ ...LISTEN, announcedAddress: 5 }], /announcedAddress/],
  ['announcedIp not a string', [{ ...LISTEN, announcedIp: {} }], /announcedIp/],
  ['port 70000', [{ ...LISTEN, port: 70000 }], /port/],
  ['port 1.5', [{ ...LISTEN, port: 1.5 }], /port/],
  ['port -1', [{ ...LISTEN, port: -1 }], /port/],
  ['port string', [{ ...LISTEN, port: '40000' }], /port/],
  ['port NaN', [{ ...LISTEN, port: Number.NaN }], /port/],
  ['portRange reversed', [{ ...LISTEN, portRange: { min: 4000, max: 3000 } }], /portRange/],
  ['portRange not an object', [{ ...LISTEN, portRange: '2000-3000' }], /portRange/],
  ['portRange max 70000', [{ ...LISTEN, portRange: { min: 2000, max: 70000 } }], /portRange/],
  ['portRange min 0.5', [{ ...LISTEN, portRange: { min: 0.5, max: 3000 } }], /portRange/],
  ['flags not an object', [{ ...LISTEN, flags: 'ipv6Only' }], /flags/],
  ['flags.ipv6Only not a boolean', [{ ...LISTEN, flags: { ipv6Only: 'yes' } }], /ipv6Only/],
  ['exposeInternalIp not a boolean', [{ ...LISTEN, exposeInternalIp: 'yes' }], /exposeInternalIp/],
  ['sendBufferSize -1', [{ ...LISTEN, sendBufferSize: -1 }], /sendBufferSize/],
  ['recvBufferSize string', [{ ...LISTEN, recvBufferSize: '65536' }], /recvBufferSize/],
  ['tsfuMaxTcpConnections on udp', [{ ...LISTEN, tsfuMaxTcpConnections: 10 }], /tsfuMaxTcpConnections/],
  [
    'tsfuTcpAuthTimeoutMs 0',
    [{ ...LISTEN, protocol: 'tcp', tsfuTcpAuthTimeoutMs: 0 }],
    /tsfuTcpAuthTimeoutMs/,
  ],
  [
    'duplicate entries',
    [
      { ...LISTEN, port: 40999 },
      { ...LISTEN, port: 40999, announcedAddress: '1.2.3.4' },
    ],
    /listenInfo.*(duplicate|same)|(duplicate|same).*listenInfo/,
  ],
];

const serverCalls: BadCall[] = [
  server('no options', undefined, /options|listenInfos/),
  server('listenInfos missing', {}, /listenInfos/),
  server('listenInfos not an array', { listenInfos: 'NOT-AN-ARRAY' }, /listenInfos/),
  server('listenInfos empty', { listenInfos: [] }, /listenInfos/),
  ...BAD_LISTEN_INFOS.map(([name, listenInfos, field]) => server(name, { listenInfos }, field)),
  server('appData not an object', { ...listen({}), appData: 'x' }, /appData/),
];

const transport = (
  name: string,
  options: Any,
  field: RegExp,
  error: BadCall['error'] = TypeError,
): BadCall => ({
  name: `createWebRtcTransport ${name}`,
  call: async (c) => {
    const t = await c.router.createWebRtcTransport(typeof options === 'function' ? options(c) : options);
    t.close();
  },
  error,
  field,
});

const transportCalls: BadCall[] = [
  transport('no options', undefined, /webRtcServer|listenInfos|listenIps/),
  transport('options empty', {}, /webRtcServer|listenInfos|listenIps/),
  transport('listenInfos not an array', { listenInfos: '127.0.0.1' }, /listenInfos/),
  transport('listenInfos empty', { listenInfos: [] }, /listenInfos/),
  ...BAD_LISTEN_INFOS.map(([name, listenInfos, field]) => transport(name, { listenInfos }, field)),
  transport('listenIps not an array', { listenIps: '127.0.0.1' }, /listenIps/),
  transport('listenIps entry a number', { listenIps: [123] }, /listenIp/),
  transport('listenIps entry a hostname', { listenIps: ['localhost'] }, /\bip\b/),
  transport(
    'listenIps announcedIp not a string',
    { listenIps: [{ ip: '127.0.0.1', announcedIp: 5 }] },
    /announced/,
  ),
  transport('listenIps with port 70000', { listenIps: ['127.0.0.1'], port: 70000 }, /port/),
  transport('listenIps with port 1.5', { listenIps: ['127.0.0.1'], port: 1.5 }, /port/),
  transport(
    'listenIps with enableUdp and enableTcp false',
    { listenIps: ['127.0.0.1'], enableUdp: false, enableTcp: false },
    /enableUdp|enableTcp/,
  ),
  transport(
    'webRtcServer with enableUdp and enableTcp false',
    (c: Ctx) => ({ webRtcServer: c.server, enableUdp: false, enableTcp: false }),
    /enableUdp|enableTcp/,
  ),
  transport(
    'webRtcServer and listenInfos',
    (c: Ctx) => ({ webRtcServer: c.server, ...listen({}) }),
    /only one/,
  ),
  transport('webRtcServer not a WebRtcServer', { webRtcServer: { id: 'x' } }, /webRtcServer/),
  transport('webRtcServer closed', (c: Ctx) => ({ webRtcServer: c.closedServer }), /webRtcServer/, Error),
  transport('enableUdp not a boolean', { ...listen({}), enableUdp: 'yes' }, /enableUdp/),
  transport('preferTcp not a boolean', { ...listen({}), preferTcp: 1 }, /preferTcp/),
  transport('iceConsentTimeout 3e6', { ...listen({}), iceConsentTimeout: 3e6 }, /iceConsentTimeout/),
  transport('iceConsentTimeout -1', { ...listen({}), iceConsentTimeout: -1 }, /iceConsentTimeout/),
  transport('iceConsentTimeout string', { ...listen({}), iceConsentTimeout: '30' }, /iceConsentTimeout/),
  transport(
    'initialAvailableOutgoingBitrate -1',
    { ...listen({}), initialAvailableOutgoingBitrate: -1 },
    /initialAvailableOutgoingBitrate/,
  ),
  transport(
    'initialAvailableOutgoingBitrate NaN',
    { ...listen({}), initialAvailableOutgoingBitrate: Number.NaN },
    /initialAvailableOutgoingBitrate/,
  ),
  transport(
    'initialAvailableOutgoingBitrate string',
    { ...listen({}), initialAvailableOutgoingBitrate: '600000' },
    /initialAvailableOutgoingBitrate/,
  ),
  transport('enableSctp not a boolean', { ...listen({}), enableSctp: 'yes' }, /enableSctp/),
  transport(
    'numSctpStreams not an object',
    { ...listen({}), enableSctp: true, numSctpStreams: 1024 },
    /numSctpStreams/,
  ),
  transport(
    'numSctpStreams.OS 0',
    { ...listen({}), enableSctp: true, numSctpStreams: { OS: 0, MIS: 1024 } },
    /numSctpStreams\.OS/,
  ),
  transport(
    'numSctpStreams.MIS 70000',
    { ...listen({}), enableSctp: true, numSctpStreams: { OS: 1024, MIS: 70000 } },
    /numSctpStreams\.MIS/,
  ),
  transport(
    'maxSctpMessageSize -1',
    { ...listen({}), enableSctp: true, maxSctpMessageSize: -1 },
    /maxSctpMessageSize/,
  ),
  transport('maxSendMessageSize string', { ...listen({}), maxSendMessageSize: '1000' }, /maxSendMessageSize/),
  transport(
    'maxReceiveMessageSize 1.5',
    { ...listen({}), maxReceiveMessageSize: 1.5 },
    /maxReceiveMessageSize/,
  ),
  transport('sctpSendBufferSize -1', { ...listen({}), sctpSendBufferSize: -1 }, /sctpSendBufferSize/),
  transport('sctpSendBufferSize string', { ...listen({}), sctpSendBufferSize: 'big' }, /sctpSendBufferSize/),
  transport('appData not an object', { ...listen({}), appData: 'NOT-AN-OBJECT' }, /appData/),
];

export const SETUP_CALLS: BadCall[] = [
  ...workerCalls,
  ...updateSettingsCalls,
  ...routerCalls,
  ...serverCalls,
  ...transportCalls,
];
