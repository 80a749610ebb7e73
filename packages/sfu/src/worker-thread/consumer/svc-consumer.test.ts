/**
 * An SVC consumer of a VP9 L3T3 producer, packets through a Router: it
 * syncs at a keyframe, forwards the spatial layers up to its target with
 * gapless sequence numbers, marks the end of each forwarded picture (the
 * producer's packet is left as it came), reports its layers, follows
 * `setPreferredLayers()` and the bandwidth allocation's limit, and gives the
 * allocation cumulative spatial layer bitrates.
 */
import { RtpPacketView } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { layerIndex } from '../bwe/bitrate-allocator.js';
import { Router } from '../router.js';
import { recordingTransport } from '../transport/recording-transport.test-util.js';
import { SvcConsumer } from './svc-consumer.js';

const vp9 = { mimeType: 'video/VP9', clockRate: 90000 };
const av1 = { mimeType: 'video/AV1', clockRate: 90000 };
const DD_URI = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

/**
 * An AV1 packet: one frame, its dependency descriptor (extension id 7) naming template `template`;
 * a keyframe (aggregation header N) also carries the template structure T0 T0 T1 T2 T2 (offset 10).
 */
function av1Packet(seq: number, frame: number, template: number, key = false): Buffer {
  const dd = key ? [0xc0 | template, 0, frame, 0x81, 0x42, 0x14, 0xc0] : [0xc0 | template, 0, frame];
  return av1DdPacket(seq, frame, dd, { key, marker: true });
}

/** A VP9 packet (non-flexible descriptor: I, L, B, E; 7-bit picture id; TL0PICIDX) of `size` payload bytes. */
function vp9Packet(
  seq: number,
  pic: number,
  sid: number,
  tid: number,
  o: { key?: boolean; switchUp?: boolean; marker?: boolean; size?: number } = {},
): Buffer {
  const b = Buffer.alloc(12 + 4 + (o.size ?? 20));
  b[0] = 0x80;
  b[1] = 98 | (o.marker ? 0x80 : 0);
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(pic * 3000, 4);
  b.writeUInt32BE(1, 8);
  // I, P (unless a keyframe), L, B, E; D for upper layers of a keyframe.
  b[12] = 0x80 | (o.key ? 0 : 0x40) | 0x20 | 0x08 | 0x04;
  b[13] = pic & 0x7f;
  b[14] = (tid << 5) | (o.switchUp ? 0x10 : 0) | (sid << 1) | (o.key && sid > 0 ? 1 : 0);
  b[15] = 0;
  return b;
}

function setup(scalabilityMode = 'L3T3', codec: { mimeType: string; clockRate: number } = vp9) {
  const router = new Router('r');
  const notes: Array<[string, unknown]> = [];
  const tIn = recordingTransport('in', router);
  const tOut = recordingTransport('out', router, (event, _id, data) => notes.push([event, data]));
  router.addTransport(tIn);
  router.addTransport(tOut);
  tIn.produce({
    transportId: 'in',
    producerId: 'p',
    kind: 'video',
    rtpParameters: {
      codecs: [{ ...codec, payloadType: 98 }],
      encodings: [{ ssrc: 1, scalabilityMode }],
      headerExtensions: [{ uri: DD_URI, id: 7 }],
      rtcp: { cname: 'x' },
    },
    rtpMapping: { codecs: [{ payloadType: 98, mappedPayloadType: 101 }], encodings: [{ mappedSsrc: 11 }] },
    paused: false,
  });
  tOut.consume(
    {
      transportId: 'out',
      consumerId: 'c',
      producerId: 'p',
      kind: 'video',
      rtpParameters: {
        codecs: [{ ...codec, payloadType: 101 }],
        encodings: [{ ssrc: 5000, scalabilityMode }],
        headerExtensions: [{ uri: DD_URI, id: 3 }],
        rtcp: { cname: 'x' },
      },
      paused: false,
      ignoreDtx: false,
      pipe: false,
      consumableRtpEncodings: [],
    },
    0,
  );
  const consumer = router.consumers.get('c') as SvcConsumer;
  let seq = 1000;
  let pic = 0;
  /** Sends one L3 picture of temporal layer `tid` (one packet per spatial layer); returns its packets. */
  const sendPicture = (tid: number, o: { key?: boolean; switchUp?: boolean } = {}, nowMs = pic * 33) => {
    const pkts = [0, 1, 2].map((sid) => vp9Packet(seq++, pic, sid, tid, { ...o, marker: sid === 2 }));
    for (const p of pkts) tIn.receiveRtp(p, p.length, nowMs);
    pic++;
    return pkts;
  };
  const out = () => tOut.sent.filter((s) => s.kind === 'rtp').map((s) => s.bytes);
  const send = (p: Buffer, nowMs: number) => tIn.receiveRtp(p, p.length, nowMs);
  return { consumer, notes, sendPicture, out, send };
}

