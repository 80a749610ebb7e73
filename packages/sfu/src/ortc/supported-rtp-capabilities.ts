/**
 * The RTP capabilities the SFU supports: mediasoup 3.27.1's table (codecs,
 * their RTCP feedback, and the RTP header extensions with their preferred ids
 * and directions). A router's capabilities are built from this table and the
 * `mediaCodecs` the application asks for (see `ortc.generateRouterRtpCapabilities`).
 */
import { RTP_EXTENSION_URI } from '@tsfu/rtp';
import type { RouterRtpCapabilities, RtcpFeedback } from '../types/rtp-parameters.js';

// RTCP feedback shared by every video codec: NACK (RFC 4585), PLI, FIR (RFC 5104),
// REMB and transport-wide CC for bandwidth estimation.
const videoFeedback = (): RtcpFeedback[] => [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
  { type: 'transport-cc' },
];

const supportedRtpCapabilities: RouterRtpCapabilities = {
  codecs: [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
    },
    // multiopus (Chrome's surround extension): quad, 5.1 and 7.1.
    {
      kind: 'audio',
      mimeType: 'audio/multiopus',
      clockRate: 48000,
      channels: 4,
      parameters: { channel_mapping: '0,1,2,3', num_streams: 2, coupled_streams: 2 },
      rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
    },
    {
      kind: 'audio',
      mimeType: 'audio/multiopus',
      clockRate: 48000,
      channels: 6,
      parameters: { channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
      rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
    },
    {
      kind: 'audio',
      mimeType: 'audio/multiopus',
      clockRate: 48000,
      channels: 8,
      parameters: { channel_mapping: '0,6,1,2,3,4,5,7', num_streams: 5, coupled_streams: 3 },
      rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
    },
    // Static payload types (RFC 3551) are kept as they are.
    {
      kind: 'audio',
      mimeType: 'audio/PCMU',
      preferredPayloadType: 0,
      clockRate: 8000,
      rtcpFeedback: [{ type: 'transport-cc' }],
    },
    {
      kind: 'audio',
      mimeType: 'audio/PCMA',
      preferredPayloadType: 8,
      clockRate: 8000,
      rtcpFeedback: [{ type: 'transport-cc' }],
    },
    { kind: 'audio', mimeType: 'audio/ISAC', clockRate: 32000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/ISAC', clockRate: 16000, rtcpFeedback: [{ type: 'transport-cc' }] },
    {
      kind: 'audio',
      mimeType: 'audio/G722',
      preferredPayloadType: 9,
      clockRate: 8000,
      rtcpFeedback: [{ type: 'transport-cc' }],
    },
    { kind: 'audio', mimeType: 'audio/iLBC', clockRate: 8000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/SILK', clockRate: 24000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/SILK', clockRate: 16000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/SILK', clockRate: 12000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/SILK', clockRate: 8000, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 32000 },
    { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 16000 },
    { kind: 'audio', mimeType: 'audio/CN', preferredPayloadType: 13, clockRate: 8000 },
    { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 48000 },
    { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 32000 },
    { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 16000 },
    { kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 8000 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: videoFeedback() },
    { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, rtcpFeedback: videoFeedback() },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: { 'level-asymmetry-allowed': 1 },
      rtcpFeedback: videoFeedback(),
    },
    // mediasoup lists AV1 with an empty parameters object.
    { kind: 'video', mimeType: 'video/AV1', clockRate: 90000, parameters: {}, rtcpFeedback: videoFeedback() },
  ],
  headerExtensions: [
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.mid,
      preferredId: 1,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.mid,
      preferredId: 1,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.rid,
      preferredId: 2,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.repairedRid,
      preferredId: 3,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.absSendTime,
      preferredId: 4,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.absSendTime,
      preferredId: 4,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    // For audio, transport-wide CC is only used when receiving media.
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.transportWideCc,
      preferredId: 5,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.transportWideCc,
      preferredId: 5,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.audioLevel,
      preferredId: 6,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    // AV1 dependency descriptor: 'sendrecv' where mediasoup 3.27.1 says 'recvonly' (the one row that
    // differs): an AV1 SVC consumer forwards it, without which Chromium decodes no frame of an
    // `L3T3`/`L3T3_KEY` stream (seen in test/e2e/sfu-svc.test.ts); other consumers drop it.
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.dependencyDescriptor,
      preferredId: 7,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.videoOrientation,
      preferredId: 8,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.toffset,
      preferredId: 9,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.absCaptureTime,
      preferredId: 10,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.absCaptureTime,
      preferredId: 10,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.playoutDelay,
      preferredId: 11,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.playoutDelay,
      preferredId: 11,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    // mediasoup's own extension: a per-packet id a Producer can ask the SFU to
    // add (ProducerOptions.enableMediasoupPacketIdHeaderExtension).
    {
      kind: 'audio',
      uri: RTP_EXTENSION_URI.mediasoupPacketId,
      preferredId: 12,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: RTP_EXTENSION_URI.mediasoupPacketId,
      preferredId: 12,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
  ],
};

/**
 * The supported RTP capabilities, as `mediasoup.getSupportedRtpCapabilities()`
 * returns them: a fresh deep copy the caller may modify. These are NOT what
 * mediasoup-client's `device.load()` needs; that is `router.rtpCapabilities`.
 */
export function getSupportedRtpCapabilities(): RouterRtpCapabilities {
  return structuredClone(supportedRtpCapabilities);
}
