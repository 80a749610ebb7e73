/**
 * The transport's bandwidth estimation wired end to end (no sockets): the
 * transport-wide sequence number written into what consumers send, REMB
 * lowering the estimate, the allocation moving simulcast consumers' layers
 * by priority (`layerschange` follows), getStats and the `bwe` trace event,
 * and probation padding on SSRC 1234 when the consumers want more.
 */
import { parseRtpPacket, serializeRtcpPackets, serializeRtpPacket } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { SimulcastConsumer } from '../consumer/simulcast-consumer.js';
import { Router } from '../router.js';
import { recordingTransport } from './recording-transport.test-util.js';

const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const RIDS = ['r0', 'r1', 'r2'];
/** What each layer sends, bytes per 100 ms (150 k / 500 k / 1.2 Mbps). */
const LAYER_BYTES = [1875, 6250, 15000];

function setup(producerSendsTwcc = true, scalabilityMode = 'L3T1') {
  const notes: Array<{ event: string; id: string; data: unknown }> = [];
  const router = new Router('r');
  const t = recordingTransport('t', router, (event, id, data) => notes.push({ event, id, data }));
  router.addTransport(t);
  const params: RtpParameters = {
    mid: '0',
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'transport-cc' }] },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 },
      ...(producerSendsTwcc ? [{ uri: TWCC, id: 3 }] : []),
    ],
    encodings: RIDS.map((rid) => ({ rid })),
    rtcp: { cname: 'x' },
  };
  t.produce({
    transportId: 't',
    producerId: 'p',
    kind: 'video',
    rtpParameters: params,
    rtpMapping: {
      codecs: [{ payloadType: 96, mappedPayloadType: 101 }],
      encodings: RIDS.map((rid, i) => ({ rid, mappedSsrc: i + 1 })),
    },
    paused: false,
  });
  const consume = (id: string, ssrc: number) => {
    t.consume(
      {
        transportId: 't',
        consumerId: id,
        producerId: 'p',
        kind: 'video',
        rtpParameters: {
          mid: id,
          codecs: [
            {
              mimeType: 'video/VP8',
              payloadType: 101,
              clockRate: 90000,
              rtcpFeedback: [{ type: 'transport-cc' }],
            },
          ],
          headerExtensions: [{ uri: TWCC, id: 7 }],
          encodings: [{ ssrc, scalabilityMode }],
          rtcp: { cname: 'x' },
        },
        paused: false,
        ignoreDtx: false,
        pipe: false,
        consumableRtpEncodings: [],
      },
      performance.now(),
    );
    const c = t.consumers.get(id);
    if (!(c instanceof SimulcastConsumer)) throw new Error('not simulcast');
    return c;
  };
  const producer = router.getProducer('p');
  let seq = 0;
  let picture = 0;
  /**
   * One packet with `payload` (a VP8 descriptor) on every layer, or on `only`, with the producer's
   * transport-cc value 0xabcd; the first also fills 1 s of each layer's bitrate (and, with `temporal`,
   * of its temporal layers: 40 / 20 / 40 %, as libwebrtc splits three).
   */
  const receive = (nowMs: number, payload: number[], only: string | undefined, temporal: boolean) => {
    seq++;
    RIDS.forEach((rid, i) => {
      if (only !== undefined && rid !== only) return;
      const b = serializeRtpPacket({
        payloadType: 96,
        sequenceNumber: seq,
        timestamp: seq * 3000,
        ssrc: 0x100 * (i + 1),
        extensions: [
          { id: 4, value: Buffer.from('0') },
          { id: 10, value: Buffer.from(rid) },
          { id: 3, value: Buffer.from([0xab, 0xcd]) },
        ],
        payload: Buffer.from(payload),
      });
      t.receiveRtp(b, b.length, nowMs);
      if (seq !== 1) return;
      for (let k = 0; k < 10; k++) {
        const at = nowMs - 900 + k * 100;
        producer.streams[i].bitrate.add(LAYER_BYTES[i], at);
        if (!temporal) continue;
        [0.4, 0.2, 0.4].forEach((share, tl) => {
          producer.streams[i].countTemporalLayer(tl, LAYER_BYTES[i] * share, at);
        });
      }
    });
  };
  /** One keyframe (or delta) packet on every layer, picture id = sequence number, no temporal layer. */
  const feed = (nowMs: number, keyframe = true, only?: string) =>
    receive(
      nowMs,
      [0x90, 0x80, 0x80 | ((seq + 1) >> 8), (seq + 1) & 0xff, keyframe ? 0 : 1, 9, 9],
      only,
      false,
    );
  /**
   * One VP8 packet of temporal layer `tid` (descriptor with TID, Y set; a frame's first packet unless
   * `frameStart` is false).
   */
  const feedTemporal = (nowMs: number, tid: number, keyframe = false, only?: string, frameStart = true) => {
    if (frameStart) picture++;
    const descriptor = [
      frameStart ? 0x90 : 0x80,
      0xa0,
      0x80 | (picture >> 8),
      picture & 0xff,
      (tid << 6) | 0x20,
    ];
    receive(nowMs, [...descriptor, keyframe ? 0 : 1, 9], only, true);
  };
  const remb = (bitrate: number, nowMs: number) => {
    const b = serializeRtcpPackets([{ kind: 'remb', senderSsrc: 9, mediaSsrc: 0, bitrate, ssrcs: [] }]);
    t.receiveRtcp(b, b.length, nowMs);
  };
  /** A consumer on the top layer under a 5 Mbit/s REMB (fed at `now` and `now + 10`). */
  const consumeOnTopLayer = (id: string) => {
    const c = consume(id, 5000);
    const now = performance.now();
    feed(now);
    remb(5_000_000, now);
    t.tick(now);
    feed(now + 10);
    return { c, now };
  };
  return { t, consume, consumeOnTopLayer, feed, feedTemporal, remb, notes };
}