/** Spatial layer, output seq and marker of each packet sent. */
const described = (pkts: Buffer[]) =>
  pkts.map((b) => {
    // The VP9 descriptor's layer byte, after the (empty) extension block the receiving transport added.
    const layers = b[payloadOffset(b) + 2];
    return `S${(layers >> 1) & 7}T${layers >> 5} ${b.readUInt16BE(2)}${b[1] & 0x80 ? ' M' : ''}`;
  });

function payloadOffset(b: Buffer): number {
  const v = new RtpPacketView();
  if (!v.wrap(b, b.length)) throw new Error('not RTP');
  return v.payloadOffset;
}

describe('SvcConsumer (VP9)', () => {
  it('syncs at a keyframe, forwards up to the preferred spatial layer gapless, marks the picture end', () => {
    const { consumer, notes, sendPicture, out } = setup();
    expect(consumer).toBeInstanceOf(SvcConsumer);
    consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 0 }, 0);
    expect(consumer.currentLayers).toBeUndefined();
    sendPicture(0); // before any keyframe: nothing
    const key = sendPicture(0, { key: true });
    sendPicture(2, { switchUp: true }); // temporal layer above the preferred one: dropped
    sendPicture(0);
    const sent = out();
    const first = sent[0].readUInt16BE(2);
    expect(described(sent)).toEqual([
      `S0T0 ${first}`,
      `S1T0 ${first + 1} M`,
      `S0T0 ${first + 2}`,
      `S1T0 ${first + 3} M`,
    ]);
    expect(new Set(sent.map((b) => b.readUInt32BE(8)))).toEqual(new Set([5000]));
    // The producer's packets are left as they came for other consumers.
    expect(key[1][1] & 0x80).toBe(0);
    expect(key[2][1] & 0x80).toBe(0x80);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
    expect(notes.filter(([e]) => e === 'consumer.layerschange').map(([, d]) => d)).toEqual([
      { spatialLayer: 1, temporalLayer: 0 },
    ]);
    expect(consumer.dump()).toMatchObject({
      type: 'svc',
      preferredSpatialLayer: 1,
      targetSpatialLayer: 1,
      currentSpatialLayer: 1,
      preferredTemporalLayer: 0,
      targetTemporalLayer: 0,
      currentTemporalLayer: 0,
    });
  });

  it('setPreferredLayers 2 → 0 → 2: down at once (full SVC), up at the next keyframe', () => {
    const { consumer, notes, sendPicture, out } = setup();
    sendPicture(0, { key: true });
    expect(consumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 0 });
    sendPicture(1, { switchUp: true });
    expect(consumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 1 });
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 }, 100);
    const before = out().length;
    sendPicture(0);
    expect(consumer.currentLayers?.spatialLayer).toBe(0);
    consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }, 200);
    sendPicture(0);
    expect(consumer.currentLayers?.spatialLayer).toBe(0);
    sendPicture(0, { key: true });
    expect(consumer.currentLayers?.spatialLayer).toBe(2);
    const sent = out().slice(before);
    expect(described(sent).map((d) => d.replace(/ \d+/, ''))).toEqual([
      'S0T0 M',
      'S0T0 M',
      'S0T0',
      'S1T0',
      'S2T0 M',
    ]);
    // Gapless over everything dropped.
    const seqs = out().map((b) => b.readUInt16BE(2));
    expect(seqs.slice(1).map((s, i) => (s - seqs[i]) & 0xffff)).toEqual(seqs.slice(1).map(() => 1));
    expect(notes.filter(([e]) => e === 'consumer.layerschange').map(([, d]) => d)).toEqual([
      { spatialLayer: 2, temporalLayer: 0 },
      { spatialLayer: 2, temporalLayer: 1 },
      { spatialLayer: 0, temporalLayer: 1 },
      { spatialLayer: 2, temporalLayer: 0 },
    ]);
  });

  it('gives the allocation cumulative (spatial, temporal) bitrates and follows its pair', () => {
    const { consumer, sendPicture, out } = setup('L3T3_KEY');
    // Pattern T0 T2 T1 T2, equal packets: per spatial layer T0, T1, T2 carry 1 : 1 : 2.
    const tids = [0, 2, 1, 2];
    sendPicture(0, { key: true }, 0);
    for (let i = 1; i < 20; i++) sendPicture(tids[i % 4], { switchUp: true }, i * 33);
    const rates = consumer.bweLayerBitrates(700);
    // (s, t) needs spatial layers 0..s at temporal layers 0..t; above spatial layer 0, at most one
    // temporal layer dropped (on the spatial layer it forwards, 2, or below).
    expect(rates.map((r) => r / rates[0])).toEqual([1, 2, 4, 0, 4, 8, 0, 6, 12]);
    expect(consumer.bweCurrentLayer).toBe(layerIndex(2, 2, 3));
    consumer.setBweLayer(layerIndex(1, 1, 3), 700);
    expect(consumer.dump()).toMatchObject({ targetSpatialLayer: 1, targetTemporalLayer: 1 });
    // Spatial down at the end of a layer 1 frame, temporal down at the end of a T1 frame; no keyframe.
    sendPicture(0, {}, 710);
    sendPicture(2, {}, 743);
    sendPicture(1, {}, 776);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });
    expect(consumer.bweCurrentLayer).toBe(layerIndex(1, 1, 3));
    // Above the spatial layer it forwards, only the full frame rate is offered.
    const offered = consumer.bweLayerBitrates(790).map((r) => r > 0);
    expect(offered).toEqual([true, true, true, false, true, true, false, false, true]);
    const before = out().length;
    sendPicture(2, {}, 809);
    sendPicture(0, {}, 842);
    expect(described(out().slice(before)).map((d) => d.replace(/ \d+/, ''))).toEqual(['S0T0', 'S1T0 M']);
    consumer.setBweLayer(-1, 900);
    expect(consumer.dump()).toMatchObject({
      targetSpatialLayer: 2,
      targetTemporalLayer: 2,
      currentSpatialLayer: 1,
    });
  });

  it('K-SVC setPreferredLayers down: at the next frame end, without asking the producer for a keyframe', () => {
    const { consumer, sendPicture, out } = setup('L3T3_KEY');
    sendPicture(0, { key: true });
    const sent = out().length;
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 }, 100);
    sendPicture(0);
    expect(consumer.currentLayers?.spatialLayer).toBe(0);
    expect(out().length).toBe(sent + 1);
    expect(consumer.dump()).toMatchObject({ targetSpatialLayer: 0, currentSpatialLayer: 0 });
  });
});

