/**
 * mediasoup 3.27.1's `ortc` validators: each checks its argument and fills in
 * the defaults mediasoup does (mutating it, as mediasoup's do), throwing
 * `TypeError` for malformed input. Exported through `ortc.ts`.
 */
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

const MIME_TYPE_REGEX = /^(audio|video)\/(.+)/i;

// Loose views of user input: validators must look at fields whatever their type.
type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

/** RTP payload types are 7 bits. */
function isPayloadType(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 127;
}

function isSsrc(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
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
export function validateAndNormalizeRtpCodecCapability(
  codec: RtpCodecCapability | RouterRtpCodecCapability,
): void {
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
  if (typeof loose.preferredPayloadType === 'number' && !isPayloadType(loose.preferredPayloadType)) {
    throw new TypeError(`invalid codec.preferredPayloadType: ${loose.preferredPayloadType} (must be 0..127)`);
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
  if (!isPayloadType(loose.payloadType)) {
    throw new TypeError(`invalid codec.payloadType: ${loose.payloadType} (must be 0..127)`);
  }
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
  // RFC 8285: 1..14 in one-byte headers, up to 255 in two-byte ones.
  if (!Number.isInteger(loose.id) || loose.id < 1 || loose.id > 255) {
    throw new TypeError(`invalid ext.id: ${loose.id} (must be 1..255)`);
  }
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
  if (typeof loose.ssrc === 'number' && !isSsrc(loose.ssrc)) {
    throw new TypeError(`invalid encoding.ssrc: ${loose.ssrc} (must be a 32-bit unsigned integer)`);
  }
  if (loose.rid && typeof loose.rid !== 'string') throw new TypeError('invalid encoding.rid');
  if (loose.rtx && !isObject(loose.rtx)) throw new TypeError('invalid encoding.rtx');
  if (loose.rtx && typeof (loose.rtx as Loose).ssrc !== 'number') {
    throw new TypeError('missing encoding.rtx.ssrc');
  }
  if (loose.rtx && !isSsrc((loose.rtx as Loose).ssrc as number)) {
    throw new TypeError(
      `invalid encoding.rtx.ssrc: ${(loose.rtx as Loose).ssrc} (must be a 32-bit unsigned integer)`,
    );
  }
  if (loose.maxBitrate !== undefined && !(typeof loose.maxBitrate === 'number' && loose.maxBitrate >= 0)) {
    throw new TypeError(
      `invalid encoding.maxBitrate: ${String(loose.maxBitrate)} (must be a non-negative number)`,
    );
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
