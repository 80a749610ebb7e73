import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../errors.js';
import type {
  RouterRtpCodecCapability,
  RtpCapabilities,
  RtpCodecCapability,
  RtpHeaderExtension,
  RtpParameters,
} from '../types/rtp-parameters.js';
import type { SctpStreamParameters } from '../types/sctp-parameters.js';
import * as ortc from './ortc.js';

const opus: RouterRtpCodecCapability = {
  kind: 'audio',
  mimeType: 'audio/opus',
  clockRate: 48000,
  channels: 2,
};
const vp8: RouterRtpCodecCapability = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
const h264 = (params: Record<string, unknown>): RouterRtpCodecCapability => ({
  kind: 'video',
  mimeType: 'video/H264',
  clockRate: 90000,
  parameters: params,
});

const VIDEO_FEEDBACK = [
  { type: 'nack', parameter: '' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb', parameter: '' },
  { type: 'transport-cc', parameter: '' },
];

/** [mimeType, preferredPayloadType, apt?] of each codec of a router. */
function ptTable(caps: RtpCapabilities): [string, number, unknown?][] {
  return (caps.codecs ?? []).map((c) =>
    c.parameters?.apt === undefined
      ? [c.mimeType, c.preferredPayloadType]
      : [c.mimeType, c.preferredPayloadType, c.parameters.apt],
  );
}

describe('generateRouterRtpCapabilities', () => {
  // mediasoup's own test (test-ortc.ts), as one row of expectations.
  it('mediasoup case: opus, forced VP8 PT, H264 with extra parameters', () => {
    const caps = ortc.generateRouterRtpCapabilities([
      { ...opus, parameters: { useinbandfec: 1, foo: 'bar' } },
      { ...vp8, preferredPayloadType: 125 },
      {
        ...h264({ 'level-asymmetry-allowed': 1, 'profile-level-id': '42e01f', foo: 'bar' }),
        rtcpFeedback: [],
      },
    ]);
    expect(caps.codecs).toEqual([
      {
        kind: 'audio',
        mimeType: 'audio/opus',
        preferredPayloadType: 100, // first dynamic PT
        clockRate: 48000,
        channels: 2,
        parameters: { useinbandfec: 1, foo: 'bar' },
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'transport-cc', parameter: '' },
        ],
      },
      {
        kind: 'video',
        mimeType: 'video/VP8',
        preferredPayloadType: 125,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: VIDEO_FEEDBACK,
      },
      {
        kind: 'video',
        mimeType: 'video/rtx',
        preferredPayloadType: 101,
        clockRate: 90000,
        parameters: { apt: 125 },
        rtcpFeedback: [],
      },
      {
        kind: 'video',
        mimeType: 'video/H264',
        preferredPayloadType: 102,
        clockRate: 90000,
        // packetization-mode was not given and is not added (its default is 0).
        parameters: { 'level-asymmetry-allowed': 1, 'profile-level-id': '42e01f', foo: 'bar' },
        // The application's rtcpFeedback is ignored: the supported codec's is used.
        rtcpFeedback: VIDEO_FEEDBACK,
      },
      {
        kind: 'video',
        mimeType: 'video/rtx',
        preferredPayloadType: 103,
        clockRate: 90000,
        parameters: { apt: 102 },
        rtcpFeedback: [],
      },
    ]);
    // Header extensions are the supported ones, normalised.
    const mid = caps.headerExtensions?.find((e) => e.kind === 'audio' && e.uri.endsWith('sdes:mid'));
    expect(mid).toEqual({
      kind: 'audio',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
      preferredId: 1,
      preferredEncrypt: false,
      direction: 'sendrecv',
    });
  });

  const ptRows: { name: string; codecs: RouterRtpCodecCapability[]; want: [string, number, unknown?][] }[] = [
    {
      name: 'static payload types are kept and do not use the dynamic pool',
      codecs: [
        { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
        { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000 },
        { kind: 'audio', mimeType: 'audio/G722', clockRate: 8000 },
        opus,
      ],
      want: [
        ['audio/PCMU', 0],
        ['audio/PCMA', 8],
        ['audio/G722', 9],
        ['audio/opus', 100],
      ],
    },
    {
      name: 'every video codec is followed by its RTX',
      codecs: [
        vp8,
        { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
        h264({ 'packetization-mode': 1, 'profile-level-id': '42e01f' }),
        h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }),
        { kind: 'video', mimeType: 'video/AV1', clockRate: 90000 },
      ],
      want: [
        ['video/VP8', 100],
        ['video/rtx', 101, 100],
        ['video/VP9', 102],
        ['video/rtx', 103, 102],
        ['video/H264', 104],
        ['video/rtx', 105, 104],
        ['video/H264', 106],
        ['video/rtx', 107, 106],
        ['video/AV1', 108],
        ['video/rtx', 109, 108],
      ],
    },
    {
      name: 'a forced dynamic PT is taken out of the pool',
      codecs: [{ ...vp8, preferredPayloadType: 101 }, opus],
      want: [
        ['video/VP8', 101],
        ['video/rtx', 100, 101],
        ['audio/opus', 102],
      ],
    },
    {
      name: 'MIME types match case-insensitively and keep the supported spelling',
      codecs: [{ kind: 'video', mimeType: 'video/vp8', clockRate: 90000 }],
      want: [
        ['video/VP8', 100],
        ['video/rtx', 101, 100],
      ],
    },
    {
      name: 'after 127 the pool continues at 96',
      codecs: Array.from({ length: 15 }, () => vp8),
      want: Array.from({ length: 15 }, (_, i): [string, number, unknown?][] => {
        const pool = [...Array.from({ length: 28 }, (_, k) => 100 + k), 96, 97, 98, 99];
        return [
          ['video/VP8', pool[2 * i]],
          ['video/rtx', pool[2 * i + 1], pool[2 * i]],
        ];
      }).flat(),
    },
  ];
  for (const row of ptRows) {
    it(`payload types: ${row.name}`, () => {
      expect(ptTable(ortc.generateRouterRtpCapabilities(row.codecs))).toEqual(row.want);
    });
  }

  it('merges application parameters over the supported codec parameters', () => {
    const caps = ortc.generateRouterRtpCapabilities([h264({ 'level-asymmetry-allowed': 0, x: 'y' })]);
    expect(caps.codecs?.[0].parameters).toEqual({ 'level-asymmetry-allowed': 0, x: 'y' });
  });

  it('matches multiopus by its stream layout', () => {
    const caps = ortc.generateRouterRtpCapabilities([
      {
        kind: 'audio',
        mimeType: 'audio/multiopus',
        clockRate: 48000,
        channels: 6,
        parameters: { num_streams: 4, coupled_streams: 2 },
      },
    ]);
    expect(caps.codecs?.[0].parameters).toEqual({
      channel_mapping: '0,4,1,2,3,5',
      num_streams: 4,
      coupled_streams: 2,
    });
  });

  const errorRows: {
    name: string;
    codecs: unknown;
    error: new (...args: never[]) => Error;
    text?: string;
  }[] = [
    {
      name: 'unknown codec',
      codecs: [{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000, channels: 4 }],
      error: UnsupportedError,
      text: 'media codec not supported [mimeType:audio/chicken]',
    },
    {
      name: 'opus with one channel',
      codecs: [{ ...opus, channels: 1 }],
      error: UnsupportedError,
    },
    {
      name: 'multiopus with an unknown layout',
      codecs: [
        {
          kind: 'audio',
          mimeType: 'audio/multiopus',
          clockRate: 48000,
          channels: 6,
          parameters: { num_streams: 3, coupled_streams: 2 },
        },
      ],
      error: UnsupportedError,
    },
    {
      name: 'VP8 at the wrong clock rate',
      codecs: [{ ...vp8, clockRate: 48000 }],
      error: UnsupportedError,
    },
    {
      name: 'too many codecs for the dynamic payload types',
      codecs: Array.from({ length: 100 }, () => opus),
      error: Error,
      text: 'cannot allocate',
    },
    {
      name: 'duplicated preferredPayloadType',
      codecs: [vp8, { ...opus, preferredPayloadType: 100 }],
      error: TypeError,
      text: 'duplicated codec.preferredPayloadType',
    },
    { name: 'mediaCodecs not an array', codecs: {}, error: TypeError, text: 'mediaCodecs must be an Array' },
    { name: 'codec not an object', codecs: [42], error: TypeError, text: 'codec is not an object' },
    {
      name: 'missing mimeType',
      codecs: [{ kind: 'audio', clockRate: 48000 }],
      error: TypeError,
      text: 'missing codec.mimeType',
    },
    {
      name: 'mimeType without kind',
      codecs: [{ kind: 'audio', mimeType: 'opus', clockRate: 48000 }],
      error: TypeError,
      text: 'invalid codec.mimeType',
    },
    {
      name: 'missing clockRate',
      codecs: [{ kind: 'audio', mimeType: 'audio/opus', channels: 2 }],
      error: TypeError,
      text: 'missing codec.clockRate',
    },
    {
      name: 'parameter of a bad type',
      codecs: [{ ...opus, parameters: { useinbandfec: { a: 1 } } }],
      error: TypeError,
      // mediasoup 3.27.1's exact message, stray 's' after the key included.
      text: 'invalid codec parameter [key:useinbandfecs, value:[object Object]]',
    },
    {
      // 3.13–3.19 listed H265; 3.27.1 does not.
      name: 'H265 (not in 3.27.1)',
      codecs: [{ kind: 'video', mimeType: 'video/H265', clockRate: 90000 }],
      error: UnsupportedError,
      text: 'media codec not supported [mimeType:video/H265]',
    },
  ];
  for (const row of errorRows) {
    it(`throws ${row.error.name}: ${row.name}`, () => {
      const call = () => ortc.generateRouterRtpCapabilities(row.codecs as RouterRtpCodecCapability[]);
      expect(call).toThrow(row.error);
      if (row.text) expect(call).toThrow(row.text);
    });
  }
});