describe('SvcConsumer (AV1 L1T3, dependency descriptor)', () => {
  it('drops temporal layers above the preferred one by its templates, gapless; up at a T0 frame start, down at a target-layer frame end', () => {
    const { consumer, out, send } = setup('L1T3', av1);
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 }, 0);
    // Templates 10, 11: T0; 12: T1; 13, 14: T2. Pattern T0 T2 T1 T2.
    const pattern = [10, 13, 12, 14];
    let seq = 500;
    let frame = 0;
    const sendFrames = (n: number, key = false) => {
      for (let i = 0; i < n; i++) {
        const template = pattern[frame % 4];
        send(av1Packet(seq++, frame, template, key && i === 0), frame * 33);
        frame++;
      }
    };
    sendFrames(1); // no keyframe yet: nothing
    frame = 4;
    sendFrames(8, true);
    const tids = () => out().map((b) => b[b.length - 1]);
    expect(tids()).toEqual([10, 10]);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 }, 400);
    sendFrames(2); // T0 T2: up at the T0 frame start
    sendFrames(2); // T1 T2
    expect(tids().slice(2)).toEqual([10, 13, 12, 14]);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 1 }, 600);
    sendFrames(4); // T0 T2 T1 T2: down at the end of the T1 frame
    expect(tids().slice(6)).toEqual([10, 13, 12]);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 1 });
    const seqs = out().map((b) => b.readUInt16BE(2));
    expect(seqs.slice(1).map((x, i) => (x - seqs[i]) & 0xffff)).toEqual(seqs.slice(1).map(() => 1));
  });
});

