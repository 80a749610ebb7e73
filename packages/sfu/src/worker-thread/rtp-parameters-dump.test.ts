import { describe, expect, it } from 'vitest';
import { canonicalMimeType, encodingDump, rtpParametersDump } from './rtp-parameters-dump.js';

describe("rtpParametersDump (mediasoup-worker's view of RTP parameters)", () => {
  it.each([
    ['video/h264', 'video/H264'],
    ['VIDEO/vp8', 'video/VP8'],
    ['audio/OPUS', 'audio/opus'],
    ['audio/pcmu', 'audio/PCMU'],
    ['audio/ilbc', 'audio/iLBC'],
    ['video/RTX', 'video/rtx'],
    ['audio/Telephone-Event', 'audio/telephone-event'],
  ])('%s → %s', (given, want) => {
    expect(canonicalMimeType(given)).toBe(want);
  });

  it('codecPayloadType of the first media codec, no empty feedback parameter, header extension defaults', () => {
    const dump = rtpParametersDump({
      mid: '',
      codecs: [
        { mimeType: 'video/rtx', payloadType: 113, clockRate: 90000, parameters: { apt: 112 } },
        {
          mimeType: 'video/h264',
          payloadType: 112,
          clockRate: 90000,
          rtcpFeedback: [
            { type: 'nack', parameter: '' },
            { type: 'nack', parameter: 'pli' },
          ],
        },
      ],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 10 }],
      encodings: [
        { ssrc: 1, rtx: { ssrc: 2 }, scalabilityMode: 'L1T3', maxBitrate: 5 },
        { rid: 'h', codecPayloadType: 112 },
      ],
      rtcp: { cname: 'c' },
    });
    expect(dump.codecs.map((c) => c.mimeType)).toEqual(['video/rtx', 'video/H264']);
    expect(dump.codecs[1].rtcpFeedback).toEqual([{ type: 'nack' }, { type: 'nack', parameter: 'pli' }]);
    expect(dump.codecs[0].rtcpFeedback).toEqual([]);
    expect(dump.headerExtensions).toEqual([
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 10, encrypt: false, parameters: {} },
    ]);
    expect(dump.encodings).toEqual([
      { ssrc: 1, codecPayloadType: 112, rtx: { ssrc: 2 }, dtx: false, scalabilityMode: 'L1T3' },
      { rid: 'h', codecPayloadType: 112, dtx: false },
    ]);
    expect(dump.rtcp).toEqual({ cname: 'c', reducedSize: true });
    expect('mid' in dump).toBe(false);
  });

  it('a consumable encoding has no codecPayloadType', () => {
    expect(encodingDump({ ssrc: 7, scalabilityMode: 'L1T5' })).toEqual({
      ssrc: 7,
      dtx: false,
      scalabilityMode: 'L1T5',
    });
  });
});
