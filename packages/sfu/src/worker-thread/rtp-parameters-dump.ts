/**
 * RTP parameters as mediasoup-worker reports them in `dump()`: its parsed
 * copy, not the application's input. MIME types in their canonical case
 * (`video/H264`), `rtcpFeedback` entries without an empty `parameter`,
 * header extensions with `encrypt` and `parameters`, and each encoding with
 * the `codecPayloadType` it uses (the first media codec when not given) and
 * `dtx`; an encoding's `maxBitrate` is not reported (nor by mediasoup).
 */
import type {
  RtcpFeedback,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpParameters,
} from '../types/rtp-parameters.js';

/** mediasoup-worker's RtpCodecMimeType subtypes, keyed by lower case. */
const CANONICAL_SUBTYPES = new Map(
  [
    'opus',
    'multiopus',
    'PCMA',
    'PCMU',
    'ISAC',
    'G722',
    'iLBC',
    'SILK',
    'VP8',
    'VP9',
    'H264',
    'AV1',
    'CN',
    'telephone-event',
    'rtx',
    'ulpfec',
    'flexfec',
    'x-ulpfecuc',
    'red',
  ].map((s) => [s.toLowerCase(), s]),
);

/** Codecs that carry no media of their own (the worker skips them for `codecPayloadType`). */
const FEATURE_SUBTYPES = new Set(['rtx', 'ulpfec', 'flexfec', 'x-ulpfecuc', 'red']);

export function canonicalMimeType(mimeType: string): string {
  const slash = mimeType.indexOf('/');
  const type = mimeType.slice(0, slash).toLowerCase();
  const subtype = mimeType.slice(slash + 1);
  return `${type}/${CANONICAL_SUBTYPES.get(subtype.toLowerCase()) ?? subtype}`;
}

function isMediaCodec(codec: RtpCodecParameters): boolean {
  return !FEATURE_SUBTYPES.has(codec.mimeType.slice(codec.mimeType.indexOf('/') + 1).toLowerCase());
}

function feedbackDump(f: RtcpFeedback): RtcpFeedback {
  return f.parameter ? { type: f.type, parameter: f.parameter } : { type: f.type };
}

/** One encoding as the worker reports it; `codecPayloadType` only when known (consumable encodings have none). */
export function encodingDump(e: RtpEncodingParameters, codecPayloadType?: number): RtpEncodingParameters {
  const out: RtpEncodingParameters = {};
  if (e.ssrc) out.ssrc = e.ssrc;
  if (e.rid) out.rid = e.rid;
  const pt = e.codecPayloadType ?? codecPayloadType;
  if (pt !== undefined) out.codecPayloadType = pt;
  if (e.rtx) out.rtx = { ssrc: e.rtx.ssrc };
  out.dtx = e.dtx === true;
  if (e.scalabilityMode) out.scalabilityMode = e.scalabilityMode;
  return out;
}

export function rtpParametersDump(p: RtpParameters): RtpParameters {
  const firstMediaPt = p.codecs.find(isMediaCodec)?.payloadType;
  const out: RtpParameters = {
    codecs: p.codecs.map((c) => {
      const codec: RtpCodecParameters = {
        mimeType: canonicalMimeType(c.mimeType),
        payloadType: c.payloadType,
        clockRate: c.clockRate,
        parameters: { ...c.parameters },
        rtcpFeedback: (c.rtcpFeedback ?? []).map(feedbackDump),
      };
      if (c.channels !== undefined) codec.channels = c.channels;
      return codec;
    }),
    headerExtensions: (p.headerExtensions ?? []).map((h) => ({
      uri: h.uri,
      id: h.id,
      encrypt: h.encrypt === true,
      parameters: { ...h.parameters },
    })),
    encodings: (p.encodings ?? []).map((e) => encodingDump(e, firstMediaPt)),
    rtcp: { cname: p.rtcp?.cname, reducedSize: p.rtcp?.reducedSize ?? true },
  };
  if (p.mid) out.mid = p.mid;
  if (p.msid) out.msid = p.msid;
  return out;
}