/**
 * A dependency descriptor's bytes: the mandatory fields and, with `layers`, a template dependency
 * structure (offset 0) with those templates' (spatial, temporal) layers — the part the consumer reads.
 */
function ddBytes(template: number, frame: number, end: boolean, layers?: Array<[number, number]>): number[] {
  const head = [0x80 | (end ? 0x40 : 0) | template, frame >> 8, frame & 0xff];
  if (!layers) return head;
  const bits: number[] = [1, 0, 0, 0, 0]; // structure present, no active-targets / custom fields
  const put = (v: number, n: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push((v >> i) & 1);
  };
  put(0, 6); // template id offset
  put(layers.length - 1, 5); // decode targets (any count; not read)
  layers.forEach(([sid, tid], i) => {
    const next = layers[i + 1];
    put(!next ? 3 : next[0] > sid ? 2 : next[1] > tid ? 1 : 0, 2);
  });
  while (bits.length % 8) bits.push(0);
  const out = [...head];
  for (let i = 0; i < bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  return out;
}

/** An AV1 packet (one OBU element; aggregation header N on a keyframe) with dependency descriptor `dd` (id 7). */
function av1DdPacket(
  seq: number,
  frame: number,
  dd: number[],
  o: { key?: boolean; marker?: boolean } = {},
): Buffer {
  const words = Math.ceil((1 + dd.length) / 4);
  const b = Buffer.alloc(12 + 4 + words * 4 + 10);
  b[0] = 0x90;
  b[1] = 98 | (o.marker ? 0x80 : 0);
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(frame * 3000, 4);
  b.writeUInt32BE(1, 8);
  b.writeUInt16BE(0xbede, 12);
  b.writeUInt16BE(words, 14);
  b[16] = (7 << 4) | (dd.length - 1);
  Buffer.from(dd).copy(b, 17);
  b[16 + words * 4] = o.key ? 0x18 : 0x10;
  b[b.length - 1] = dd[0] & 0x3f; // the template, for the test to tell frames apart
  return b;
}

describe('SvcConsumer (AV1 L3T3, dependency descriptor)', () => {
  // Templates 0..8: S0T0 S0T1 S0T2 S1T0 S1T1 S1T2 S2T0 S2T1 S2T2 (template = 3 * sid + tid).
  const LAYERS: Array<[number, number]> = [0, 1, 2].flatMap((s) =>
    [0, 1, 2].map((t): [number, number] => [s, t]),
  );

  function av1Setup() {
    const { consumer, out, send } = setup('L3T3', av1);
    let seq = 2000;
    let frame = 0;
    /** One temporal unit of temporal layer `tid`: one packet per spatial layer frame. */
    const sendUnit = (tid: number, key = false) => {
      for (let sid = 0; sid < 3; sid++) {
        const dd = ddBytes(3 * sid + tid, frame, true, key && sid === 0 ? LAYERS : undefined);
        send(av1DdPacket(seq++, frame, dd, { key: key && sid === 0, marker: sid === 2 }), frame * 33);
      }
      frame++;
    };
    /** Template (= layers), marker of each packet sent; sequence numbers must be gapless. */
    const sent = () => {
      const pkts = out();
      const seqs = pkts.map((b) => b.readUInt16BE(2));
      expect(seqs.map((x) => x - seqs[0])).toEqual(seqs.map((_, i) => i));
      return pkts.map((b) => {
        const template = b[b.length - 1];
        return `S${Math.floor(template / 3)}T${template % 3}${b[1] & 0x80 ? ' M' : ''}`;
      });
    };
    return { consumer, sendUnit, sent, out };
  }

  it('drops spatial layers above the target by the frame templates, marks the forwarded picture end', () => {
    const { consumer, sendUnit, sent, out } = av1Setup();
    expect(consumer.type).toBe('svc');
    consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 2 }, 0);
    sendUnit(0); // before the keyframe: nothing
    sendUnit(0, true);
    sendUnit(2);
    expect(sent()).toEqual(['S0T0', 'S1T0 M', 'S0T2', 'S1T2 M']);
    // The descriptor goes out as it came, under the consumer's extension id (3).
    const first = out()[0];
    expect(first[16]).toBe((3 << 4) | (ddBytes(0, 0, true, LAYERS).length - 1));
    expect([...first.subarray(17, 20)]).toEqual(ddBytes(0, 1, true).slice(0, 3));
    expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    expect(consumer.dump()).toMatchObject({ currentSpatialLayer: 1, currentTemporalLayer: 2 });
  });

  it('down a spatial layer at the end of a target-layer frame; up only at a keyframe; temporal at a T0 frame', () => {
    const { consumer, sendUnit, sent } = av1Setup();
    consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }, 0);
    sendUnit(0, true);
    expect(sent()).toEqual(['S0T0', 'S1T0', 'S2T0 M']);
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 }, 100);
    sendUnit(2); // down to S0 at its frame end; T2 above the target until a T0 frame ends
    sendUnit(1);
    sendUnit(0);
    sendUnit(2);
    expect(sent().slice(3)).toEqual(['S0T2 M', 'S0T1 M', 'S0T0 M']);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }, 200);
    sendUnit(2); // no keyframe, no T0 frame: nothing up
    sendUnit(0); // a T0 frame: all temporal layers, still spatial layer 0
    sendUnit(2);
    expect(sent().slice(6)).toEqual(['S0T0 M', 'S0T2 M']);
    sendUnit(0, true);
    expect(sent().slice(8)).toEqual(['S0T0', 'S1T0', 'S2T0 M']);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });
});

