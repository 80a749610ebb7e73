/**
 * mediasoup 3.27's RTP capability and parameter types (the shapes
 * mediasoup-client exchanges with the server). Same names and fields, so
 * application code and signalling payloads port unchanged.
 */
import type { RTP_EXTENSION_URI } from '@tsfu/rtp';

/** Media kind ('audio' or 'video'). */
export type MediaKind = 'audio' | 'video';

/** What mediasoup or an endpoint can receive at media level. */
export type RtpCapabilities = {
  /** Supported media and RTX codecs. */
  codecs?: RtpCodecCapability[];
  /** Supported RTP header extensions. */
  headerExtensions?: RtpHeaderExtension[];
};

/**
 * RtpCapabilities whose codecs may lack `preferredPayloadType` (the router's
 * `mediaCodecs` input and the supported capabilities table).
 */
export type RouterRtpCapabilities = Omit<RtpCapabilities, 'codecs'> & {
  codecs?: RouterRtpCodecCapability[];
};

/**
 * One codec within RTP capabilities. Exactly one entry exists per combination
 * of parameters that needs its own payload type (e.g. H264 per
 * `packetization-mode` and `profile-level-id`, VP9 per `profile-id`).
 */
export type RtpCodecCapability = {
  /** Media kind. */
  kind: MediaKind;
  /** The codec MIME media type/subtype (e.g. 'audio/opus', 'video/VP8'). */
  mimeType: string;
  /** The preferred RTP payload type. */
  preferredPayloadType: number;
  /** Codec clock rate expressed in Hertz. */
  clockRate: number;
  /** The number of channels (e.g. two for stereo). Just for audio. Default 1. */
  channels?: number;
  /**
   * Codec specific parameters. Some (such as 'packetization-mode' and
   * 'profile-level-id' in H264 or 'profile-id' in VP9) are critical for codec
   * matching.
   */
  parameters?: Record<string, unknown>;
  /** Transport layer and codec-specific feedback messages for this codec. */
  rtcpFeedback?: RtcpFeedback[];
};

/**
 * A codec in `RouterOptions.mediaCodecs`: `preferredPayloadType` is optional
 * (if unset, a dynamic one is chosen; if given, keep it in 96-127).
 */
export type RouterRtpCodecCapability = Omit<RtpCodecCapability, 'preferredPayloadType'> & {
  preferredPayloadType?: number;
};

/** Direction of an RTP header extension. */
export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * The URIs of the RTP header extensions mediasoup knows (its twelve), named
 * once in `@tsfu/rtp`'s `RTP_EXTENSION_URI`.
 */
export type RtpHeaderExtensionUri = (typeof RTP_EXTENSION_URI)[keyof typeof RTP_EXTENSION_URI];

/**
 * A supported RTP header extension. `direction` is only meaningful in
 * mediasoup's own capabilities; it is ignored in endpoints' capabilities.
 * Encrypted header extensions (RFC 6904) are not supported.
 */
export type RtpHeaderExtension = {
  /** Media kind. */
  kind: MediaKind;
  /** The URI of the RTP header extension, as defined in RFC 5285. */
  uri: RtpHeaderExtensionUri;
  /** The preferred numeric identifier that goes in the RTP packet. Must be unique. */
  preferredId: number;
  /** If true, it is preferred that the value in the header be encrypted (RFC 6904). Default false. */
  preferredEncrypt?: boolean;
  /**
   * 'sendrecv': the SFU sends and receives it; 'sendonly': it can send but not
   * receive it; 'recvonly': it can receive but not send it.
   */
  direction?: RtpHeaderExtensionDirection;
};

/**
 * RTP send parameters (a stream an endpoint sends to a Producer, possibly
 * with several encodings for simulcast, each with `ssrc` or `rid`) or RTP
 * receive parameters (what a Consumer sends: one encoding, except over a
 * PipeTransport where every stream is forwarded verbatim).
 */
export type RtpParameters = {
  /** The MID RTP extension value as defined in the BUNDLE specification. */
  mid?: string;
  /** Media and RTX codecs in use. */
  codecs: RtpCodecParameters[];
  /** RTP header extensions in use. */
  headerExtensions?: RtpHeaderExtensionParameters[];
  /** Transmitted RTP streams and their settings. */
  encodings?: RtpEncodingParameters[];
  /** Parameters used for RTCP. */
  rtcp?: RtcpParameters;
  /**
   * MSID (WebRTC MediaStream Identification, RFC 8830): the stream id and
   * track id separated by a space. Consumers inherit it from their producer.
   */
  msid?: string;
};

/** A codec's settings within RTP parameters. */
export type RtpCodecParameters = {
  /** The codec MIME media type/subtype (e.g. 'audio/opus', 'video/VP8'). */
  mimeType: string;
  /** The value that goes in the RTP Payload Type Field. Must be unique. */
  payloadType: number;
  /** Codec clock rate expressed in Hertz. */
  clockRate: number;
  /** The number of channels (e.g. two for stereo). Just for audio. Default 1. */
  channels?: number;
  /** Codec-specific parameters available for signalling. */
  parameters?: Record<string, unknown>;
  /** Transport layer and codec-specific feedback messages for this codec. */
  rtcpFeedback?: RtcpFeedback[];
};

/** An RTCP feedback message a codec supports (e.g. `nack`, `nack pli`, `transport-cc`). */
export type RtcpFeedback = {
  /** RTCP feedback type. */
  type: string;
  /** RTCP feedback parameter. */
  parameter?: string;
};

/** One RTP stream and its associated RTX stream (if any). */
export type RtpEncodingParameters = {
  /** The media SSRC. */
  ssrc?: number;
  /** The RID RTP extension value. Must be unique. */
  rid?: string;
  /** Codec payload type this encoding affects. If unset, the first media codec. */
  codecPayloadType?: number;
  /** RTX stream information: the RTX SSRC. */
  rtx?: { ssrc: number };
  /**
   * Whether discontinuous RTP transmission is used (audio DTX, or static
   * screen sharing: it disables RTP inactivity checks). Default false.
   */
  dtx?: boolean;
  /** Number of spatial and temporal layers (e.g. 'L1T3'). See webrtc-svc. */
  scalabilityMode?: string;
  /** Maximum bitrate (bps) announced for this stream. */
  maxBitrate?: number;
};

/** An RTP header extension in use within RTP parameters. */
export type RtpHeaderExtensionParameters = {
  /** The URI of the RTP header extension, as defined in RFC 5285. */
  uri: RtpHeaderExtensionUri;
  /** The numeric identifier that goes in the RTP packet. Must be unique. */
  id: number;
  /** If true, the value in the header is encrypted as per RFC 6904. Default false. */
  encrypt?: boolean;
  /** Configuration parameters for the header extension. */
  parameters?: Record<string, unknown>;
};

/**
 * RTCP settings. Without a cname in a producer's parameters the transport
 * picks a random one. Reduced-size RTCP is always assumed.
 */
export type RtcpParameters = {
  /** The Canonical Name (CNAME) used by RTCP (e.g. in SDES messages). */
  cname?: string;
  /** Reduced-size RTCP (RFC 5506) if true, compound RTCP (RFC 3550) if false. Default true. */
  reducedSize?: boolean;
};