// The router of mediasoup's test-ortc mapping case.
function mediasoupRouter(): RtpCapabilities {
  return ortc.generateRouterRtpCapabilities([
    opus,
    h264({
      'level-asymmetry-allowed': 1,
      'packetization-mode': 1,
      'profile-level-id': '4d0032',
      bar: 'lalala',
    }),
  ]);
}

// A producer with simulcast: two SSRC encodings and one RID encoding.
function mediasoupProducer(): RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/H264',
        payloadType: 111,
        clockRate: 90000,
        parameters: { foo: 1234, 'packetization-mode': 1, 'profile-level-id': '4d0032' },
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'goog-remb', parameter: '' },
        ],
      },
      {
        mimeType: 'video/rtx',
        payloadType: 112,
        clockRate: 90000,
        parameters: { apt: 111 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
      { uri: 'urn:3gpp:video-orientation', id: 2 },
    ],
    encodings: [
      { ssrc: 11111111, rtx: { ssrc: 11111112 }, maxBitrate: 111111, scalabilityMode: 'L1T3' },
      { ssrc: 21111111, rtx: { ssrc: 21111112 }, maxBitrate: 222222, scalabilityMode: 'L1T3' },
      { rid: 'high', maxBitrate: 333333, scalabilityMode: 'L1T3' },
    ],
    rtcp: { cname: 'qwerty1234' },
  };
}

function ext(kind: 'audio' | 'video', uri: string, preferredId: number): RtpHeaderExtension {
  return {
    kind,
    uri: uri as RtpHeaderExtension['uri'],
    preferredId,
    preferredEncrypt: false,
    direction: 'sendrecv',
  };
}

