/**
 * The SDP a plain RTP receiver (ffmpeg's `-protocol_whitelist file,udp,rtp
 * -i x.sdp`, GStreamer's `sdpdemux`) needs to read what tsfu consumers send
 * to it over PlainTransports: one `m=` line per consumer, at the port the
 * receiver listens on, with the consumer's payload type, codec and format
 * parameters (its RTX codec left out: such receivers do not repair). ffmpeg
 * does not read `a=rtcp-mux`, so give it an `rtcpPort` (a transport with
 * `rtcpMux: false`, connected to `port`/`rtcpPort`); ffmpeg's convention is
 * `rtcpPort = port + 1`.
 */
import type { MediaKind, RtpCodecParameters, RtpParameters } from '../types/rtp-parameters.js';
import type { SrtpParameters } from '../types/srtp-parameters.js';

/** One stream the receiver gets: a consumer's kind and `rtpParameters`, where it arrives. */
export interface PlainRtpSdpStream {
  kind: MediaKind;
  /** The consumer's `rtpParameters`. */
  rtpParameters: RtpParameters;
  /** The receiver's RTP port (the PlainTransport is connected to it). */
  port: number;
  /** The receiver's RTCP port; without it, `a=rtcp-mux` (RTCP on `port`). */
  rtcpPort?: number;
  /** The PlainTransport's own `srtpParameters` (what it encrypts with): `a=crypto`, as ffmpeg reads it. */
  srtpParameters?: SrtpParameters;
}

/** The media codec of `rtpParameters` (the first that is not RTX), or a TypeError. */
export function mediaCodecOf(rtpParameters: RtpParameters): RtpCodecParameters {
  const codec = rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
  if (!codec) throw new TypeError('rtpParameters has no media codec');
  return codec;
}

/** `key=value;key=value` of a codec's parameters (`a=fmtp`), or undefined when it has none. */
function fmtp(codec: RtpCodecParameters): string | undefined {
  const entries = Object.entries(codec.parameters ?? {}).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${String(v)}`).join(';') : undefined;
}

/** SDP (CRLF line ends) for a receiver at `ip` that gets `streams`. */
export function plainRtpSdp(opts: {
  ip: string;
  streams: readonly PlainRtpSdpStream[];
  name?: string;
}): string {
  if (opts.streams.length === 0) throw new TypeError('no streams');
  const family = opts.ip.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- 0 0 IN ${family} ${opts.ip}`,
    `s=${opts.name ?? 'tsfu'}`,
    `c=IN ${family} ${opts.ip}`,
    't=0 0',
  ];
  for (const s of opts.streams) {
    const codec = mediaCodecOf(s.rtpParameters);
    const pt = codec.payloadType;
    const [, name] = codec.mimeType.split('/');
    const channels = s.kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(`m=${s.kind} ${s.port} ${s.srtpParameters ? 'RTP/SAVP' : 'RTP/AVP'} ${pt}`);
    lines.push(s.rtcpPort === undefined ? 'a=rtcp-mux' : `a=rtcp:${s.rtcpPort}`);
    lines.push(`a=rtpmap:${pt} ${name}/${codec.clockRate}${channels}`);
    const params = fmtp(codec);
    if (params) lines.push(`a=fmtp:${pt} ${params}`);
    if (s.srtpParameters) {
      lines.push(`a=crypto:1 ${s.srtpParameters.cryptoSuite} inline:${s.srtpParameters.keyBase64}`);
    }
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
