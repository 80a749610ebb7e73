/**
 * The Transport base, fed directly (no sockets) through the smallest
 * subclass there can be — one that records what it would send, as a
 * DirectTransport will hand packets to the app: random and mutated RTP/RTCP
 * never throw and are counted; RID streams bind and fan out through the
 * router; RTCP interval sizing by bitrate.
 */
import { serializeRtcpPackets, serializeRtpPacket } from '@tsfu/rtp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { SimulcastConsumer } from '../consumer/simulcast-consumer.js';
import { Router } from '../router.js';
import { recordingTransport } from './recording-transport.test-util.js';

function setup() {
  const router = new Router('r');
  const media = recordingTransport('t', router);
  router.addTransport(media);
  const sent = media.sent;
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
  media.produce({
    transportId: 't',
    producerId: 'p',
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
  });
  const producer = router.getProducer('p');
  media.consume(
    {
      transportId: 't',
      consumerId: 'c',
      producerId: 'p',
      kind: 'video',
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
      ignoreDtx: false,
      pipe: false,
      consumableRtpEncodings: [],
    },
    0,
  );
  // Two encodings: the consumer kind is simulcast.
  const consumer = router.consumersOf(producer)[0];
  if (!(consumer instanceof SimulcastConsumer)) throw new Error('not a SimulcastConsumer');
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

describe('Transport (base, any kind)', () => {
  it('binds RID streams and forwards the target layer once a keyframe arrives', () => {
    const { media, producer, consumer, sent } = setup();
    media.receiveRtp(validRtp(1, 'r1', true), validRtp(1, 'r1', true).length, 1000);
    media.receiveRtp(validRtp(1, 'r0', true), validRtp(1, 'r0', true).length, 1000);
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
          if (asRtcp) media.receiveRtcp(buf, buf.length, 2000);
          else media.receiveRtp(buf, buf.length, 2000);
          media.tick(2000);
        },
      ),
      { numRuns: 2000 },
    );
    const c = media.mediaCounters;
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