// An endpoint's capabilities as in mediasoup's test (remote PTs equal the router's).
function mediasoupRemoteCaps(): RtpCapabilities {
  return {
    codecs: [
      {
        kind: 'audio',
        mimeType: 'audio/opus',
        preferredPayloadType: 100,
        clockRate: 48000,
        channels: 2,
        parameters: {},
        rtcpFeedback: [],
      },
      {
        kind: 'video',
        mimeType: 'video/H264',
        preferredPayloadType: 101,
        clockRate: 90000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', baz: 'LOLOLO' },
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'foo', parameter: 'FOO' },
        ],
      },
      {
        kind: 'video',
        mimeType: 'video/rtx',
        preferredPayloadType: 102,
        clockRate: 90000,
        parameters: { apt: 101 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [
      ext('audio', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1),
      ext('video', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1),
      ext('video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2),
      ext('audio', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', 6),
      ext('video', 'urn:3gpp:video-orientation', 8),
      ext('video', 'urn:ietf:params:rtp-hdrext:toffset', 9),
    ],
  };
}

describe('producer mapping → consumable → consumer parameters (mediasoup case)', () => {
  const router = mediasoupRouter();
  const producer = mediasoupProducer();
  const mapping = ortc.getProducerRtpParametersMapping(producer, router);
  const consumable = ortc.getConsumableRtpParameters('video', producer, router, mapping);

  it('maps producer payload types onto the router codec and its RTX', () => {
    expect(mapping.codecs).toEqual([
      { payloadType: 111, mappedPayloadType: 101 },
      { payloadType: 112, mappedPayloadType: 102 },
    ]);
  });

  it('maps each encoding to consecutive fresh SSRCs, keeping ssrc or rid', () => {
    // Exactly { ssrc, rid, mappedSsrc } per encoding, as mediasoup 3.27 (no scalabilityMode).
    expect(mapping.encodings.map((e) => Object.keys(e).sort())).toEqual([
      ['mappedSsrc', 'rid', 'ssrc'],
      ['mappedSsrc', 'rid', 'ssrc'],
      ['mappedSsrc', 'rid', 'ssrc'],
    ]);
    expect(mapping.encodings.map((e) => [e.ssrc, e.rid])).toEqual([
      [11111111, undefined],
      [21111111, undefined],
      [undefined, 'high'],
    ]);
    const base = mapping.encodings[0].mappedSsrc;
    expect(Number.isInteger(base)).toBe(true);
    expect(mapping.encodings.map((e) => e.mappedSsrc)).toEqual([base, base + 1, base + 2]);
  });

  it('consumable codecs: router PTs and feedback, producer parameters', () => {
    expect(consumable.codecs).toEqual([
      {
        mimeType: 'video/H264',
        payloadType: 101,
        clockRate: 90000,
        channels: undefined,
        parameters: { foo: 1234, 'packetization-mode': 1, 'profile-level-id': '4d0032' },
        rtcpFeedback: VIDEO_FEEDBACK,
      },
      {
        mimeType: 'video/rtx',
        payloadType: 102,
        clockRate: 90000,
        parameters: { apt: 101 },
        rtcpFeedback: [],
      },
    ]);
  });

  it('consumable encodings: mapped SSRCs, no rid/rtx', () => {
    expect(consumable.encodings).toEqual([
      { ssrc: mapping.encodings[0].mappedSsrc, maxBitrate: 111111, scalabilityMode: 'L1T3' },
      { ssrc: mapping.encodings[1].mappedSsrc, maxBitrate: 222222, scalabilityMode: 'L1T3' },
      { ssrc: mapping.encodings[2].mappedSsrc, maxBitrate: 333333, scalabilityMode: 'L1T3' },
    ]);
    expect(consumable.rtcp).toEqual({ cname: 'qwerty1234', reducedSize: true });
    // The producer's own parameters are untouched.
    expect(producer.encodings?.[0].rtx).toEqual({ ssrc: 11111112 });
  });

  it('consumable header extensions: every video extension the router can send', () => {
    const uris = consumable.headerExtensions?.map((e) => [e.uri, e.id]);
    expect(uris).toContainEqual(['urn:ietf:params:rtp-hdrext:sdes:mid', 1]);
    expect(uris).toContainEqual(['urn:3gpp:video-orientation', 8]);
    // recvonly ones (rid, repaired rid, dependency descriptor) and audio ones are not sent.
    expect(uris?.some(([u]) => String(u).includes('rtp-stream-id'))).toBe(false);
    expect(uris?.some(([u]) => String(u).includes('ssrc-audio-level'))).toBe(false);
  });

  it('consumer: remote feedback, RTX, one simulcast encoding as spatial layers', () => {
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: mediasoupRemoteCaps(),
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.codecs).toEqual([
      {
        mimeType: 'video/H264',
        payloadType: 101,
        clockRate: 90000,
        parameters: { foo: 1234, 'packetization-mode': 1, 'profile-level-id': '4d0032' },
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'foo', parameter: 'FOO' },
        ],
      },
      {
        mimeType: 'video/rtx',
        payloadType: 102,
        clockRate: 90000,
        parameters: { apt: 101 },
        rtcpFeedback: [],
      },
    ]);
    expect(consumer.encodings).toHaveLength(1);
    const [encoding] = consumer.encodings ?? [];
    expect(typeof encoding.ssrc).toBe('number');
    expect(encoding.rtx?.ssrc).toBe((encoding.ssrc as number) + 1);
    expect(encoding.scalabilityMode).toBe('L3T3'); // 3 encodings × 3 temporal layers
    expect(encoding.maxBitrate).toBe(333333); // the largest of the encodings
    expect(consumer.headerExtensions).toEqual([
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} },
      { uri: 'urn:3gpp:video-orientation', id: 8, encrypt: false, parameters: {} },
      { uri: 'urn:ietf:params:rtp-hdrext:toffset', id: 9, encrypt: false, parameters: {} },
    ]);
    expect(consumer.rtcp).toEqual({ cname: 'qwerty1234', reducedSize: true });
  });

  it('pipe consumer without RTX: every encoding, PLI and FIR only', () => {
    const pipe = ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumable, enableRtx: false });
    expect(pipe.codecs).toEqual([
      {
        mimeType: 'video/H264',
        payloadType: 101,
        clockRate: 90000,
        parameters: { foo: 1234, 'packetization-mode': 1, 'profile-level-id': '4d0032' },
        rtcpFeedback: [
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ]);
    expect(pipe.encodings).toHaveLength(3);
    const base = pipe.encodings?.[0].ssrc as number;
    expect(pipe.encodings?.map((e) => [e.ssrc, e.rtx, e.maxBitrate, e.scalabilityMode])).toEqual([
      [base, undefined, 111111, 'L1T3'],
      [base + 1, undefined, 222222, 'L1T3'],
      [base + 2, undefined, 333333, 'L1T3'],
    ]);
    expect(pipe.headerExtensions?.map((e) => e.uri)).not.toContain('urn:ietf:params:rtp-hdrext:sdes:mid');
    expect(pipe.rtcp).toEqual({ cname: 'qwerty1234', reducedSize: true });
  });

  it('pipe consumer with RTX: RTX codec, generic NACK and RTX SSRCs', () => {
    const pipe = ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumable, enableRtx: true });
    expect(pipe.codecs.map((c) => c.mimeType)).toEqual(['video/H264', 'video/rtx']);
    expect(pipe.codecs[0].rtcpFeedback).toEqual([
      { type: 'nack', parameter: '' },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
    ]);
    const rtxBase = pipe.encodings?.[0].rtx?.ssrc as number;
    expect(pipe.encodings?.map((e) => e.rtx?.ssrc)).toEqual([rtxBase, rtxBase + 1, rtxBase + 2]);
    const uris = pipe.headerExtensions?.map((e) => e.uri) ?? [];
    expect(uris).not.toContain('http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time');
    expect(uris).not.toContain('http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01');
    expect(uris).toContain('urn:3gpp:video-orientation');
  });
});

