import { describe, expect, it } from 'vitest';
import { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';

// mediasoup 3.27.1's supportedRtpCapabilities, written out row by row so that
// any drift (a codec added or dropped, an id moved) fails here.

// RTCP feedback abbreviations used in the rows below.
const AUDIO_FB = [{ type: 'nack' }, { type: 'transport-cc' }];
const TCC_FB = [{ type: 'transport-cc' }];
const VIDEO_FB = [
  { type: 'nack' }, // generic NACK (RFC 4585)
  { type: 'nack', parameter: 'pli' }, // picture loss indication
  { type: 'ccm', parameter: 'fir' }, // full intra request (RFC 5104)
  { type: 'goog-remb' }, // receiver estimated max bitrate
  { type: 'transport-cc' }, // transport-wide congestion control
];

type CodecRow = [
  kind: 'audio' | 'video',
  mimeType: string,
  clockRate: number,
  channels: number | undefined,
  preferredPayloadType: number | undefined,
  parameters: Record<string, unknown> | undefined,
  rtcpFeedback: { type: string; parameter?: string }[] | undefined,
];

const CODEC_ROWS: CodecRow[] = [
  ['audio', 'audio/opus', 48000, 2, undefined, undefined, AUDIO_FB],
  // multiopus: quad, 5.1, 7.1
  [
    'audio',
    'audio/multiopus',
    48000,
    4,
    undefined,
    { channel_mapping: '0,1,2,3', num_streams: 2, coupled_streams: 2 },
    AUDIO_FB,
  ],
  [
    'audio',
    'audio/multiopus',
    48000,
    6,
    undefined,
    { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
    AUDIO_FB,
  ],
  [
    'audio',
    'audio/multiopus',
    48000,
    8,
    undefined,
    { channel_mapping: '0,6,1,2,3,4,5,7', num_streams: 5, coupled_streams: 3 },
    AUDIO_FB,
  ],
  ['audio', 'audio/PCMU', 8000, undefined, 0, undefined, TCC_FB],
  ['audio', 'audio/PCMA', 8000, undefined, 8, undefined, TCC_FB],
  ['audio', 'audio/ISAC', 32000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/ISAC', 16000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/G722', 8000, undefined, 9, undefined, TCC_FB],
  ['audio', 'audio/iLBC', 8000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/SILK', 24000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/SILK', 16000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/SILK', 12000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/SILK', 8000, undefined, undefined, undefined, TCC_FB],
  ['audio', 'audio/CN', 32000, undefined, 13, undefined, undefined],
  ['audio', 'audio/CN', 16000, undefined, 13, undefined, undefined],
  ['audio', 'audio/CN', 8000, undefined, 13, undefined, undefined],
  ['audio', 'audio/telephone-event', 48000, undefined, undefined, undefined, undefined],
  ['audio', 'audio/telephone-event', 32000, undefined, undefined, undefined, undefined],
  ['audio', 'audio/telephone-event', 16000, undefined, undefined, undefined, undefined],
  ['audio', 'audio/telephone-event', 8000, undefined, undefined, undefined, undefined],
  ['video', 'video/VP8', 90000, undefined, undefined, undefined, VIDEO_FB],
  ['video', 'video/VP9', 90000, undefined, undefined, undefined, VIDEO_FB],
  ['video', 'video/H264', 90000, undefined, undefined, { 'level-asymmetry-allowed': 1 }, VIDEO_FB],
  ['video', 'video/AV1', 90000, undefined, undefined, {}, VIDEO_FB],
];

type ExtRow = [kind: 'audio' | 'video', uri: string, preferredId: number, direction: 'sendrecv' | 'recvonly'];

// Every row has preferredEncrypt: false.
const HEADER_EXTENSION_ROWS: ExtRow[] = [
  ['audio', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1, 'sendrecv'],
  ['video', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1, 'sendrecv'],
  ['video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2, 'recvonly'],
  ['video', 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 3, 'recvonly'],
  ['audio', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 4, 'sendrecv'],
  ['video', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 4, 'sendrecv'],
  ['audio', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 5, 'recvonly'],
  ['video', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 5, 'sendrecv'],
  ['audio', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', 6, 'sendrecv'],
  // mediasoup 3.27.1: 'recvonly'; tsfu forwards it to AV1 SVC consumers (supported-rtp-capabilities.ts).
  [
    'video',
    'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
    7,
    'sendrecv',
  ],
  ['video', 'urn:3gpp:video-orientation', 8, 'sendrecv'],
  ['video', 'urn:ietf:params:rtp-hdrext:toffset', 9, 'sendrecv'],
  ['audio', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', 10, 'sendrecv'],
  ['video', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', 10, 'sendrecv'],
  ['audio', 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', 11, 'sendrecv'],
  ['video', 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', 11, 'sendrecv'],
  ['audio', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12, 'sendrecv'],
  ['video', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12, 'sendrecv'],
];

/** A row as the object mediasoup writes (absent fields are absent, not undefined). */
function codecFromRow([kind, mimeType, clockRate, channels, pt, parameters, fb]: CodecRow) {
  return {
    kind,
    mimeType,
    ...(pt !== undefined ? { preferredPayloadType: pt } : {}),
    clockRate,
    ...(channels !== undefined ? { channels } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
    ...(fb !== undefined ? { rtcpFeedback: fb } : {}),
  };
}

describe('getSupportedRtpCapabilities (mediasoup 3.27.1 table)', () => {
  const caps = getSupportedRtpCapabilities();

  it(`has exactly ${CODEC_ROWS.length} codecs, in mediasoup's order`, () => {
    expect(caps.codecs?.map((c) => `${c.mimeType}/${c.clockRate}/${c.channels ?? ''}`)).toEqual(
      CODEC_ROWS.map(([, mimeType, clockRate, channels]) => `${mimeType}/${clockRate}/${channels ?? ''}`),
    );
  });

  CODEC_ROWS.forEach((row, i) => {
    it(`codec ${i}: ${row[1]} ${row[2]}${row[3] ? `/${row[3]}` : ''}`, () => {
      // toStrictEqual: an extra key (even one set to undefined) fails.
      expect(caps.codecs?.[i]).toStrictEqual(codecFromRow(row));
    });
  });

  it(`has exactly ${HEADER_EXTENSION_ROWS.length} header extensions, in mediasoup's order`, () => {
    expect(caps.headerExtensions?.map((e) => `${e.kind} ${e.preferredId} ${e.uri}`)).toEqual(
      HEADER_EXTENSION_ROWS.map(([kind, uri, id]) => `${kind} ${id} ${uri}`),
    );
  });

  HEADER_EXTENSION_ROWS.forEach(([kind, uri, preferredId, direction], i) => {
    it(`header extension ${i}: ${kind} ${uri} → id ${preferredId}, ${direction}`, () => {
      expect(caps.headerExtensions?.[i]).toStrictEqual({
        kind,
        uri,
        preferredId,
        preferredEncrypt: false,
        direction,
      });
    });
  });

  it('lists no RTX codec (routers add one per video codec) and no H265', () => {
    const mimeTypes = caps.codecs?.map((c) => c.mimeType.toLowerCase()) ?? [];
    expect(mimeTypes).not.toContain('video/rtx');
    expect(mimeTypes).not.toContain('video/h265');
  });

  it('one preferred id per URI, and no two URIs share an id', () => {
    const idByUri = new Map<string, number>();
    for (const ext of caps.headerExtensions ?? []) {
      const seen = idByUri.get(ext.uri);
      if (seen !== undefined) expect(ext.preferredId, ext.uri).toBe(seen);
      idByUri.set(ext.uri, ext.preferredId);
    }
    expect(new Set(idByUri.values()).size).toBe(idByUri.size);
  });

  it('returns a fresh deep copy each time', () => {
    const a = getSupportedRtpCapabilities();
    a.codecs?.splice(0);
    const ext0 = a.headerExtensions?.[0];
    if (ext0) ext0.preferredId = 99;
    const b = getSupportedRtpCapabilities();
    expect(b.codecs?.length).toBe(CODEC_ROWS.length);
    expect(b.headerExtensions?.[0].preferredId).toBe(1);
  });
});