describe('SvcConsumer (VP8 L1T3: one encoding with temporal layers)', () => {
  it('drops temporal layers above the preferred one (the base rule), gapless', () => {
    const { consumer, out, send } = setup('L1T3', { mimeType: 'video/VP8', clockRate: 90000 });
    expect(consumer.type).toBe('svc');
    consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 }, 0);
    const tids = [0, 2, 1, 2, 0, 2, 1, 2];
    tids.forEach((tid, i) => {
      const b = Buffer.alloc(12 + 4 + 10);
      b[0] = 0x80;
      b[1] = 98;
      b.writeUInt16BE(700 + i, 2);
      b.writeUInt32BE(i * 3000, 4);
      b.writeUInt32BE(1, 8);
      // VP8 descriptor: X, S, PID 0; T; TID, Y; then the payload header (bit 0 clear: keyframe).
      b[12] = 0x90;
      b[13] = 0x20;
      b[14] = (tid << 6) | 0x20;
      b[15] = i === 0 ? 0x00 : 0x01;
      b[b.length - 1] = tid;
      send(b, i * 33);
    });
    const sent = out();
    expect(sent.map((b) => b[b.length - 1])).toEqual([0, 0]);
    expect(sent.map((b) => b.readUInt16BE(2) - sent[0].readUInt16BE(2))).toEqual([0, 1]);
    expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
  });
});