describe('getProducerRtpParametersMapping: codec matching', () => {
  function h264Producer(params: Record<string, unknown>): RtpParameters {
    return {
      codecs: [{ mimeType: 'video/H264', payloadType: 96, clockRate: 90000, parameters: params }],
      encodings: [{ ssrc: 1234 }],
    };
  }
  // A router with one Constrained Baseline 3.1 and one Main 5.0 H264, both packetization-mode 1.
  const router = ortc.generateRouterRtpCapabilities([
    h264({ 'packetization-mode': 1, 'profile-level-id': '42e01f' }),
    h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }),
  ]);

  const rows: {
    name: string;
    params: Record<string, unknown>;
    mappedPt?: number;
    profileLevelId?: string;
  }[] = [
    {
      name: 'CB 3.1 → the CB codec',
      params: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
      mappedPt: 100,
      profileLevelId: '42e01f',
    },
    {
      name: 'Main 3.1 → the Main codec',
      params: { 'packetization-mode': 1, 'profile-level-id': '4d001f' },
      mappedPt: 102,
      profileLevelId: '4d001f',
    },
    {
      name: 'CB 5.2 without level asymmetry: level lowered to the router',
      params: { 'packetization-mode': 1, 'profile-level-id': '42e034' },
      mappedPt: 100,
      profileLevelId: '42e01f',
    },
    {
      name: 'CB 5.2 with level asymmetry on both sides: the producer level stays',
      params: { 'packetization-mode': 1, 'profile-level-id': '42e034', 'level-asymmetry-allowed': 1 },
      mappedPt: 100,
      profileLevelId: '42e034',
    },
    {
      name: 'Baseline family member 42a01f is not Constrained Baseline',
      params: { 'packetization-mode': 1, 'profile-level-id': '42a01f' },
    },
    {
      name: 'no profile-level-id means CB 3.1, and the answer spells it out',
      params: { 'packetization-mode': 1 },
      mappedPt: 100,
      profileLevelId: '42e01f',
    },
    { name: 'packetization-mode 0 is another codec', params: { 'profile-level-id': '42e01f' } },
    {
      name: 'High profile is not offered',
      params: { 'packetization-mode': 1, 'profile-level-id': '64001f' },
    },
    { name: 'invalid profile-level-id', params: { 'packetization-mode': 1, 'profile-level-id': 'zzzzzz' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const producer = h264Producer(row.params);
      if (row.mappedPt === undefined) {
        expect(() => ortc.getProducerRtpParametersMapping(producer, router)).toThrow(UnsupportedError);
        return;
      }
      const mapping = ortc.getProducerRtpParametersMapping(producer, router);
      expect(mapping.codecs).toEqual([{ payloadType: 96, mappedPayloadType: row.mappedPt }]);
      // The producer's codec is rewritten to the negotiated profile-level-id.
      expect(producer.codecs[0].parameters?.['profile-level-id']).toBe(row.profileLevelId);
    });
  }

  it('VP9 profile-id must match strictly', () => {
    const vp9Router = ortc.generateRouterRtpCapabilities([
      { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
    ]);
    const vp9 = (profileId?: number): RtpParameters => ({
      codecs: [
        {
          mimeType: 'video/VP9',
          payloadType: 98,
          clockRate: 90000,
          parameters: profileId === undefined ? {} : { 'profile-id': profileId },
        },
      ],
      encodings: [{ ssrc: 1 }],
    });
    expect(ortc.getProducerRtpParametersMapping(vp9(2), vp9Router).codecs).toEqual([
      { payloadType: 98, mappedPayloadType: 100 },
    ]);
    expect(() => ortc.getProducerRtpParametersMapping(vp9(0), vp9Router)).toThrow(UnsupportedError);
    expect(() => ortc.getProducerRtpParametersMapping(vp9(), vp9Router)).toThrow(UnsupportedError);
  });

  it('mediasoup case: VP8 producer on an opus+H264 router', () => {
    const r = ortc.generateRouterRtpCapabilities([
      opus,
      h264({ 'packetization-mode': 1, 'profile-level-id': '640032' }),
    ]);
    expect(() =>
      ortc.getProducerRtpParametersMapping(
        { codecs: [{ mimeType: 'video/VP8', payloadType: 120, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
        r,
      ),
    ).toThrow(UnsupportedError);
  });
});

describe('getProducerRtpParametersMapping: RTX pairing', () => {
  const router = ortc.generateRouterRtpCapabilities([opus, vp8]);
  const rows: {
    name: string;
    params: RtpParameters;
    want?: { payloadType: number; mappedPayloadType: number }[];
    error?: new (...args: never[]) => Error;
    text?: string;
  }[] = [
    {
      name: 'VP8 and its RTX map to the router VP8 and its RTX, RTX listed first',
      params: {
        codecs: [
          { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
          { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
        ],
        encodings: [{ ssrc: 1, rtx: { ssrc: 2 } }],
      },
      want: [
        { payloadType: 96, mappedPayloadType: 101 },
        { payloadType: 97, mappedPayloadType: 102 },
      ],
    },
    {
      name: 'RTX whose apt names no codec',
      params: {
        codecs: [
          { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
          { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 95 } },
        ],
        encodings: [{ ssrc: 1 }],
      },
      error: TypeError,
      text: 'missing media codec found for RTX PT 97',
    },
    {
      name: 'RTX for a codec the router has no RTX for (audio)',
      params: {
        codecs: [
          { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 },
          { mimeType: 'audio/rtx', payloadType: 112, clockRate: 48000, parameters: { apt: 111 } },
        ],
        encodings: [{ ssrc: 1 }],
      },
      error: UnsupportedError,
      text: 'no RTX codec for capability codec PT 100',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const call = () => ortc.getProducerRtpParametersMapping(row.params, router);
      if (row.error) {
        expect(call).toThrow(row.error);
        if (row.text) expect(call).toThrow(row.text);
      } else {
        expect(call().codecs).toEqual(row.want);
      }
    });
  }
});

describe('canConsume', () => {
  const router = mediasoupRouter();
  const producer = mediasoupProducer();
  const mapping = ortc.getProducerRtpParametersMapping(producer, router);
  const consumable = ortc.getConsumableRtpParameters('video', producer, router, mapping);
  const remote = mediasoupRemoteCaps();
  const remoteH264 = remote.codecs?.[1] as RtpCodecCapability;
  const remoteRtx = remote.codecs?.[2] as RtpCodecCapability;

  const rows: { name: string; caps: RtpCapabilities; want: boolean }[] = [
    { name: 'same H264 profile', caps: mediasoupRemoteCaps(), want: true },
    {
      name: 'same profile at a lower level (levels are negotiated, not matched)',
      caps: {
        codecs: [{ ...remoteH264, parameters: { 'packetization-mode': 1, 'profile-level-id': '4d001f' } }],
      },
      want: true,
    },
    {
      name: 'a different payload type still matches (the consumer uses the router PT)',
      caps: { codecs: [{ ...remoteH264, preferredPayloadType: 120 }] },
      want: true,
    },
    {
      name: 'H264 of another profile',
      caps: {
        codecs: [{ ...remoteH264, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }],
      },
      want: false,
    },
    {
      name: 'H264 with another packetization-mode',
      caps: { codecs: [{ ...remoteH264, parameters: { 'profile-level-id': '4d0032' } }] },
      want: false,
    },
    { name: 'only an RTX codec', caps: { codecs: [remoteRtx] }, want: false },
    {
      name: 'only VP8',
      caps: {
        codecs: [{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 96, clockRate: 90000 }],
      },
      want: false,
    },
    { name: 'no codecs at all', caps: {}, want: false },
  ];
  for (const row of rows) {
    it(`${row.name} → ${row.want}`, () => {
      expect(ortc.canConsume(consumable, row.caps)).toBe(row.want);
    });
  }

  it('audio: an opus producer is consumable by an opus endpoint', () => {
    const opusProducer: RtpParameters = {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 5 }],
      rtcp: { cname: 'a' },
    };
    const m = ortc.getProducerRtpParametersMapping(opusProducer, router);
    const c = ortc.getConsumableRtpParameters('audio', opusProducer, router, m);
    expect(c.codecs.map((x) => [x.mimeType, x.payloadType])).toEqual([['audio/opus', 100]]);
    expect(ortc.canConsume(c, mediasoupRemoteCaps())).toBe(true);
    expect(ortc.canConsume(c, { codecs: [remoteH264] })).toBe(false);
  });

  it('fills defaults into the capabilities it validates, and throws TypeError on invalid ones', () => {
    const caps: RtpCapabilities = {};
    ortc.canConsume(consumable, caps);
    expect(caps).toEqual({ codecs: [], headerExtensions: [] });
    expect(() => ortc.canConsume(consumable, { codecs: 'x' } as unknown as RtpCapabilities)).toThrow(
      TypeError,
    );
  });
});

describe('getConsumerRtpParameters', () => {
  const router = mediasoupRouter();

  function consumableFor(encodings: RtpParameters['encodings']): RtpParameters {
    const producer = { ...mediasoupProducer(), encodings };
    const mapping = ortc.getProducerRtpParametersMapping(producer, router);
    return ortc.getConsumableRtpParameters('video', producer, router, mapping);
  }

  const simulcast = consumableFor(mediasoupProducer().encodings);

  const encodingRows: { name: string; encodings: RtpParameters['encodings']; want: string | undefined }[] = [
    { name: 'single stream without SVC', encodings: [{ ssrc: 1 }], want: undefined },
    { name: 'SVC keeps its mode', encodings: [{ ssrc: 1, scalabilityMode: 'L3T3_KEY' }], want: 'L3T3_KEY' },
    {
      name: 'simulcast ×3 with L1T3',
      encodings: [{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3, scalabilityMode: 'L1T3' }],
      want: 'L3T3',
    },
    { name: 'simulcast ×2 without mode', encodings: [{ rid: 'l' }, { rid: 'h' }], want: 'L2T1' },
  ];
  for (const row of encodingRows) {
    it(`scalability mode: ${row.name} → ${row.want}`, () => {
      const consumer = ortc.getConsumerRtpParameters({
        consumableRtpParameters: consumableFor(row.encodings),
        remoteRtpCapabilities: mediasoupRemoteCaps(),
        pipe: false,
        enableRtx: true,
      });
      expect(consumer.encodings).toHaveLength(1);
      expect(consumer.encodings?.[0].scalabilityMode).toBe(row.want);
    });
  }

  it('without RTX: no RTX codec, no RTX SSRC, generic NACK dropped but PLI kept', () => {
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: simulcast,
      remoteRtpCapabilities: mediasoupRemoteCaps(),
      pipe: false,
      enableRtx: false,
    });
    expect(consumer.codecs.map((c) => c.mimeType)).toEqual(['video/H264']);
    expect(consumer.codecs[0].rtcpFeedback).toEqual([
      { type: 'nack', parameter: 'pli' },
      { type: 'foo', parameter: 'FOO' },
    ]);
    expect(consumer.encodings?.[0].rtx).toBeUndefined();
  });

  it('remote without RTX support: RTX dropped even when enabled', () => {
    const caps = mediasoupRemoteCaps();
    caps.codecs = caps.codecs?.filter((c) => c.mimeType !== 'video/rtx');
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: simulcast,
      remoteRtpCapabilities: caps,
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.codecs.map((c) => c.mimeType)).toEqual(['video/H264']);
    expect(consumer.encodings?.[0].rtx).toBeUndefined();
  });

  it("keeps the router's payload types and extension ids; extensions with other ids are left out", () => {
    const caps = mediasoupRemoteCaps();
    for (const c of caps.codecs ?? []) c.preferredPayloadType += 10;
    const rtx = caps.codecs?.find((c) => c.mimeType === 'video/rtx');
    if (rtx?.parameters) rtx.parameters.apt = 111;
    caps.headerExtensions = [
      ext('video', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1),
      ext('video', 'urn:3gpp:video-orientation', 7), // the router uses 11
    ];
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: simulcast,
      remoteRtpCapabilities: caps,
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.codecs.map((c) => [c.mimeType, c.payloadType, c.parameters?.apt])).toEqual([
      ['video/H264', 101, undefined],
      ['video/rtx', 102, 101],
    ]);
    expect(consumer.headerExtensions?.map((e) => [e.uri, e.id])).toEqual([
      ['urn:ietf:params:rtp-hdrext:sdes:mid', 1],
    ]);
  });

  const bweRows: { name: string; uris: string[]; want: string[] }[] = [
    {
      name: 'transport-cc extension: REMB dropped',
      uris: ['http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'],
      want: ['nack', 'nack pli', 'ccm fir', 'transport-cc'],
    },
    {
      name: 'abs-send-time only: transport-cc dropped',
      uris: ['http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'],
      want: ['nack', 'nack pli', 'ccm fir', 'goog-remb'],
    },
    {
      name: 'both: transport-cc wins',
      uris: [
        'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      ],
      want: ['nack', 'nack pli', 'ccm fir', 'transport-cc'],
    },
    { name: 'neither: no BWE feedback', uris: [], want: ['nack', 'nack pli', 'ccm fir'] },
  ];
  for (const row of bweRows) {
    it(`bandwidth estimation feedback: ${row.name}`, () => {
      const caps = mediasoupRemoteCaps();
      const h264Cap = caps.codecs?.[1] as RtpCodecCapability;
      h264Cap.rtcpFeedback = [
        { type: 'nack' },
        { type: 'nack', parameter: 'pli' },
        { type: 'ccm', parameter: 'fir' },
        { type: 'goog-remb' },
        { type: 'transport-cc' },
      ];
      const router2 = ortc.generateRouterRtpCapabilities([
        h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }),
      ]);
      const ids = new Map(router2.headerExtensions?.map((e) => [e.uri, e.preferredId]));
      caps.headerExtensions = row.uris.map((u) =>
        ext('video', u, ids.get(u as RtpHeaderExtension['uri']) ?? 0),
      );
      const producer: RtpParameters = {
        codecs: [
          {
            mimeType: 'video/H264',
            payloadType: 96,
            clockRate: 90000,
            parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032' },
          },
        ],
        encodings: [{ ssrc: 9 }],
        rtcp: { cname: 'x' },
      };
      const m = ortc.getProducerRtpParametersMapping(producer, router2);
      const consumer = ortc.getConsumerRtpParameters({
        consumableRtpParameters: ortc.getConsumableRtpParameters('video', producer, router2, m),
        remoteRtpCapabilities: caps,
        pipe: false,
        enableRtx: true,
      });
      expect(
        consumer.codecs[0].rtcpFeedback?.map((f) => `${f.type}${f.parameter ? ` ${f.parameter}` : ''}`),
      ).toEqual(row.want);
    });
  }

  it('pipe: every encoding with consecutive new SSRCs and RTX SSRCs', () => {
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: simulcast,
      remoteRtpCapabilities: mediasoupRemoteCaps(),
      pipe: true,
      enableRtx: true,
    });
    const ssrcs = consumer.encodings?.map((e) => e.ssrc as number) ?? [];
    const rtxSsrcs = consumer.encodings?.map((e) => e.rtx?.ssrc as number) ?? [];
    expect(ssrcs).toEqual([ssrcs[0], ssrcs[0] + 1, ssrcs[0] + 2]);
    expect(rtxSsrcs).toEqual([rtxSsrcs[0], rtxSsrcs[0] + 1, rtxSsrcs[0] + 2]);
    expect(consumer.encodings?.map((e) => e.scalabilityMode)).toEqual(['L1T3', 'L1T3', 'L1T3']);
  });

  it('no compatible codec → UnsupportedError', () => {
    expect(() =>
      ortc.getConsumerRtpParameters({
        consumableRtpParameters: simulcast,
        remoteRtpCapabilities: {
          codecs: [{ kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 96, clockRate: 90000 }],
        },
        pipe: false,
        enableRtx: true,
      }),
    ).toThrow(UnsupportedError);
  });
});

