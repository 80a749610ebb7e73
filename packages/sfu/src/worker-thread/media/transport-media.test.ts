/**
 * The media plane of one transport, fed directly (no sockets): random and
 * mutated RTP/RTCP never throw and are counted; RTCP interval sizing by
 * bitrate. The link records what would be protected and sent.
 */
import { serializeRtcpPackets, serializeRtpPacket } from '@tsfu/rtp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { type MediaTransportLink, TransportMedia } from './transport-media.js';
import { WorkerConsumer } from './worker-consumer.js';
import { WorkerProducer } from './worker-producer.js';

function setup() {
  const sent: Array<{ kind: 'rtp' | 'rtcp'; bytes: Buffer }> = [];
  const link: MediaTransportLink = {
    id: 't',
    sendRtp: (p, n) => {
      sent.push({ kind: 'rtp', bytes: Buffer.from(p.subarray(0, n)) });
      return true;
    },
    sendRtcp: (p, n) => {
      sent.push({ kind: 'rtcp', bytes: Buffer.from(p.subarray(0, n)) });
      return true;
    },
    canSend: true,
    notify: () => {},
    maxIncomingBitrate: undefined,
  };
  const media = new TransportMedia(link);
  const params: RtpParameters = {
    mid: '0',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 },
    ],
    encodings: [{ rid: 'r0' }, { rid: 'r1' }],
    rtcp: { cname: 'x' },
  };
  const producer = new WorkerProducer({
    id: 'p',
    kind: 'video',
    rtpParameters: params,
    rtpMapping: {
      codecs: [
        { payloadType: 96, mappedPayloadType: 101 },
        { payloadType: 97, mappedPayloadType: 102 },
      ],
      encodings: [
        { rid: 'r0', mappedSsrc: 1 },
        { rid: 'r1', mappedSsrc: 2 },
      ],
    },
    paused: false,
    transport: media,
  });
  media.addProducer(producer);
  const consumer = new WorkerConsumer({
    id: 'c',
    producer,
    transport: media,
    rtpParameters: {
      mid: '0',
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: 101,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        },
        { mimeType: 'video/rtx', payloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
      ],
      headerExtensions: [],
      encodings: [{ ssrc: 5000, rtx: { ssrc: 5001 }, scalabilityMode: 'L2T1' }],
      rtcp: { cname: 'x' },
    },
    paused: false,
  });
  media.addConsumer(consumer);
  producer.addConsumer(consumer);
  return { media, producer, consumer, sent };
}

const validRtp = (seq: number, rid: string, keyframe: boolean) =>
  serializeRtpPacket({
    payloadType: 96,
    sequenceNumber: seq,
    timestamp: seq * 3000,
    ssrc: rid === 'r0' ? 0x100 : 0x200,
    extensions: [
      { id: 4, value: Buffer.from('0') },
      { id: 10, value: Buffer.from(rid) },
    ],
    payload: Buffer.from([0x90, 0x80, 0x80 | (seq >> 8), seq & 0xff, keyframe ? 0 : 1, 9, 9]),
  });

describe('TransportMedia', () => {
  it('binds RID streams and forwards the target layer once a keyframe arrives', () => {
    const { media, producer, consumer, sent } = setup();
    media.handleRtp(validRtp(1, 'r1', true), validRtp(1, 'r1', true).length, 1000);
    media.handleRtp(validRtp(1, 'r0', true), validRtp(1, 'r0', true).length, 1000);
    expect(producer.streams.map((s) => s.ssrc)).toEqual([0x100, 0x200]);
    expect(consumer.currentSpatial).toBe(1);
    expect(sent.filter((x) => x.kind === 'rtp')).toHaveLength(1);
  });

  it('never throws on random or mutated RTP and RTCP, and counts what it drops', () => {
    const { media } = setup();
    const seeds = [
      validRtp(5, 'r0', true),
      serializeRtcpPackets([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 5000 }]),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 80 }),
          fc
            .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(80), fc.nat(255)), { maxLength: 6 }))
            .map(([seed, muts]) => {
              const b = Buffer.from(seed);
              for (const [i, v] of muts) if (i < b.length) b[i] = v;
              return b;
            }),
        ),
        fc.boolean(),
        (bytes, asRtcp) => {
          const buf = Buffer.from(bytes);
          if (asRtcp) media.handleRtcp(buf, buf.length, 2000);
          else media.handleRtp(buf, buf.length, 2000);
          media.tick(2000);
        },
      ),
      { numRuns: 2000 },
    );
    const c = media.counters;
    expect(c.rtpMalformed + c.rtpUnknownSsrc + c.rtcpMalformed).toBeGreaterThan(0);
  });

  it.each([
    [0, 1000],
    [360, 1000],
    [3600, 100],
    [720, 500],
  ])('sizes the RTCP interval by bitrate (%s kbps → %s ms, video)', (kbps, ms) => {
    const { media, producer } = setup();
    // 1 s of traffic at `kbps` on the first stream.
    const bytesPer100ms = (kbps * 1000) / 8 / 10;
    for (let t = 0; t < 1000; t += 100) producer.streams[0].bitrate.add(bytesPer100ms, 10_000 + t);
    expect(media.rtcpIntervalMs(10_950)).toBeCloseTo(ms, 0);
  });
});
