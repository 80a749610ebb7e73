import { describe, expect, it } from 'vitest';
import { getSupportedRtpCapabilities } from './supported-rtp-capabilities.js';

describe('getSupportedRtpCapabilities', () => {
  it('lists the codecs mediasoup supports', () => {
    const caps = getSupportedRtpCapabilities();
    const names = new Set(caps.codecs?.map((c) => c.mimeType));
    for (const mimeType of [
      'audio/opus',
      'audio/multiopus',
      'audio/PCMU',
      'audio/PCMA',
      'audio/G722',
      'video/VP8',
      'video/VP9',
      'video/H264',
      'video/H265',
      'video/AV1',
    ]) {
      expect(names.has(mimeType), mimeType).toBe(true);
    }
    // RTX is not listed: routers add one per video codec.
    expect(names.has('video/rtx')).toBe(false);
  });

  it('keeps the static payload types of RFC 3551', () => {
    const pt = (mimeType: string) =>
      getSupportedRtpCapabilities().codecs?.find((c) => c.mimeType === mimeType)?.preferredPayloadType;
    expect(pt('audio/PCMU')).toBe(0);
    expect(pt('audio/PCMA')).toBe(8);
    expect(pt('audio/G722')).toBe(9);
    expect(pt('audio/CN')).toBe(13);
    expect(pt('audio/opus')).toBeUndefined();
  });

  it('gives H264 level-asymmetry-allowed and video the full feedback set', () => {
    const h264 = getSupportedRtpCapabilities().codecs?.find((c) => c.mimeType === 'video/H264');
    expect(h264?.parameters).toEqual({ 'level-asymmetry-allowed': 1 });
    expect(h264?.rtcpFeedback).toEqual([
      { type: 'nack' },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'goog-remb' },
      { type: 'transport-cc' },
    ]);
  });

  it('header extensions: one id per URI, with mediasoup directions', () => {
    const exts = getSupportedRtpCapabilities().headerExtensions ?? [];
    const idByUri = new Map<string, number>();
    for (const ext of exts) {
      const seen = idByUri.get(ext.uri);
      if (seen !== undefined) expect(ext.preferredId, ext.uri).toBe(seen);
      idByUri.set(ext.uri, ext.preferredId);
    }
    expect(new Set(idByUri.values()).size).toBe(idByUri.size);
    const find = (kind: string, uri: string) => exts.find((e) => e.kind === kind && e.uri.endsWith(uri));
    expect(find('video', 'sdes:mid')?.preferredId).toBe(1);
    expect(find('video', 'sdes:rtp-stream-id')?.direction).toBe('recvonly');
    expect(find('audio', 'transport-wide-cc-extensions-01')?.direction).toBe('recvonly');
    expect(find('video', 'transport-wide-cc-extensions-01')?.direction).toBe('sendrecv');
    expect(find('audio', 'ssrc-audio-level')?.preferredId).toBe(10);
    expect(find('video', 'dependency-descriptor-rtp-header-extension')?.preferredId).toBe(8);
  });

  it('returns a fresh copy each time', () => {
    const a = getSupportedRtpCapabilities();
    a.codecs?.splice(0);
    expect(getSupportedRtpCapabilities().codecs?.length).toBeGreaterThan(20);
  });
});