describe('validateAndNormalizeRtpParameters', () => {
  it('fills defaults', () => {
    const params = {
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 111,
          clockRate: 48000,
          rtcpFeedback: [{ type: 'transport-cc' }],
          parameters: { a: undefined },
        },
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, channels: 2 },
      ],
      encodings: [{ ssrc: 1 }],
    } as unknown as RtpParameters;
    ortc.validateAndNormalizeRtpParameters(params);
    expect(params).toEqual({
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 111,
          clockRate: 48000,
          channels: 1, // audio default
          parameters: { a: '' },
          rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
        },
        // video loses channels
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] },
      ],
      headerExtensions: [],
      encodings: [{ ssrc: 1, dtx: false }],
      rtcp: { reducedSize: true },
    });
  });

  const rows: { name: string; params: unknown; text: string }[] = [
    { name: 'not an object', params: 'x', text: 'params is not an object' },
    { name: 'mid not a string', params: { mid: 5, codecs: [] }, text: 'params.mid is not a string' },
    { name: 'msid not a string', params: { msid: 5, codecs: [] }, text: 'params.msid is not a string' },
    { name: 'no codecs', params: {}, text: 'missing params.codecs' },
    {
      name: 'codec without payloadType',
      params: { codecs: [{ mimeType: 'video/VP8', clockRate: 90000 }] },
      text: 'missing codec.payloadType',
    },
    {
      name: 'apt not a number',
      params: {
        codecs: [{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: '96' } }],
      },
      text: 'invalid codec apt parameter',
    },
    {
      name: 'feedback without type',
      params: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{}] }] },
      text: 'missing fb.type',
    },
    {
      name: 'headerExtensions not an array',
      params: { codecs: [], headerExtensions: {} },
      text: 'not an array',
    },
    {
      name: 'extension without id',
      params: { codecs: [], headerExtensions: [{ uri: 'x' }] },
      text: 'missing ext.id',
    },
    {
      name: 'extension encrypt not boolean',
      params: { codecs: [], headerExtensions: [{ uri: 'x', id: 1, encrypt: 'yes' }] },
      text: 'invalid ext.encrypt',
    },
    {
      name: 'encodings not an array',
      params: { codecs: [], encodings: 1 },
      text: 'params.encodings is not an array',
    },
    {
      name: 'ssrc not a number',
      params: { codecs: [], encodings: [{ ssrc: '1' }] },
      text: 'invalid encoding.ssrc',
    },
    {
      name: 'rid not a string',
      params: { codecs: [], encodings: [{ rid: 1 }] },
      text: 'invalid encoding.rid',
    },
    {
      name: 'rtx without ssrc',
      params: { codecs: [], encodings: [{ rtx: {} }] },
      text: 'missing encoding.rtx.ssrc',
    },
    {
      name: 'scalabilityMode not a string',
      params: { codecs: [], encodings: [{ scalabilityMode: 3 }] },
      text: 'invalid encoding.scalabilityMode',
    },
    { name: 'rtcp not an object', params: { codecs: [], rtcp: 'x' }, text: 'params.rtcp is not an object' },
    { name: 'cname not a string', params: { codecs: [], rtcp: { cname: 1 } }, text: 'invalid rtcp.cname' },
  ];
  for (const row of rows) {
    it(`TypeError: ${row.name}`, () => {
      const call = () => ortc.validateAndNormalizeRtpParameters(row.params as RtpParameters);
      expect(call).toThrow(TypeError);
      expect(call).toThrow(row.text);
    });
  }
});

