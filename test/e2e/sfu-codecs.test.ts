/**
 * Scenario 2 through the real SFU: H264 and VP9 single-stream forwarding, and
 * VP8 simulcast ×3 — A's encoder ramps all three layers (the SFU's
 * transport-cc feedback and REMB), B switches its preferred layers 2 → 0 → 2,
 * `layerschange` fires and decoding goes on.
 */
import type { ConsumerLayers } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allInbound,
  allOutbound,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  readRtcStats,
  waitForRtcStats,
} from './harness/index.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

let room: SfuRoom;

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

const videoFrames = async (page: E2ePage) =>
  allInbound(await readRtcStats(page), 'video').reduce((n, v) => n + (v.framesDecoded ?? 0), 0);

beforeAll(async () => {
  room = await startSfuRoom();
});

afterAll(async () => {
  await room?.close();
});

async function pair(tag: string): Promise<[E2ePage, E2ePage]> {
  const a = await room.session.openPage('sfu', `A-${tag}`);
  const b = await room.session.openPage('sfu', `B-${tag}`);
  await call(a, 'load', null);
  await call(b, 'load', null);
  return [a, b];
}

describe('codecs through the SFU', () => {
  for (const codec of ['video/H264', 'video/VP9', 'video/AV1'] as const) {
    it(`forwards ${codec}: B decodes ≥ 60 frames`, async () => {
      const [a, b] = await pair(codec.slice(6));
      const produced = await call(a, 'produce', { audio: false, video: true, codec });
      const producer = room.producers.get(produced[0].id)!;
      expect(producer.rtpParameters.codecs[0].mimeType.toLowerCase()).toBe(codec.toLowerCase());
      expect(producer.type).toBe('simple');
      await call(
        b,
        'consume',
        produced.map((p) => p.id),
      );
      const stats = await waitForRtcStats(
        b,
        `${codec} frames decoded`,
        (s) => allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 60),
        { timeoutMs: E2E_WAIT_MS },
      );
      expect(allInbound(stats, 'video')[0].mimeType?.toLowerCase()).toBe(codec.toLowerCase());
      await call(a, 'close', null);
      await call(b, 'close', null);
      expect([a.errors, b.errors]).toEqual([[], []]);
    });
  }

  it('VP8 simulcast ×3: all layers flow, B switches spatial layer 2 → 0 → 2 and keeps decoding', async () => {
    const [a, b] = await pair('simulcast');
    const produced = await call(a, 'produce', { audio: false, video: true, simulcast: true });
    const producer = room.producers.get(produced[0].id)!;
    expect(producer.type).toBe('simulcast');
    expect(producer.rtpParameters.encodings?.map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);

    // The SFU's feedback lets Chromium's encoder send all three layers.
    const sent = async () =>
      Object.fromEntries(allOutbound(await readRtcStats(a), 'video').map((o) => [o.rid, o.packetsSent]));
    // Each layer is flowing: its count grew by more than 5 since the previous poll.
    let previous = await sent();
    await expect
      .poll(
        async () => {
          const now = await sent();
          const flowing = ['r0', 'r1', 'r2'].filter((rid) => (now[rid] ?? 0) > (previous[rid] ?? 0) + 5);
          previous = now;
          return flowing;
        },
        { timeout: E2E_WAIT_MS, interval: 500 },
      )
      .toEqual(['r0', 'r1', 'r2']);

    await call(
      b,
      'consume',
      produced.map((p) => p.id),
    );
    const consumer = [...room.consumers.values()].find((c) => c.producerId === producer.id)!;
    expect(consumer.type).toBe('simulcast');
    expect(consumer.rtpParameters.encodings?.[0].scalabilityMode).toBe('L3T3');
    const layers: Array<ConsumerLayers | undefined> = [];
    consumer.on('layerschange', (l) => layers.push(l));
    await waitForRtcStats(
      b,
      'simulcast frames decoded',
      (s) => allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 30),
      { timeoutMs: E2E_WAIT_MS },
    );
    await expect.poll(() => consumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(2);
    const f = await videoFrames(b);
    await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(f + 20);
    const width2 = allInbound(await readRtcStats(b), 'video')[0].frameWidth ?? 0;

    await consumer.setPreferredLayers({ spatialLayer: 0 });
    expect(consumer.preferredLayers?.spatialLayer).toBe(0);
    await expect.poll(() => consumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(0);
    const f0 = await videoFrames(b);
    await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(f0 + 30);
    const width = async () => allInbound(await readRtcStats(b), 'video')[0].frameWidth ?? 0;
    await expect.poll(width, { timeout: E2E_WAIT_MS }).toBeLessThan(width2);
    const width0 = await width();

    await consumer.setPreferredLayers({ spatialLayer: 2 });
    await expect.poll(() => consumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(2);
    const f2 = await videoFrames(b);
    await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(f2 + 30);
    // Chromium may adapt each layer's resolution (CPU/bandwidth): compare with layer 0's, not an absolute.
    await expect.poll(width, { timeout: E2E_WAIT_MS }).toBeGreaterThan(width0);
    const spatials = layers.map((l) => l?.spatialLayer);
    expect(spatials).toContain(0);
    expect(spatials.lastIndexOf(2)).toBeGreaterThan(spatials.indexOf(0));
    // No freeze-count bound here: on a loaded machine Chromium's decoder freezes whatever the SFU
    // does. A switch without a keyframe would stall VP8 decoding, which the +30 frames above catch.
    expect([a.errors, b.errors]).toEqual([[], []]);
  });
});