describe('Transport bandwidth estimation', () => {
  it('writes consecutive transport-wide sequence numbers into what consumers send', () => {
    const { t, consume, feed } = setup();
    const c = consume('c', 5000);
    const now = performance.now();
    feed(now);
    feed(now + 1);
    const rtp = t.sent.filter((x) => x.kind === 'rtp').map((x) => parseRtpPacket(x.bytes));
    expect(rtp.length).toBeGreaterThanOrEqual(2);
    const seqs = rtp.map((p) => {
      const e = p?.extensions.find((x) => x.id === c.transportCcExtId);
      return e ? (e.value[0] << 8) | e.value[1] : -1;
    });
    expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1)).toBe(true);
    expect(seqs).not.toContain(0xabcd); // the producer's own number does not leak through
  });

  it('follows REMB: lower layer, layerschange, stats and the bwe trace', () => {
    const { t, consumeOnTopLayer, feed, remb, notes } = setup();
    t.traceEventTypes = ['bwe'];
    const { c, now } = consumeOnTopLayer('c');
    expect(c.currentSpatial).toBe(2);
    expect(t.bwe.availableBitrate).toBe(5_000_000);
    remb(700_000, now + 20);
    t.tick(now + 20);
    expect(c.targetSpatial).toBe(1);
    // Until layer 1's keyframe, layer 2 is no longer sent: it would only fill the bottleneck's queue.
    const before = t.sent.filter((x) => x.kind === 'rtp').length;
    feed(now + 25, false, 'r2');
    expect(t.sent.filter((x) => x.kind === 'rtp').length).toBe(before);
    expect(c.currentSpatial).toBe(2);
    feed(now + 30); // the keyframe of layer 1 switches
    expect(c.currentSpatial).toBe(1);
    const layers = notes.filter((n) => n.event === 'consumer.layerschange').map((n) => n.data);
    expect(layers.at(-1)).toEqual({ spatialLayer: 1, temporalLayer: 0 });
    const traces = notes
      .filter((n) => n.event === 'transport.trace')
      .map((n) => n.data as { info: Record<string, unknown> });
    expect(traces.length).toBeGreaterThanOrEqual(2);
    expect(traces.at(-1)?.info).toMatchObject({
      availableBitrate: 700_000,
      bweType: 'remb',
      startBitrate: 600_000,
    });
    expect(Object.keys(traces.at(-1)?.info ?? {}).sort()).toEqual(
      [
        'availableBitrate',
        'bweType',
        'desiredBitrate',
        'effectiveDesiredBitrate',
        'maxBitrate',
        'maxPaddingBitrate',
        'minBitrate',
        'startBitrate',
      ].sort(),
    );
  });

  it('a moderate drop below what the allocated layers send counts at once: the link is overrun', () => {
    const { t, consumeOnTopLayer, remb } = setup();
    const { c, now } = consumeOnTopLayer('c');
    remb(1_400_000, now + 20);
    t.tick(now + 20);
    expect(c.targetSpatial).toBe(2); // 1.2 Mbit/s fits
    // 950 k: a moderate drop (≥ 60 % of 1.4 M), which alone would be held 2 s — but below the top
    // layer's 1.2 Mbit/s (even with the 15 % keep discount): holding would fill the bottleneck's queue.
    remb(950_000, now + 40);
    t.tick(now + 40);
    expect(c.targetSpatial).toBe(1);
  });

  it('with temporal layers (L3T3): drops a temporal layer of the top stream before a spatial layer', () => {
    const { t, consume, feedTemporal, remb } = setup(true, 'L3T3');
    const c = consume('c', 5000);
    const now = performance.now();
    feedTemporal(now, 0, true);
    // Pairs: (0,2) 150 k (the lowest stream at its full frame rate only), (1,t) 300 / 500 k, (2,t) 720 k /
    // 1.2 M (above it at most one temporal layer dropped), but above the stream forwarded (none yet) the
    // full frame rate only.
    const kbps = () => c.bweLayerBitrates(now).map((b) => Math.round(b / 1000));
    expect(kbps()).toEqual([0, 0, 150, 0, 0, 500, 0, 0, 1200]);
    remb(5_000_000, now);
    t.tick(now);
    feedTemporal(now + 5, 0, true);
    expect(c.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    expect(kbps()).toEqual([0, 0, 150, 0, 300, 500, 0, 720, 1200]);
    // 900 k carries (2,1) but not (2,2) (with the 15 % discount of the layers it is on: ~1.04 M).
    remb(900_000, now + 8);
    t.tick(now + 8);
    expect(c.targetSpatial).toBe(2);
    expect(c.bweTemporalLimit).toBe(1);
    feedTemporal(now + 10, 0, true);
    expect(c.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 1 });
    expect(c.bweCurrentLayer).toBe(7);
    expect(c.dump()).toMatchObject({
      targetSpatialLayer: 2,
      targetTemporalLayer: 1,
      currentTemporalLayer: 1,
    });
    // The top stream's temporal layer 2 is not sent, 1 is.
    const sent = () => t.sent.filter((x) => x.kind === 'rtp').length;
    let before = sent();
    feedTemporal(now + 20, 2, false, 'r2');
    expect(sent()).toBe(before);
    feedTemporal(now + 30, 1, false, 'r2');
    expect(sent()).toBe(before + 1);
    // 500 k: (1,2) — the full frame rate of the middle stream — as (2,1) does not fit.
    remb(500_000, now + 40);
    t.tick(now + 40);
    expect([c.targetSpatial, c.bweSpatialLimit, c.bweTemporalLimit]).toEqual([1, 1, 2]);
    feedTemporal(now + 50, 0, true);
    expect(c.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    before = sent();
    feedTemporal(now + 60, 2, false, 'r1');
    expect(sent()).toBe(before + 1);
  });

  it('switches temporal layers at a frame start only: a frame being sent completes, picture ids continue', () => {
    const { t, consume, feedTemporal, remb } = setup(true, 'L3T3');
    const c = consume('c', 5000);
    const now = performance.now();
    feedTemporal(now, 0, true);
    remb(5_000_000, now);
    t.tick(now);
    feedTemporal(now + 5, 0, true);
    expect(c.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    const sentPictureIds = () =>
      t.sent
        .filter((x) => x.kind === 'rtp' && parseRtpPacket(x.bytes).ssrc === 5000)
        .map((x) => {
          const p = parseRtpPacket(x.bytes).payload;
          return ((p[2] & 0x7f) << 8) | p[3];
        });
    // A TL2 frame starts; the limit drops to (2,1) before its second packet: that packet goes too.
    feedTemporal(now + 20, 2, false, 'r2');
    remb(900_000, now + 21);
    t.tick(now + 21);
    expect(c.bweTemporalLimit).toBe(1);
    const before = sentPictureIds().length;
    feedTemporal(now + 22, 2, false, 'r2', false);
    expect(sentPictureIds().length).toBe(before + 1);
    expect(c.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    // The next TL2 frame is dropped (the switch happens at its start), the TL1 frame after it is sent
    // with the picture id that follows the completed frame's.
    feedTemporal(now + 30, 2, false, 'r2');
    expect(c.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 1 });
    feedTemporal(now + 40, 1, false, 'r2');
    const ids = sentPictureIds().slice(before - 1);
    expect(ids.length).toBe(3);
    expect([ids[1] - ids[0], ids[2] - ids[1]]).toEqual([0, 1]);
  });

  it('a lower preferred layer is no link limit: the current layer goes on until the lower keyframe', () => {
    const { t, consumeOnTopLayer, feed } = setup();
    const { c, now } = consumeOnTopLayer('c');
    expect(c.currentSpatial).toBe(2);
    c.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 }, now + 15);
    // The next allocation (each second) offers layer 0 only, so it limits to 0: not a bandwidth limit.
    t.tick(now + 1100);
    expect(c.bweSpatialLimit).toBe(0);
    expect(c.targetSpatial).toBe(0);
    const sentRtp = () => t.sent.filter((x) => x.kind === 'rtp').length;
    const before = sentRtp();
    feed(now + 1105, false, 'r2');
    expect(sentRtp()).toBe(before + 1);
    expect(c.currentSpatial).toBe(2);
    feed(now + 1110, true, 'r0');
    expect(c.currentSpatial).toBe(0);
  });

  it('gives the higher priority consumer the higher layer, within setMaxOutgoingBitrate', () => {
    const { t, consume, feed, remb } = setup();
    const low = consume('low', 5000);
    const high = consume('high', 6000);
    high.priority = 2;
    const now = performance.now();
    feed(now);
    remb(2_000_000, now);
    t.tick(now);
    // 150 k + 150 k, then high takes 350 k and 700 k in its turn; low's 350 k still fits: 2.0 M in all.
    expect([high.targetSpatial, low.targetSpatial]).toEqual([2, 1]);
    t.setMaxOutgoingBitrate(1_500_000);
    t.tick(now + 10);
    expect([high.targetSpatial, low.targetSpatial]).toEqual([2, 0]);
    t.setMaxOutgoingBitrate(0);
    remb(20_000_000, now + 20);
    t.tick(now + 20);
    // A rise applies once it held 2–4 s.
    expect([high.targetSpatial, low.targetSpatial]).toEqual([2, 0]);
    feed(now + 2100);
    remb(20_000_000, now + 2100);
    feed(now + 4200);
    remb(20_000_000, now + 4200);
    t.tick(now + 4200);
    expect([high.targetSpatial, low.targetSpatial]).toEqual([2, 2]);
  });

  it('sends probation padding on SSRC 1234 when the consumers want more than the estimate', () => {
    const { t, consume, feed } = setup();
    consume('c', 5000);
    let now = performance.now();
    // No feedback yet: the estimate is the initial 600 kbps, the consumer wants 1.2 Mbps.
    for (let i = 0; i < 20; i++, now += 20) {
      feed(now);
      t.tick(now);
    }
    const probation = t.sent
      .filter((x) => x.kind === 'rtp')
      .map((x) => parseRtpPacket(x.bytes))
      .filter((p) => p?.ssrc === 1234);
    expect(probation.length).toBeGreaterThan(0);
    expect(probation[0]?.payloadType).toBe(127);
    expect(probation[0]?.extensions.map((e) => e.id)).toEqual([7]);
    expect(t.bwe.probationBytesSent).toBeGreaterThan(0);
    expect(t.bwe.probationBitrate.rate(now)).toBeGreaterThan(0);
  });

  it('stamps what consumers send of a producer without transport-cc (pipe, plain): room made on receipt', () => {
    const { t, consume, feed } = setup(false);
    const c = consume('c', 5000);
    const now = performance.now();
    feed(now);
    feed(now + 1);
    const rtp = t.sent.filter((x) => x.kind === 'rtp').map((x) => parseRtpPacket(x.bytes));
    expect(rtp.length).toBeGreaterThanOrEqual(2);
    const seqs = rtp.map((p) => {
      const e = p?.extensions.find((x) => x.id === c.transportCcExtId);
      return e ? (e.value[0] << 8) | e.value[1] : -1;
    });
    expect(seqs[0]).toBeGreaterThanOrEqual(0);
    expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1)).toBe(true);
    // The producer's unnegotiated element (id 3, 0xabcd) does not leak through.
    expect(seqs).not.toContain(0xabcd);
    t.tick(now + 2);
    expect(t.bwe.active).toBe(true);
    // Only while a consumer maps it: closed, the packets go on as they came (no copy).
    const producer = t.producers.get('p');
    expect(producer?.transportCcSlotUsers).toBe(1);
    t.closeConsumer(c);
    expect(producer?.transportCcSlotUsers).toBe(0);
  });
});