describe('validateAndNormalizeRtpCapabilities', () => {
  it('takes kind from the MIME type and fills defaults', () => {
    const caps = {
      codecs: [{ kind: 'video', mimeType: 'AUDIO/opus', preferredPayloadType: 100, clockRate: 48000 }],
      headerExtensions: [
        { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 10 },
      ],
    } as unknown as RtpCapabilities;
    ortc.validateAndNormalizeRtpCapabilities(caps);
    expect(caps).toEqual({
      codecs: [
        {
          kind: 'audio',
          mimeType: 'AUDIO/opus',
          preferredPayloadType: 100,
          clockRate: 48000,
          channels: 1,
          parameters: {},
          rtcpFeedback: [],
        },
      ],
      headerExtensions: [
        {
          kind: 'audio',
          uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
          preferredId: 10,
          preferredEncrypt: false,
          direction: 'sendrecv',
        },
      ],
    });
  });

  const rows: { name: string; caps: unknown; text: string }[] = [
    { name: 'not an object', caps: 1, text: 'caps is not an object' },
    { name: 'codecs not an array', caps: { codecs: {} }, text: 'caps.codecs is not an array' },
    {
      name: 'preferredPayloadType not a number',
      caps: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, preferredPayloadType: '100' }] },
      text: 'invalid codec.preferredPayloadType',
    },
    {
      name: 'extensions not an array',
      caps: { headerExtensions: 1 },
      text: 'caps.headerExtensions is not an array',
    },
    {
      name: 'extension of a bad kind',
      caps: { headerExtensions: [{ kind: 'data', uri: 'x', preferredId: 1 }] },
      text: 'invalid ext.kind',
    },
    {
      name: 'extension without uri',
      caps: { headerExtensions: [{ kind: 'audio', preferredId: 1 }] },
      text: 'missing ext.uri',
    },
    {
      name: 'extension without preferredId',
      caps: { headerExtensions: [{ kind: 'audio', uri: 'x' }] },
      text: 'missing ext.preferredId',
    },
    {
      name: 'extension direction not a string',
      caps: { headerExtensions: [{ kind: 'audio', uri: 'x', preferredId: 1, direction: 1 }] },
      text: 'invalid ext.direction',
    },
  ];
  for (const row of rows) {
    it(`TypeError: ${row.name}`, () => {
      const call = () => ortc.validateAndNormalizeRtpCapabilities(row.caps as RtpCapabilities);
      expect(call).toThrow(TypeError);
      expect(call).toThrow(row.text);
    });
  }
});

