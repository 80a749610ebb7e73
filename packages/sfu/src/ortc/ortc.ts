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
 * The validators mutate their argument (they add defaults), as mediasoup's do;
 * they live in `validation.ts`, codec comparison in `codec-matching.ts`.
 */
import { randomInt } from 'node:crypto';
import { RTP_EXTENSION_URI } from '@tsfu/rtp';
import { UnsupportedError } from '../errors.js';
import type {
  RouterRtpCodecCapability,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from '../types/rtp-parameters.js';
import { isRtxCodec, matchCodecs } from './codec-matching.js';
import { parseScalabilityMode } from './scalability-mode.js';
import { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';

import { validateAndNormalizeRtpCapabilities, validateAndNormalizeRtpCodecCapability } from './validation.js';

export {
  validateAndNormalizeRtpCapabilities,
  validateAndNormalizeRtpParameters,
  validateAndNormalizeSctpStreamParameters,
} from './validation.js';

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

const {
  transportWideCc: TWCC_URI,
  absSendTime: ABS_SEND_TIME_URI,
  mid: MID_URI,
  absCaptureTime: ABS_CAPTURE_TIME_URI,
  dependencyDescriptor: DEPENDENCY_DESCRIPTOR_URI,
} = RTP_EXTENSION_URI;

/** A random SSRC in mediasoup's range (9 decimal digits). */
function generateRandomSsrc(): number {
  return randomInt(100_000_000, 999_999_999);
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
    consumerParams.encodings?.push(...withConsecutiveSsrcs(consumableEncodings, rtxSupported));
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

  // A pipe consumer forwards the dependency descriptor for both kinds, as mediasoup does (there it is
  // 'recvonly', so never among the consumable extensions); the list stays sorted by id.
  const dd = getDependencyDescriptorParameters();
  if (dd && !consumerParams.headerExtensions.some((ext) => ext.uri === dd.uri)) {
    consumerParams.headerExtensions.push(dd);
  }
  consumerParams.headerExtensions.sort((a, b) => a.id - b.id);

  consumerParams.encodings?.push(...withConsecutiveSsrcs(consumableRtpParameters.encodings ?? [], enableRtx));

  return consumerParams;
}

/** Copies of `encodings` with consecutive SSRCs from a random base (and RTX SSRCs likewise, or none). */
function withConsecutiveSsrcs(encodings: RtpEncodingParameters[], rtx: boolean): RtpEncodingParameters[] {
  const copies = structuredClone(encodings);
  const baseSsrc = generateRandomSsrc();
  const baseRtxSsrc = generateRandomSsrc();
  for (let i = 0; i < copies.length; ++i) {
    copies[i].ssrc = baseSsrc + i;
    if (rtx) copies[i].rtx = { ssrc: baseRtxSsrc + i };
    else delete copies[i].rtx;
  }
  return copies;
}

/** The dependency descriptor extension as header extension parameters (its id in the supported table). */
function getDependencyDescriptorParameters(): RtpHeaderExtensionParameters | undefined {
  const ext = getSupportedRtpCapabilities().headerExtensions?.find(
    (headerExtension) => headerExtension.uri === DEPENDENCY_DESCRIPTOR_URI,
  );
  if (!ext) return undefined;
  return { uri: ext.uri, id: ext.preferredId, encrypt: ext.preferredEncrypt ?? false, parameters: {} };
}
