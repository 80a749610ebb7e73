/**
 * The capability logic of the SFU, pure and synchronous: validation (with the
 * defaults mediasoup fills in), router capabilities with dynamic payload
 * types, codec matching (H264 profiles, VP9 profile-id, multiopus streams),
 * the producer → router payload/SSRC mapping, consumable parameters, and the
 * parameters of each consumer. It follows mediasoup 3.27.1's `ortc`: the same
 * exported functions (`validateAndNormalize*`, …), defaults, error classes
 * (`TypeError` for malformed input, `UnsupportedError` for valid but
 * unsupported input) and messages. mediasoup's `serializeRtpMapping()`
 * (flatbuffers for its C++ worker) has no counterpart here.
 *
 * The validators mutate their argument (they add defaults), as mediasoup's do.
 */
import { randomInt } from 'node:crypto';
import { RTP_EXTENSION_URI } from '@tsfu/rtp';
import { UnsupportedError } from '../errors.js';
import type {
  MediaKind,
  RouterRtpCapabilities,
  RouterRtpCodecCapability,
  RtcpFeedback,
  RtcpParameters,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtension,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from '../types/rtp-parameters.js';
import type { SctpStreamParameters } from '../types/sctp-parameters.js';
import { generateProfileLevelIdStringForAnswer, isSameH264Profile } from './h264-profile-level-id.js';
import { parseScalabilityMode } from './scalability-mode.js';
import { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';

/** How a producer's payload types and streams map onto the router's. */
export type RtpCodecsEncodingsMapping = {
  codecs: { payloadType: number; mappedPayloadType: number }[];
  encodings: { ssrc?: number; rid?: string; mappedSsrc: number }[];
};

// The order mediasoup hands out dynamic payload types in: 100-127 first, then 96-99.
const DYNAMIC_PAYLOAD_TYPES: readonly number[] = [
  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120,
  121, 122, 123, 124, 125, 126, 127, 96, 97, 98, 99,
];

const MIME_TYPE_REGEX = /^(audio|video)\/(.+)/i;
const RTX_MIME_TYPE_REGEX = /.+\/rtx$/i;

const {
  transportWideCc: TWCC_URI,
  absSendTime: ABS_SEND_TIME_URI,
  mid: MID_URI,
  absCaptureTime: ABS_CAPTURE_TIME_URI,
  dependencyDescriptor: DEPENDENCY_DESCRIPTOR_URI,
} = RTP_EXTENSION_URI;

// Loose views of user input: validators must look at fields whatever their type.
type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

/** A random SSRC in mediasoup's range (9 decimal digits). */
function generateRandomSsrc(): number {
  return randomInt(100_000_000, 999_999_999);
}

/**
 * Validates RtpCapabilities, filling defaults (`codecs`, `headerExtensions`
 * and each entry's defaults). Throws `TypeError` if invalid.
 */
export function validateAndNormalizeRtpCapabilities(caps: RtpCapabilities | RouterRtpCapabilities): void {
  if (!isObject(caps)) throw new TypeError('caps is not an object');
  const loose = caps as Loose;

  if (loose.codecs && !Array.isArray(loose.codecs)) throw new TypeError('caps.codecs is not an array');
  if (!loose.codecs) loose.codecs = [];
  for (const codec of loose.codecs as RtpCodecCapability[]) validateAndNormalizeRtpCodecCapability(codec);

  if (loose.headerExtensions && !Array.isArray(loose.headerExtensions)) {
    throw new TypeError('caps.headerExtensions is not an array');
  }
  if (!loose.headerExtensions) loose.headerExtensions = [];
  for (const ext of loose.headerExtensions as RtpHeaderExtension[])
    validateAndNormalizeRtpHeaderExtension(ext);
}

/**
 * Validates an RtpCodecCapability: `kind` is taken from the MIME type,
 * `channels` defaults to 1 for audio (and is removed for video), `parameters`
 * to {}, `rtcpFeedback` to []. Throws `TypeError` if invalid.
 */
function validateAndNormalizeRtpCodecCapability(codec: RtpCodecCapability | RouterRtpCodecCapability): void {
  if (!isObject(codec)) throw new TypeError('codec is not an object');
  const loose = codec as Loose;

  if (!loose.mimeType || typeof loose.mimeType !== 'string') throw new TypeError('missing codec.mimeType');
  const mimeTypeMatch = MIME_TYPE_REGEX.exec(loose.mimeType);
  if (!mimeTypeMatch) throw new TypeError('invalid codec.mimeType');

  // The MIME type wins over whatever kind was given.
  loose.kind = mimeTypeMatch[1].toLowerCase() as MediaKind;

  if (loose.preferredPayloadType && typeof loose.preferredPayloadType !== 'number') {
    throw new TypeError('invalid codec.preferredPayloadType');
  }
  if (typeof loose.clockRate !== 'number') throw new TypeError('missing codec.clockRate');

  normalizeChannels(loose, loose.kind as MediaKind);
  validateCodecParameters(loose);

  if (!Array.isArray(loose.rtcpFeedback)) loose.rtcpFeedback = [];
  for (const fb of loose.rtcpFeedback as RtcpFeedback[]) validateAndNormalizeRtcpFeedback(fb);
}

function normalizeChannels(codec: Loose, kind: MediaKind): void {
  if (kind === 'audio') {
    if (typeof codec.channels !== 'number') codec.channels = 1;
  } else {
    delete codec.channels;
  }
}

function validateCodecParameters(codec: Loose): void {
  if (!isObject(codec.parameters)) codec.parameters = {};
  const parameters = codec.parameters as Loose;
  for (const key of Object.keys(parameters)) {
    let value = parameters[key];
    if (value === undefined) {
      parameters[key] = '';
      value = '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      // The stray 's' after the key is in mediasoup's message too.
      throw new TypeError(`invalid codec parameter [key:${key}s, value:${String(value)}]`);
    }
    if (key === 'apt' && typeof value !== 'number') throw new TypeError('invalid codec apt parameter');
  }
}

/** Validates an RtcpFeedback: `type` is required, `parameter` defaults to ''. */
function validateAndNormalizeRtcpFeedback(fb: RtcpFeedback): void {
  if (!isObject(fb)) throw new TypeError('fb is not an object');
  const loose = fb as Loose;
  if (!loose.type || typeof loose.type !== 'string') throw new TypeError('missing fb.type');
  if (!loose.parameter || typeof loose.parameter !== 'string') loose.parameter = '';
}

/**
 * Validates an RtpHeaderExtension: `kind`, `uri` and `preferredId` are
 * required, `preferredEncrypt` defaults to false, `direction` to 'sendrecv'.
 */
function validateAndNormalizeRtpHeaderExtension(ext: RtpHeaderExtension): void {
  if (!isObject(ext)) throw new TypeError('ext is not an object');
  const loose = ext as Loose;
  if (loose.kind !== 'audio' && loose.kind !== 'video') throw new TypeError('invalid ext.kind');
  if (!loose.uri || typeof loose.uri !== 'string') throw new TypeError('missing ext.uri');
  if (typeof loose.preferredId !== 'number') throw new TypeError('missing ext.preferredId');
  if (loose.preferredEncrypt && typeof loose.preferredEncrypt !== 'boolean') {
    throw new TypeError('invalid ext.preferredEncrypt');
  }
  if (!loose.preferredEncrypt) loose.preferredEncrypt = false;
  if (loose.direction && typeof loose.direction !== 'string') throw new TypeError('invalid ext.direction');
  if (!loose.direction) loose.direction = 'sendrecv';
}

/**
 * Validates RtpParameters: `codecs` is required; `headerExtensions`,
 * `encodings` default to [] and `rtcp` to {} (then its own defaults); `mid`
 * and `msid` must be strings when given.
 */
export function validateAndNormalizeRtpParameters(params: RtpParameters): void {
  if (!isObject(params)) throw new TypeError('params is not an object');
  const loose = params as Loose;

  if (loose.mid && typeof loose.mid !== 'string') throw new TypeError('params.mid is not a string');
  if (!Array.isArray(loose.codecs)) throw new TypeError('missing params.codecs');
  for (const codec of loose.codecs as RtpCodecParameters[]) validateAndNormalizeRtpCodecParameters(codec);

  if (loose.headerExtensions && !Array.isArray(loose.headerExtensions)) {
    throw new TypeError('params.headerExtensions is not an array');
  }
  if (!loose.headerExtensions) loose.headerExtensions = [];
  for (const ext of loose.headerExtensions as RtpHeaderExtensionParameters[]) {
    validateAndNormalizeRtpHeaderExtensionParameters(ext);
  }

  if (loose.encodings && !Array.isArray(loose.encodings))
    throw new TypeError('params.encodings is not an array');
  if (!loose.encodings) loose.encodings = [];
  for (const encoding of loose.encodings as RtpEncodingParameters[])
    validateAndNormalizeRtpEncodingParameters(encoding);

  if (loose.rtcp && !isObject(loose.rtcp)) throw new TypeError('params.rtcp is not an object');
  if (!loose.rtcp) loose.rtcp = {};

  if (loose.msid && typeof loose.msid !== 'string') throw new TypeError('params.msid is not a string');

  validateAndNormalizeRtcpParameters(loose.rtcp as RtcpParameters);
}

/** Validates RtpCodecParameters (`mimeType`, `payloadType`, `clockRate` required). */
function validateAndNormalizeRtpCodecParameters(codec: RtpCodecParameters): void {
  if (!isObject(codec)) throw new TypeError('codec is not an object');
  const loose = codec as Loose;

  if (!loose.mimeType || typeof loose.mimeType !== 'string') throw new TypeError('missing codec.mimeType');
  const mimeTypeMatch = MIME_TYPE_REGEX.exec(loose.mimeType);
  if (!mimeTypeMatch) throw new TypeError('invalid codec.mimeType');
  if (typeof loose.payloadType !== 'number') throw new TypeError('missing codec.payloadType');
  if (typeof loose.clockRate !== 'number') throw new TypeError('missing codec.clockRate');

  normalizeChannels(loose, mimeTypeMatch[1].toLowerCase() as MediaKind);
  validateCodecParameters(loose);

  if (!Array.isArray(loose.rtcpFeedback)) loose.rtcpFeedback = [];
  for (const fb of loose.rtcpFeedback as RtcpFeedback[]) validateAndNormalizeRtcpFeedback(fb);
}

/** Validates RtpHeaderExtensionParameters (`uri`, `id` required; `encrypt` false, `parameters` {}). */
function validateAndNormalizeRtpHeaderExtensionParameters(ext: RtpHeaderExtensionParameters): void {
  if (!isObject(ext)) throw new TypeError('ext is not an object');
  const loose = ext as Loose;
  if (!loose.uri || typeof loose.uri !== 'string') throw new TypeError('missing ext.uri');
  if (typeof loose.id !== 'number') throw new TypeError('missing ext.id');
  if (loose.encrypt && typeof loose.encrypt !== 'boolean') throw new TypeError('invalid ext.encrypt');
  if (!loose.encrypt) loose.encrypt = false;
  if (!isObject(loose.parameters)) loose.parameters = {};
  const parameters = loose.parameters as Loose;
  for (const key of Object.keys(parameters)) {
    let value = parameters[key];
    if (value === undefined) {
      parameters[key] = '';
      value = '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError('invalid header extension parameter');
    }
  }
}

/** Validates RtpEncodingParameters (`rtx.ssrc` required when `rtx` is given; `dtx` defaults to false). */
function validateAndNormalizeRtpEncodingParameters(encoding: RtpEncodingParameters): void {
  if (!isObject(encoding)) throw new TypeError('encoding is not an object');
  const loose = encoding as Loose;
  if (loose.ssrc && typeof loose.ssrc !== 'number') throw new TypeError('invalid encoding.ssrc');
  if (loose.rid && typeof loose.rid !== 'string') throw new TypeError('invalid encoding.rid');
  if (loose.rtx && !isObject(loose.rtx)) throw new TypeError('invalid encoding.rtx');
  if (loose.rtx && typeof (loose.rtx as Loose).ssrc !== 'number') {
    throw new TypeError('missing encoding.rtx.ssrc');
  }
  if (!loose.dtx || typeof loose.dtx !== 'boolean') loose.dtx = false;
  if (loose.scalabilityMode && typeof loose.scalabilityMode !== 'string') {
    throw new TypeError('invalid encoding.scalabilityMode');
  }
}

/** Validates RtcpParameters (`reducedSize` defaults to true). */
function validateAndNormalizeRtcpParameters(rtcp: RtcpParameters): void {
  if (!isObject(rtcp)) throw new TypeError('rtcp is not an object');
  const loose = rtcp as Loose;
  if (loose.cname && typeof loose.cname !== 'string') throw new TypeError('invalid rtcp.cname');
  if (!loose.reducedSize || typeof loose.reducedSize !== 'boolean') loose.reducedSize = true;
}

/**
 * Validates SctpStreamParameters: `streamId` required; `ordered` defaults to
 * true, or to false when a partial-reliability limit is given. An explicitly
 * ordered stream cannot have such a limit, and the two limits exclude each other.
 */
export function validateAndNormalizeSctpStreamParameters(params: SctpStreamParameters): void {
  if (!isObject(params)) throw new TypeError('params is not an object');
  const loose = params as Loose;
  if (typeof loose.streamId !== 'number') throw new TypeError('missing params.streamId');

  const orderedGiven = typeof loose.ordered === 'boolean';
  if (!orderedGiven) loose.ordered = true;

  if (loose.maxPacketLifeTime && typeof loose.maxPacketLifeTime !== 'number') {
    throw new TypeError('invalid params.maxPacketLifeTime');
  }
  if (loose.maxRetransmits && typeof loose.maxRetransmits !== 'number') {
    throw new TypeError('invalid params.maxRetransmits');
  }
  if (loose.maxPacketLifeTime && loose.maxRetransmits) {
    throw new TypeError('cannot provide both maxPacketLifeTime and maxRetransmits');
  }
  const partial = Boolean(loose.maxPacketLifeTime || loose.maxRetransmits);
  if (orderedGiven && loose.ordered && partial) {
    throw new TypeError('cannot be ordered with maxPacketLifeTime or maxRetransmits');
  }
  if (!orderedGiven && partial) loose.ordered = false;
}

/**
 * Builds a router's RTP capabilities from the application's `mediaCodecs`
 * and the supported capabilities. Each media codec takes its own
 * `preferredPayloadType` if given, the static one of the supported codec
 * (PCMU 0, PCMA 8, G722 9, CN 13) otherwise, else the next free dynamic
 * payload type (100…127, then 96…99); every video codec gets an RTX codec
 * right after it with the next free dynamic payload type. Parameters given
 * by the application are merged over the supported codec's.
 *
 * Throws `UnsupportedError` for a codec not in the supported table,
 * `TypeError` for duplicated payload types, `Error` when payload types run out.
 */
export function generateRouterRtpCapabilities(mediaCodecs: RouterRtpCodecCapability[] = []): RtpCapabilities {
  if (!Array.isArray(mediaCodecs)) throw new TypeError('mediaCodecs must be an Array');

  const supported = getSupportedRtpCapabilities();
  validateAndNormalizeRtpCapabilities(supported);

  const dynamicPayloadTypes = [...DYNAMIC_PAYLOAD_TYPES];
  const caps: RtpCapabilities = {
    codecs: [],
    headerExtensions: supported.headerExtensions,
  };
  const codecs = caps.codecs as RtpCodecCapability[];

  for (const mediaCodec of mediaCodecs) {
    validateAndNormalizeRtpCodecCapability(mediaCodec);

    const matchedSupportedCodec = supported.codecs?.find((supportedCodec) =>
      matchCodecs(mediaCodec, supportedCodec, { strict: false }),
    );
    if (!matchedSupportedCodec) {
      throw new UnsupportedError(`media codec not supported [mimeType:${mediaCodec.mimeType}]`);
    }

    const codec = structuredClone(matchedSupportedCodec) as RouterRtpCodecCapability;

    if (typeof mediaCodec.preferredPayloadType === 'number') {
      // The application's choice wins; take it out of the dynamic pool.
      codec.preferredPayloadType = mediaCodec.preferredPayloadType;
      const idx = dynamicPayloadTypes.indexOf(codec.preferredPayloadType);
      if (idx > -1) dynamicPayloadTypes.splice(idx, 1);
    } else if (typeof codec.preferredPayloadType !== 'number') {
      // No static payload type: the next free dynamic one.
      const pt = dynamicPayloadTypes.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      codec.preferredPayloadType = pt;
    }

    if (codecs.some((c) => c.preferredPayloadType === codec.preferredPayloadType)) {
      throw new TypeError('duplicated codec.preferredPayloadType');
    }

    codec.parameters = { ...codec.parameters, ...mediaCodec.parameters };
    codecs.push(codec as RtpCodecCapability);

    if (codec.kind === 'video') {
      const pt = dynamicPayloadTypes.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      codecs.push({
        kind: codec.kind,
        mimeType: `${codec.kind}/rtx`,
        preferredPayloadType: pt,
        clockRate: codec.clockRate,
        parameters: { apt: codec.preferredPayloadType },
        rtcpFeedback: [],
      });
    }
  }

  return caps;
}

/**
 * Maps a producer's RTP parameters onto the router: each media codec to the
 * router codec it matches (strictly; an H264 `profile-level-id` is rewritten
 * to the negotiated answer), each RTX codec to the router's RTX of that codec,
 * and each encoding to a fresh consecutive SSRC.
 *
 * Throws `UnsupportedError` for a codec or RTX the router lacks, `TypeError`
 * for an RTX codec whose `apt` names no codec.
 */
export function getProducerRtpParametersMapping(
  params: RtpParameters,
  caps: RtpCapabilities,
): RtpCodecsEncodingsMapping {
  const rtpMapping: RtpCodecsEncodingsMapping = { codecs: [], encodings: [] };
  const capCodecs = caps.codecs ?? [];
  const codecToCapCodec = new Map<RtpCodecParameters, RtpCodecCapability>();

  for (const codec of params.codecs) {
    if (isRtxCodec(codec)) continue;
    const matchedCapCodec = capCodecs.find((capCodec) =>
      matchCodecs(codec, capCodec, { strict: true, modify: true }),
    );
    if (!matchedCapCodec) {
      throw new UnsupportedError(
        `unsupported codec [mimeType:${codec.mimeType}, payloadType:${codec.payloadType}]`,
      );
    }
    codecToCapCodec.set(codec, matchedCapCodec);
  }

  for (const codec of params.codecs) {
    if (!isRtxCodec(codec)) continue;
    const associatedMediaCodec = params.codecs.find(
      (mediaCodec) => mediaCodec.payloadType === codec.parameters?.apt,
    );
    if (!associatedMediaCodec) {
      throw new TypeError(`missing media codec found for RTX PT ${codec.payloadType}`);
    }
    const capMediaCodec = codecToCapCodec.get(associatedMediaCodec);
    const associatedCapRtxCodec = capCodecs.find(
      (capCodec) => isRtxCodec(capCodec) && capCodec.parameters?.apt === capMediaCodec?.preferredPayloadType,
    );
    if (!associatedCapRtxCodec) {
      throw new UnsupportedError(
        `no RTX codec for capability codec PT ${capMediaCodec?.preferredPayloadType}`,
      );
    }
    codecToCapCodec.set(codec, associatedCapRtxCodec);
  }

  for (const [codec, capCodec] of codecToCapCodec) {
    rtpMapping.codecs.push({
      payloadType: codec.payloadType,
      mappedPayloadType: capCodec.preferredPayloadType,
    });
  }

  let mappedSsrc = generateRandomSsrc();
  for (const encoding of params.encodings ?? []) {
    rtpMapping.encodings.push({ ssrc: encoding.ssrc, rid: encoding.rid, mappedSsrc: mappedSsrc++ });
  }

  return rtpMapping;
}

/**
 * The RTP parameters consumers of a producer start from: the router's payload
 * types, MIME types, clock rates and RTCP feedback with the producer's codec
 * parameters, the router's RTX codecs, every header extension of this kind
 * the router can send, and the producer's encodings with their mapped SSRCs
 * (without `rid`, `rtx` and `codecPayloadType`).
 */
export function getConsumableRtpParameters(
  kind: string,
  params: RtpParameters,
  caps: RtpCapabilities,
  rtpMapping: RtpCodecsEncodingsMapping,
): RtpParameters {
  const consumableParams: RtpParameters = {
    codecs: [],
    headerExtensions: [],
    encodings: [],
    rtcp: {},
    msid: undefined,
  };
  const capCodecs = caps.codecs ?? [];

  for (const codec of params.codecs) {
    if (isRtxCodec(codec)) continue;
    const consumableCodecPt = rtpMapping.codecs.find(
      (entry) => entry.payloadType === codec.payloadType,
    )?.mappedPayloadType;
    const matchedCapCodec = capCodecs.find((capCodec) => capCodec.preferredPayloadType === consumableCodecPt);
    if (!matchedCapCodec) throw new TypeError(`no mapped codec for payload type ${codec.payloadType}`);

    const consumableCodec: RtpCodecParameters = {
      mimeType: matchedCapCodec.mimeType,
      payloadType: matchedCapCodec.preferredPayloadType,
      clockRate: matchedCapCodec.clockRate,
      channels: matchedCapCodec.channels,
      parameters: codec.parameters, // The producer's codec parameters are kept.
      rtcpFeedback: matchedCapCodec.rtcpFeedback,
    };
    consumableParams.codecs.push(consumableCodec);

    const consumableCapRtxCodec = capCodecs.find(
      (capRtxCodec) => isRtxCodec(capRtxCodec) && capRtxCodec.parameters?.apt === consumableCodec.payloadType,
    );
    if (consumableCapRtxCodec) {
      consumableParams.codecs.push({
        mimeType: consumableCapRtxCodec.mimeType,
        payloadType: consumableCapRtxCodec.preferredPayloadType,
        clockRate: consumableCapRtxCodec.clockRate,
        parameters: consumableCapRtxCodec.parameters,
        rtcpFeedback: consumableCapRtxCodec.rtcpFeedback,
      });
    }
  }

  for (const capExt of caps.headerExtensions ?? []) {
    // Only extensions the router can send towards consumers.
    if (capExt.kind !== kind || (capExt.direction !== 'sendrecv' && capExt.direction !== 'sendonly'))
      continue;
    // abs-capture-time is only proxied from the producer's packets: announce it
    // only if the producer negotiated it, or a producer created from a pipe
    // consumer would announce it and wait forever for an extension that never comes.
    if (
      capExt.uri === ABS_CAPTURE_TIME_URI &&
      !(params.headerExtensions ?? []).some((ext) => ext.uri === capExt.uri)
    ) {
      continue;
    }
    consumableParams.headerExtensions?.push({
      uri: capExt.uri,
      id: capExt.preferredId,
      encrypt: capExt.preferredEncrypt,
      parameters: {},
    });
  }

  const consumableEncodings = structuredClone(params.encodings ?? []);
  for (let i = 0; i < consumableEncodings.length; ++i) {
    const consumableEncoding = consumableEncodings[i];
    delete consumableEncoding.rid;
    delete consumableEncoding.rtx;
    delete consumableEncoding.codecPayloadType;
    consumableEncoding.ssrc = rtpMapping.encodings[i].mappedSsrc;
    consumableParams.encodings?.push(consumableEncoding);
  }

  consumableParams.rtcp = { cname: params.rtcp?.cname, reducedSize: true };
  consumableParams.msid = params.msid;
  return consumableParams;
}

/**
 * Whether an endpoint with RTP capabilities `caps` can consume a producer
 * whose consumable parameters are given: at least one media codec matches
 * strictly (an RTX match alone is not enough). Validates (and fills) `caps`;
 * throws `TypeError` if they are invalid.
 */
export function canConsume(consumableRtpParameters: RtpParameters, caps: RtpCapabilities): boolean {
  validateAndNormalizeRtpCapabilities(caps);
  const capCodecs = caps.codecs ?? [];
  const matchingCodecs: RtpCodecParameters[] = [];
  for (const codec of consumableRtpParameters.codecs) {
    if (capCodecs.some((capCodec) => matchCodecs(capCodec, codec, { strict: true }))) {
      matchingCodecs.push(codec);
    }
  }
  return matchingCodecs.length > 0 && !isRtxCodec(matchingCodecs[0]);
}

/**
 * The RTP parameters of one consumer: the consumable codecs the remote
 * endpoint supports (with the remote's RTCP feedback; NACK dropped without
 * RTX), RTX kept only next to its media codec, the header extensions the
 * remote supports with the same id, and BWE feedback reduced to
 * transport-cc, else REMB, else none. One encoding with a random SSRC (plus
 * an RTX SSRC when RTX is in use), the producer's scalability mode (simulcast
 * becomes `L<encodings>T<temporal layers>`) and its largest `maxBitrate`; with
 * `pipe`, every consumable encoding with new SSRCs.
 *
 * Throws `UnsupportedError` when no media codec is compatible.
 */
export function getConsumerRtpParameters({
  consumableRtpParameters,
  remoteRtpCapabilities,
  pipe,
  enableRtx,
}: {
  consumableRtpParameters: RtpParameters;
  remoteRtpCapabilities: RtpCapabilities;
  pipe: boolean;
  enableRtx: boolean;
}): RtpParameters {
  const consumerParams: RtpParameters = {
    codecs: [],
    headerExtensions: [],
    encodings: [],
    rtcp: consumableRtpParameters.rtcp,
    msid: consumableRtpParameters.msid,
  };
  const remoteCodecs = remoteRtpCapabilities.codecs ?? [];
  for (const capCodec of remoteCodecs) validateAndNormalizeRtpCodecCapability(capCodec);

  const consumableCodecs = structuredClone(consumableRtpParameters.codecs);
  let rtxSupported = false;

  for (const codec of consumableCodecs) {
    if (!enableRtx && isRtxCodec(codec)) continue;
    const matchedCapCodec = remoteCodecs.find((capCodec) => matchCodecs(capCodec, codec, { strict: true }));
    if (!matchedCapCodec) continue;
    codec.rtcpFeedback = (matchedCapCodec.rtcpFeedback ?? []).filter(
      (fb) => enableRtx || fb.type !== 'nack' || fb.parameter,
    );
    consumerParams.codecs.push(codec);
  }

  // Drop RTX codecs whose media codec did not survive.
  for (let idx = consumerParams.codecs.length - 1; idx >= 0; --idx) {
    const codec = consumerParams.codecs[idx];
    if (!isRtxCodec(codec)) continue;
    const associatedMediaCodec = consumerParams.codecs.find(
      (mediaCodec) => mediaCodec.payloadType === codec.parameters?.apt,
    );
    if (associatedMediaCodec) rtxSupported = true;
    else consumerParams.codecs.splice(idx, 1);
  }

  if (consumerParams.codecs.length === 0 || isRtxCodec(consumerParams.codecs[0])) {
    throw new UnsupportedError('no compatible media codecs');
  }

  const remoteExts = remoteRtpCapabilities.headerExtensions ?? [];
  consumerParams.headerExtensions = (consumableRtpParameters.headerExtensions ?? []).filter((ext) =>
    remoteExts.some((capExt) => capExt.preferredId === ext.id && capExt.uri === ext.uri),
  );

  // One bandwidth estimator at a time: transport-cc if possible, else REMB.
  const headerExtensions = consumerParams.headerExtensions;
  if (headerExtensions.some((ext) => ext.uri === TWCC_URI)) {
    for (const codec of consumerParams.codecs) {
      codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter((fb) => fb.type !== 'goog-remb');
    }
  } else if (headerExtensions.some((ext) => ext.uri === ABS_SEND_TIME_URI)) {
    for (const codec of consumerParams.codecs) {
      codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter((fb) => fb.type !== 'transport-cc');
    }
  } else {
    for (const codec of consumerParams.codecs) {
      codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter(
        (fb) => fb.type !== 'transport-cc' && fb.type !== 'goog-remb',
      );
    }
  }

  const consumableEncodings = consumableRtpParameters.encodings ?? [];
  if (!pipe) {
    const consumerEncoding: RtpEncodingParameters = { ssrc: generateRandomSsrc() };
    if (rtxSupported) consumerEncoding.rtx = { ssrc: (consumerEncoding.ssrc as number) + 1 };

    // All encodings are assumed to share the scalability mode of the first that has one.
    let scalabilityMode = consumableEncodings.find((encoding) => encoding.scalabilityMode)?.scalabilityMode;
    // Simulcast: the consumer sees one stream whose spatial layers are the encodings.
    if (consumableEncodings.length > 1) {
      const { temporalLayers } = parseScalabilityMode(scalabilityMode);
      scalabilityMode = `L${consumableEncodings.length}T${temporalLayers}`;
    }
    if (scalabilityMode) consumerEncoding.scalabilityMode = scalabilityMode;

    const maxEncodingMaxBitrate = consumableEncodings.reduce(
      (max, encoding) => (encoding.maxBitrate && encoding.maxBitrate > max ? encoding.maxBitrate : max),
      0,
    );
    if (maxEncodingMaxBitrate) consumerEncoding.maxBitrate = maxEncodingMaxBitrate;

    consumerParams.encodings?.push(consumerEncoding);
  } else {
    const encodings = structuredClone(consumableEncodings);
    const baseSsrc = generateRandomSsrc();
    const baseRtxSsrc = generateRandomSsrc();
    for (let i = 0; i < encodings.length; ++i) {
      const encoding = encodings[i];
      encoding.ssrc = baseSsrc + i;
      if (rtxSupported) encoding.rtx = { ssrc: baseRtxSsrc + i };
      else delete encoding.rtx;
      consumerParams.encodings?.push(encoding);
    }
  }

  return consumerParams;
}

/**
 * The RTP parameters of a consumer on a PipeTransport (router to router):
 * every consumable encoding with new SSRCs, no bandwidth estimation (no
 * MID, abs-send-time, transport-cc; feedback reduced to PLI and FIR), the
 * AV1 dependency descriptor extension added, and RTX with generic NACK only
 * when `enableRtx`.
 */
export function getPipeConsumerRtpParameters({
  consumableRtpParameters,
  enableRtx,
}: {
  consumableRtpParameters: RtpParameters;
  enableRtx: boolean;
}): RtpParameters {
  const consumerParams: RtpParameters = {
    codecs: [],
    headerExtensions: [],
    encodings: [],
    rtcp: consumableRtpParameters.rtcp,
    msid: consumableRtpParameters.msid,
  };

  for (const codec of structuredClone(consumableRtpParameters.codecs)) {
    if (!enableRtx && isRtxCodec(codec)) continue;
    codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter(
      (fb) =>
        (fb.type === 'nack' && fb.parameter === 'pli') ||
        (fb.type === 'ccm' && fb.parameter === 'fir') ||
        (enableRtx && fb.type === 'nack' && !fb.parameter),
    );
    consumerParams.codecs.push(codec);
  }

  consumerParams.headerExtensions = (consumableRtpParameters.headerExtensions ?? []).filter(
    (ext) => ext.uri !== MID_URI && ext.uri !== ABS_SEND_TIME_URI && ext.uri !== TWCC_URI,
  );

  // The dependency descriptor is 'recvonly', so it is not among the consumable
  // extensions; a pipe consumer forwards it anyway (for both kinds, as
  // mediasoup does), and the list stays sorted by id.
  const dependencyDescriptorParameters = getDependencyDescriptorParametersForPipeConsumer();
  if (dependencyDescriptorParameters) {
    consumerParams.headerExtensions.push(dependencyDescriptorParameters);
    consumerParams.headerExtensions.sort((a, b) => a.id - b.id);
  }

  const encodings = structuredClone(consumableRtpParameters.encodings ?? []);
  const baseSsrc = generateRandomSsrc();
  const baseRtxSsrc = generateRandomSsrc();
  for (let i = 0; i < encodings.length; ++i) {
    const encoding = encodings[i];
    encoding.ssrc = baseSsrc + i;
    if (enableRtx) encoding.rtx = { ssrc: baseRtxSsrc + i };
    else delete encoding.rtx;
    consumerParams.encodings?.push(encoding);
  }

  return consumerParams;
}

/**
 * The dependency descriptor extension as a pipe consumer's header extension
 * parameters: taken from the supported table while it lists it as not
 * 'sendrecv' (mediasoup caches the same value when a router is created).
 */
function getDependencyDescriptorParametersForPipeConsumer(): RtpHeaderExtensionParameters | undefined {
  const ext = getSupportedRtpCapabilities().headerExtensions?.find(
    (headerExtension) =>
      headerExtension.uri === DEPENDENCY_DESCRIPTOR_URI && headerExtension.direction !== 'sendrecv',
  );
  if (!ext) return undefined;
  return { uri: ext.uri, id: ext.preferredId, encrypt: ext.preferredEncrypt ?? false, parameters: {} };
}

/** Whether a codec is RTX (RFC 4588), by MIME subtype. */
function isRtxCodec(codec: { mimeType: string }): boolean {
  return RTX_MIME_TYPE_REGEX.test(codec.mimeType);
}

type CodecLike = {
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
};

/**
 * Whether two codecs are the same: MIME type (case-insensitive), clock rate
 * and channels, plus per codec: multiopus stream layout always; with
 * `strict`, H264 packetization-mode and profile (levels are negotiated, and
 * with `modify` `a`'s profile-level-id becomes the answer's), VP9 profile-id.
 */
function matchCodecs(
  aCodec: CodecLike,
  bCodec: CodecLike,
  { strict = false, modify = false }: { strict?: boolean; modify?: boolean } = {},
): boolean {
  const aMimeType = aCodec.mimeType.toLowerCase();
  const bMimeType = bCodec.mimeType.toLowerCase();
  if (aMimeType !== bMimeType) return false;
  if (aCodec.clockRate !== bCodec.clockRate) return false;
  if (aCodec.channels !== bCodec.channels) return false;

  const aParameters = aCodec.parameters ?? {};
  const bParameters = bCodec.parameters ?? {};

  switch (aMimeType) {
    case 'audio/multiopus': {
      if (aParameters.num_streams !== bParameters.num_streams) return false;
      if (aParameters.coupled_streams !== bParameters.coupled_streams) return false;
      break;
    }
    case 'video/h264': {
      if (!strict) break;
      const aPacketizationMode = aParameters['packetization-mode'] || 0;
      const bPacketizationMode = bParameters['packetization-mode'] || 0;
      if (aPacketizationMode !== bPacketizationMode) return false;
      if (!isSameH264Profile(aParameters, bParameters)) return false;

      let selectedProfileLevelId: string | undefined;
      try {
        selectedProfileLevelId = generateProfileLevelIdStringForAnswer(aParameters, bParameters);
      } catch {
        // Profiles with no common answer: the codecs do not match (mediasoup's answer too, unlogged).
        return false;
      }
      if (modify) {
        if (!aCodec.parameters) aCodec.parameters = {};
        if (selectedProfileLevelId) aCodec.parameters['profile-level-id'] = selectedProfileLevelId;
        else delete aCodec.parameters['profile-level-id'];
      }
      break;
    }
    case 'video/vp9': {
      if (!strict) break;
      const aProfileId = aParameters['profile-id'] || 0;
      const bProfileId = bParameters['profile-id'] || 0;
      if (aProfileId !== bProfileId) return false;
      break;
    }
  }
  return true;
}