describe('validateAndNormalizeSctpStreamParameters', () => {
  const rows: {
    name: string;
    params: Record<string, unknown>;
    want?: Record<string, unknown>;
    text?: string;
  }[] = [
    { name: 'reliable ordered by default', params: { streamId: 1 }, want: { streamId: 1, ordered: true } },
    {
      name: 'maxRetransmits makes it unordered',
      params: { streamId: 1, maxRetransmits: 3 },
      want: { streamId: 1, ordered: false, maxRetransmits: 3 },
    },
    {
      name: 'maxPacketLifeTime makes it unordered',
      params: { streamId: 2, maxPacketLifeTime: 500 },
      want: { streamId: 2, ordered: false, maxPacketLifeTime: 500 },
    },
    {
      name: 'explicitly unordered, reliable',
      params: { streamId: 3, ordered: false },
      want: { streamId: 3, ordered: false },
    },
    { name: 'no streamId', params: {}, text: 'missing params.streamId' },
    {
      name: 'both limits',
      params: { streamId: 1, maxRetransmits: 1, maxPacketLifeTime: 1 },
      text: 'cannot provide both maxPacketLifeTime and maxRetransmits',
    },
    {
      name: 'ordered with a limit',
      params: { streamId: 1, ordered: true, maxRetransmits: 1 },
      text: 'cannot be ordered with maxPacketLifeTime or maxRetransmits',
    },
    {
      name: 'maxRetransmits not a number',
      params: { streamId: 1, maxRetransmits: '1' },
      text: 'invalid params.maxRetransmits',
    },
    {
      name: 'maxPacketLifeTime not a number',
      params: { streamId: 1, maxPacketLifeTime: '1' },
      text: 'invalid params.maxPacketLifeTime',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const params = { ...row.params } as SctpStreamParameters;
      if (row.text) {
        expect(() => ortc.validateAndNormalizeSctpStreamParameters(params)).toThrow(TypeError);
        expect(() =>
          ortc.validateAndNormalizeSctpStreamParameters({ ...row.params } as SctpStreamParameters),
        ).toThrow(row.text);
      } else {
        ortc.validateAndNormalizeSctpStreamParameters(params);
        expect(params).toEqual(row.want);
      }
    });
  }
});

