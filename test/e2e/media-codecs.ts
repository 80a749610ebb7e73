/** The router codec list the e2e tests use. */
import type { RouterRtpCodecCapability } from '@tsfu/sfu';

/** mediasoup's usual router `mediaCodecs` (as in mediasoup-demo), with AV1 added. */
export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    parameters: { 'profile-id': 2, 'x-google-start-bitrate': 1000 },
  },
  ...['42e01f', '4d0032', '640032'].map(
    (profileLevelId): RouterRtpCodecCapability => ({
      kind: 'video',
      mimeType: 'video/h264',
      clockRate: 90000,
      parameters: {
        'packetization-mode': 1,
        'profile-level-id': profileLevelId,
        'level-asymmetry-allowed': 1,
        'x-google-start-bitrate': 1000,
      },
    }),
  ),
  { kind: 'video', mimeType: 'video/AV1', clockRate: 90000 },
];
