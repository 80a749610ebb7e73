import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../types/rtp-parameters.js';
import { mediaCodecOf, plainRtpSdp } from './plain-rtp-sdp.js';

const opus: RtpParameters = {
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
    },
  ],
  encodings: [{ ssrc: 1111 }],
};
const vp8: RtpParameters = {
  codecs: [
    { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {} },
    { mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
  ],
  encodings: [{ ssrc: 2222, rtx: { ssrc: 3333 } }],
};

describe('plainRtpSdp', () => {
  it('one m= line per consumer: its payload type, rtpmap, fmtp, the RTCP port; RTX left out', () => {
    const sdp = plainRtpSdp({
      ip: '127.0.0.1',
      streams: [
        { kind: 'audio', rtpParameters: opus, port: 5004, rtcpPort: 5005 },
        { kind: 'video', rtpParameters: vp8, port: 5006 },
      ],
    });
    expect(sdp.split('\r\n')).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=tsfu',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 5004 RTP/AVP 100',
      'a=rtcp:5005',
      'a=rtpmap:100 opus/48000/2',
      'a=fmtp:100 useinbandfec=1',
      'a=recvonly',
      'm=video 5006 RTP/AVP 101',
      'a=rtcp-mux',
      'a=rtpmap:101 VP8/90000',
      'a=recvonly',
      '',
    ]);
  });

  it('SRTP: RTP/SAVP and the transport key as a=crypto; IPv6 addresses', () => {
    const sdp = plainRtpSdp({
      ip: '::1',
      streams: [
        {
          kind: 'video',
          rtpParameters: vp8,
          port: 6000,
          rtcpPort: 6001,
          srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: 'a2V5' },
        },
      ],
    });
    expect(sdp).toContain('c=IN IP6 ::1\r\n');
    expect(sdp).toContain('m=video 6000 RTP/SAVP 101\r\n');
    expect(sdp).toContain('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:a2V5\r\n');
  });

  it('rejects no streams and parameters without a media codec', () => {
    expect(() => plainRtpSdp({ ip: '127.0.0.1', streams: [] })).toThrow(TypeError);
    expect(() => mediaCodecOf({ codecs: [vp8.codecs[1]] })).toThrow(TypeError);
  });
});