// Rows for what changed between the 3.13–3.19 logic this started from and
// mediasoup 3.27.1.
describe('mediasoup 3.27.1 behaviour', () => {
  const ABS_CAPTURE_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
  const DEPENDENCY_DESCRIPTOR =
    'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
  const router = ortc.generateRouterRtpCapabilities([
    opus,
    h264({ 'packetization-mode': 1, 'profile-level-id': '4d0032' }),
  ]);

  function producerOf(
    kind: 'audio' | 'video',
    headerExtensions: RtpParameters['headerExtensions'],
    msid?: string,
  ): RtpParameters {
    const codec =
      kind === 'audio'
        ? { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }
        : {
            mimeType: 'video/H264',
            payloadType: 96,
            clockRate: 90000,
            parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032' },
          };
    const params: RtpParameters = {
      codecs: [codec],
      headerExtensions,
      encodings: [{ ssrc: 1111 }],
      rtcp: { cname: 'c' },
    };
    if (msid !== undefined) params.msid = msid;
    ortc.validateAndNormalizeRtpParameters(params);
    return params;
  }

  function consumableOf(producer: RtpParameters, kind: 'audio' | 'video'): RtpParameters {
    const mapping = ortc.getProducerRtpParametersMapping(producer, router);
    return ortc.getConsumableRtpParameters(kind, producer, router, mapping);
  }

  it('router header extensions: the 3.27.1 ids, packet-id (12) included', () => {
    expect(router.headerExtensions?.map((e) => `${e.kind} ${e.preferredId} ${e.direction}`)).toEqual([
      'audio 1 sendrecv', // mid
      'video 1 sendrecv',
      'video 2 recvonly', // rid
      'video 3 recvonly', // repaired rid
      'audio 4 sendrecv', // abs-send-time
      'video 4 sendrecv',
      'audio 5 recvonly', // transport-cc
      'video 5 sendrecv',
      'audio 6 sendrecv', // ssrc-audio-level
      'video 7 sendrecv', // dependency descriptor (mediasoup 3.27.1: recvonly; see supported-rtp-capabilities.ts)
      'video 8 sendrecv', // video-orientation
      'video 9 sendrecv', // toffset
      'audio 10 sendrecv', // abs-capture-time
      'video 10 sendrecv',
      'audio 11 sendrecv', // playout-delay
      'video 11 sendrecv',
      'audio 12 sendrecv', // packet-id
      'video 12 sendrecv',
    ]);
    expect(router.headerExtensions?.at(-1)?.uri).toBe('urn:mediasoup:params:rtp-hdrext:packet-id');
  });

  // abs-capture-time reaches consumers only when the producer negotiated it.
  const absCaptureRows: {
    kind: 'audio' | 'video';
    producerUris: string[];
    want: boolean;
  }[] = [
    { kind: 'audio', producerUris: [], want: false },
    { kind: 'video', producerUris: [], want: false },
    { kind: 'audio', producerUris: ['urn:ietf:params:rtp-hdrext:sdes:mid'], want: false },
    { kind: 'audio', producerUris: [ABS_CAPTURE_TIME], want: true },
    { kind: 'video', producerUris: [ABS_CAPTURE_TIME], want: true },
  ];
  for (const row of absCaptureRows) {
    it(`consumable ${row.kind}, producer extensions [${row.producerUris.join(', ')}] → abs-capture-time ${row.want ? 'kept' : 'left out'}`, () => {
      const producer = producerOf(
        row.kind,
        row.producerUris.map((uri, i) => ({ uri: uri as RtpHeaderExtension['uri'], id: 20 + i })),
      );
      const consumable = consumableOf(producer, row.kind);
      const absCapture = consumable.headerExtensions?.find((e) => e.uri === ABS_CAPTURE_TIME);
      expect(absCapture).toEqual(
        row.want ? { uri: ABS_CAPTURE_TIME, id: 10, encrypt: false, parameters: {} } : undefined,
      );
      // The other sendable extensions of the kind are there either way (mid, abs-send-time, …).
      expect(consumable.headerExtensions?.map((e) => e.id)).toEqual(
        row.kind === 'audio'
          ? [1, 4, 6, ...(row.want ? [10] : []), 11, 12]
          : [1, 4, 5, 7, 8, 9, ...(row.want ? [10] : []), 11, 12],
      );
    });
  }

  // msid travels from the producer to every consumer's parameters.
  const msidRows: { name: string; msid: string | undefined }[] = [
    { name: 'stream and track id', msid: 'stream-1 track-1' },
    { name: 'no msid', msid: undefined },
  ];
  for (const row of msidRows) {
    it(`msid (${row.name}) → consumable, consumer, pipe consumer`, () => {
      const producer = producerOf('video', [], row.msid);
      const consumable = consumableOf(producer, 'video');
      expect(consumable.msid).toBe(row.msid);
      expect('msid' in consumable).toBe(true); // set (possibly to undefined), as mediasoup does
      const consumer = ortc.getConsumerRtpParameters({
        consumableRtpParameters: consumable,
        remoteRtpCapabilities: router,
        pipe: false,
        enableRtx: true,
      });
      expect(consumer.msid).toBe(row.msid);
      const pipe = ortc.getPipeConsumerRtpParameters({
        consumableRtpParameters: consumable,
        enableRtx: true,
      });
      expect(pipe.msid).toBe(row.msid);
    });
  }

  // A pipe consumer forwards the dependency descriptor, with the header
  // extensions sorted by id; mediasoup adds it for audio too (video has it among
  // the consumable extensions here, where it is 'sendrecv').
  const pipeRows: { kind: 'audio' | 'video'; enableRtx: boolean; wantIds: number[] }[] = [
    { kind: 'video', enableRtx: false, wantIds: [7, 8, 9, 11, 12] },
    { kind: 'video', enableRtx: true, wantIds: [7, 8, 9, 11, 12] },
    { kind: 'audio', enableRtx: false, wantIds: [6, 7, 11, 12] },
  ];
  for (const row of pipeRows) {
    it(`pipe consumer (${row.kind}, enableRtx ${row.enableRtx}): dependency descriptor once, ids ${row.wantIds.join(',')}`, () => {
      const consumable = consumableOf(producerOf(row.kind, []), row.kind);
      const hasDd = () => consumable.headerExtensions?.some((e) => e.uri === DEPENDENCY_DESCRIPTOR);
      expect(hasDd()).toBe(row.kind === 'video');
      const pipe = ortc.getPipeConsumerRtpParameters({
        consumableRtpParameters: consumable,
        enableRtx: row.enableRtx,
      });
      expect(pipe.headerExtensions?.map((e) => e.id)).toEqual(row.wantIds);
      expect(pipe.headerExtensions?.find((e) => e.id === 7)).toEqual({
        uri: DEPENDENCY_DESCRIPTOR,
        id: 7,
        encrypt: false,
        parameters: {},
      });
      // The consumable parameters are not modified.
      expect(hasDd()).toBe(row.kind === 'video');
    });
  }

  it('a consumer gets the dependency descriptor when the remote can receive it (mediasoup 3.27.1: never)', () => {
    const consumable = consumableOf(producerOf('video', []), 'video');
    const consumerOf = (headerExtensions: typeof router.headerExtensions) =>
      ortc.getConsumerRtpParameters({
        consumableRtpParameters: consumable,
        remoteRtpCapabilities: { ...router, headerExtensions },
        pipe: false,
        enableRtx: true,
      });
    const withDd = consumerOf(router.headerExtensions);
    expect(withDd.headerExtensions?.find((e) => e.uri === DEPENDENCY_DESCRIPTOR)?.id).toBe(7);
    const withoutDd = consumerOf(router.headerExtensions?.filter((e) => e.uri !== DEPENDENCY_DESCRIPTOR));
    expect(withoutDd.headerExtensions?.some((e) => e.uri === DEPENDENCY_DESCRIPTOR)).toBe(false);
  });
});
