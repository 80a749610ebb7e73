/**
 * SVC through the SFU with real peers: page A (Chromium + mediasoup-client)
 * produces one VP9 (or AV1, with the dependency descriptor) encoding with
 * `scalabilityMode: 'L3T3_KEY'`, page B consumes it; the consumer is of type
 * `svc`. Both pages run in a network
 * namespace whose SFU → browser direction can be shaped (harness/
 * bottleneck-netns.ts, named `svc…`; creating it fails the test, never skips).
 * 1. Open link, VP9 and AV1: B's preferred layers 2 → 0 → 2: `currentLayers` and
 *    `layerschange` follow, B's frame width drops and comes back, frames keep
 *    decoding; temporal layer 0 only: B decodes at a lower frame rate, and
 *    back at temporal layer 2.
 * 2. VP9, 600 kbit/s on B's link: a lower layer within 10 s (a lower spatial layer,
 *    or the top one without its upper temporal layer), frames keep
 *    decoding and at most 2 freezes over 30 s beyond those of C, a control
 *    consumer of the same producer on an unlimited link (CPU starvation, as in
 *    sfu-bwe.test.ts); lifted: the top layer again within 15 s.
 * The samples go to dist/svc-throttle.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer, ConsumerLayers, WebRtcTransport } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BottleneckNetns } from './harness/bottleneck-netns.js';
import { chromiumPath } from './harness/browser.js';
import {
  allInbound,
  allOutbound,
  callPage,
  E2E_DIR,
  E2E_WAIT_MS,
  type E2ePage,
  readRtcStats,
  waitForRtcStats,
} from './harness/index.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const LIMIT_KBIT = 600;
const LIMITED_MS = 30_000;
// Chromium sends three spatial layers only when the lowest is at least 240×135. The fake camera's
// picture (≈ 1.1 Mbit/s for the three layers): with sfu-bwe.test.ts's noise video B received the top
// layer's frames but dropped most undecoded (framesDropped, a PLI every ~3 s) on this loaded 2-core
// machine, on an open link and without loss — not seen with the fake camera; not explained yet.
const SIZE = { width: 960, height: 540 };

let room: SfuRoom | undefined;
const netns = new BottleneckNetns(process.pid, 'svc', 214);

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

beforeAll(async () => {
  mkdirSync(join(E2E_DIR, 'dist'), { recursive: true });
  netns.create(chromiumPath());
  room = await startSfuRoom({
    listenIp: netns.hostIp,
    browserExecutablePath: netns.chromiumWrapper,
  });
  await netns.forwardPageServer(Number(new URL(room.session.server.origin).port));
}, 120_000);

afterAll(async () => {
  await room?.close();
  netns.close();
  rmSync(netns.chromiumWrapper, { force: true });
});

type SvcCodec = 'video/VP9' | 'video/AV1';

/** A produces `codec` L3T3_KEY, B consumes it: the consumer, B's receive transport, B's stats readers. */
async function svcPair(tag: string, codec: SvcCodec = 'video/VP9') {
  const r = room as SfuRoom;
  const a = await r.session.openPage('sfu', `A-${tag}`);
  const b = await r.session.openPage('sfu', `B-${tag}`);
  await call(a, 'load', null);
  await call(b, 'load', null);
  const produced = await call(a, 'produce', {
    audio: false,
    video: true,
    codec,
    scalabilityMode: 'L3T3_KEY',
    ...SIZE,
  });
  const producer = r.producers.get(produced[0].id);
  expect(producer?.type).toBe('svc');
  expect(producer?.rtpParameters.encodings?.[0].scalabilityMode).toBe('L3T3_KEY');
  await call(b, 'consume', [produced[0].id]);
  const consumer = [...r.consumers.values()].find((c) => c.producerId === produced[0].id) as Consumer;
  expect(consumer.type).toBe('svc');
  expect(consumer.rtpParameters.codecs[0].mimeType).toBe(codec);
  // AV1: the dependency descriptor goes to B (without it Chromium decodes no frame of L3T3_KEY).
  if (codec === 'video/AV1') {
    const uris = consumer.rtpParameters.headerExtensions?.map((e) => e.uri) ?? [];
    expect(uris).toContain(
      'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
    );
  }
  const layers: Array<ConsumerLayers | undefined> = [];
  consumer.on('layerschange', (l) => layers.push(l));
  const ssrc = consumer.rtpParameters.encodings?.[0].ssrc;
  // B also has mediasoup-client's probator receiver: pick the consumer's stream.
  const inbound = async () => allInbound(await readRtcStats(b), 'video').find((v) => v.ssrc === ssrc);
  const received = async () => {
    const v = await inbound();
    return {
      framesReceived: v?.framesReceived,
      framesDropped: v?.framesDropped,
      keyFramesDecoded: v?.keyFramesDecoded,
      pliCount: v?.pliCount,
      nackCount: v?.nackCount,
      packetsLost: v?.packetsLost,
    };
  };
  const frames = async () => (await inbound())?.framesDecoded ?? 0;
  const freezes = async () => (await inbound())?.freezeCount ?? 0;
  const width = async () => (await inbound())?.frameWidth ?? 0;
  const recv = [...r.transports.values()].find((t) => t.peer === `B-${tag}` && t.direction === 'recv')
    ?.transport as WebRtcTransport;
  await waitForRtcStats(
    b,
    `${codec} SVC frames decoded`,
    (s) => allInbound(s, 'video').some((v) => v.ssrc === ssrc && (v.framesDecoded ?? 0) >= 30),
    { timeoutMs: E2E_WAIT_MS },
  );
  return { r, a, b, producerId: produced[0].id, consumer, layers, frames, freezes, width, recv, received };
}

describe('SVC (L3T3_KEY) through the SFU', () => {
  it.each(['video/VP9', 'video/AV1'] as const)(
    '%s svc consumer: preferred spatial layer 2 → 0 → 2, width follows, frames keep decoding',
    async (codec) => {
      const tag = codec === 'video/VP9' ? 'svc' : 'svcav1';
      const { a, b, consumer, layers, frames, width, recv } = await svcPair(tag, codec);
      const diag: unknown[] = [];
      const record = async () => {
        const [ts] = await recv.getStats();
        const out = allOutbound(await readRtcStats(a), 'video')[0];
        const d = (await consumer.dump()) as { targetSpatialLayer?: number; currentSpatialLayer?: number };
        diag.push({
          target: d.targetSpatialLayer,
          current: d.currentSpatialLayer,
          bwe: ts.availableOutgoingBitrate,
          sentWidth: out?.frameWidth,
          sentMode: out?.scalabilityMode,
          limitation: out?.qualityLimitationReason,
          frames: await frames(),
        });
        return consumer.currentLayers?.spatialLayer;
      };
      try {
        await expect.poll(() => consumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(2);
        const f = await frames();
        await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f + 20);
        const width2 = await width();

        await consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 });
        expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
        await expect.poll(() => consumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(0);
        await expect.poll(width, { timeout: E2E_WAIT_MS }).toBeLessThan(width2);
        const f0 = await frames();
        await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f0 + 30);
        const width0 = await width();

        await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
        await expect.poll(record, { timeout: E2E_WAIT_MS, interval: 1000 }).toBe(2);
        await expect.poll(width, { timeout: E2E_WAIT_MS }).toBeGreaterThan(width0);
        const f2 = await frames();
        await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f2 + 30);
        const spatials = layers.map((l) => l?.spatialLayer);
        expect(spatials).toContain(0);
        expect(spatials.lastIndexOf(2)).toBeGreaterThan(spatials.indexOf(0));

        // Temporal layer 0 only (a quarter of the frames, picture ids with gaps): B keeps decoding.
        const rate = async () => {
          const [f1, t1] = [await frames(), Date.now()];
          await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f1 + 15);
          const [f2b, t2] = [await frames(), Date.now()];
          return ((f2b - f1) * 1000) / (t2 - t1);
        };
        const fpsT2 = await rate();
        await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 0 });
        await expect.poll(() => consumer.currentLayers?.temporalLayer, { timeout: E2E_WAIT_MS }).toBe(0);
        await rate(); // the switch
        const fpsT0 = await rate();
        // Decoding at a lower rate: a quarter of the frames, unless the machine slowed the decoder more.
        expect(fpsT0).toBeLessThan(fpsT2);
        await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
        await expect.poll(() => consumer.currentLayers?.temporalLayer, { timeout: E2E_WAIT_MS }).toBe(2);
        const f3 = await frames();
        await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f3 + 30);
        writeFileSync(
          join(E2E_DIR, 'dist', `${tag}-layers.json`),
          `${JSON.stringify({ width2, width0, fpsT2, fpsT0, layers, score: consumer.score })}\n`,
        );
      } catch (error) {
        await record();
        writeFileSync(
          join(E2E_DIR, 'dist', `${tag}-layers-failed.json`),
          `${JSON.stringify({ layers, diag }, null, 1)}\n`,
        );
        throw error;
      }
      await call(a, 'close', null);
      await call(b, 'close', null);
      expect([a.errors, b.errors]).toEqual([[], []]);
    },
  );

  it(`VP9 ${LIMIT_KBIT} kbit/s → lower layer within 10 s, ≤ 2 freezes over 30 s; lifted → top spatial layer within 15 s`, async () => {
    const { r, a, b, producerId, consumer, frames, freezes, width, recv, received } = await svcPair('svcbwe');
    // The control: C consumes the same producer on an unlimited link at spatial layer 1; the freezes it
    // counts come from a CPU-starved machine (the 2-core CI box), not from the link (see sfu-bwe.test.ts).
    const c = await r.session.openPage('sfu', 'C-svcbwe');
    await call(c, 'load', null);
    await call(c, 'consume', [producerId]);
    const control = [...r.consumers.values()].find(
      (x) => x.producerId === producerId && x !== consumer,
    ) as Consumer;
    await control.setPreferredLayers({ spatialLayer: 1 });
    const controlSsrc = control.rtpParameters.encodings?.[0].ssrc;
    const controlInbound = async () =>
      allInbound(await readRtcStats(c), 'video').find((v) => v.ssrc === controlSsrc);
    await expect.poll(() => recv.iceSelectedTuple !== undefined, { timeout: E2E_WAIT_MS }).toBe(true);
    const selected = recv.iceSelectedTuple;
    if (!selected?.remotePort) throw new Error('no selected tuple');
    netns.shapeUdpFlow(selected.localPort, selected.remotePort);
    const t0 = Date.now();
    const samples: Array<{
      t: number;
      phase: string;
      spatialLayer: number;
      temporalLayer: number;
      frames: number;
      freezes: number;
      width: number;
      bwe: number;
      sendBitrate: number;
      controlFrames: number;
      controlFreezes: number;
      received: Record<string, number | undefined>;
    }> = [];
    let phase = 'open';
    const below = (x: { spatialLayer: number; temporalLayer: number }) =>
      x.spatialLayer >= 0 && (x.spatialLayer < 2 || x.temporalLayer < 2);
    const top = (x: { spatialLayer: number; temporalLayer: number }) =>
      x.spatialLayer === 2 && x.temporalLayer === 2;
    const sample = async () => {
      const [ts] = await recv.getStats();
      const ci = await controlInbound();
      const s = {
        t: (Date.now() - t0) / 1000,
        phase,
        spatialLayer: consumer.currentLayers?.spatialLayer ?? -1,
        temporalLayer: consumer.currentLayers?.temporalLayer ?? -1,
        frames: await frames(),
        freezes: await freezes(),
        width: await width(),
        bwe: ts.availableOutgoingBitrate ?? 0,
        sendBitrate: ts.sendBitrate,
        controlFrames: ci?.framesDecoded ?? 0,
        controlFreezes: ci?.freezeCount ?? 0,
        received: await received(),
      };
      samples.push(s);
      return s;
    };
    try {
      await expect.poll(async () => top(await sample()), { timeout: E2E_WAIT_MS, interval: 500 }).toBe(true); // the top layers, (2, 2): only then does a lower one show the limit
      // The three layers need more than the limit (else it would change nothing).
      await expect
        .poll(async () => (await sample()).sendBitrate, { timeout: E2E_WAIT_MS, interval: 500 })
        .toBeGreaterThan(LIMIT_KBIT * 1000 * 1.2);
      // ... and B shows it: as wide as anything it decoded (B's first frames may be the top layer's,
      // before the allocation held it at layer 1: seen 960 px at layer 1, then 480 px).
      const widest = Math.max(...samples.map((x) => x.width));
      await expect
        .poll(async () => (await sample()).width, { timeout: E2E_WAIT_MS, interval: 500 })
        .toBeGreaterThanOrEqual(widest);
      netns.setLimit(LIMIT_KBIT);
      phase = 'limited';
      const limitedAt = Date.now();
      // A lower layer: a lower spatial layer, or the top one at a lower frame rate (the allocation
      // drops a temporal layer before a spatial one).
      await expect.poll(async () => below(await sample()), { timeout: 10_000, interval: 500 }).toBe(true);
      const lowered = (Date.now() - limitedAt) / 1000;
      // 30 s on the limited link: frames keep coming in every 5 s window.
      const start = samples[samples.length - 1];
      let windowStart = start;
      while (Date.now() - limitedAt < LIMITED_MS) {
        const s = await sample();
        if (s.t - windowStart.t >= 5) {
          expect(s.frames, `frames decoded from ${windowStart.t} s to ${s.t} s`).toBeGreaterThan(
            windowStart.frames + 10,
          );
          windowStart = s;
        }
        const next = Date.now() + 500; // the sampling period (a measurement, not a wait for a condition)
        await expect.poll(() => Date.now() >= next, { interval: 100 }).toBe(true);
      }
      const end = samples[samples.length - 1];
      const limited = samples.filter((s) => s.phase === 'limited' && s.t - (limitedAt - t0) / 1000 > 10);
      expect(limited.filter((s) => !below(s))).toEqual([]);
      // Freezes counted from when B shows a lower layer (its frame width drops, as in sfu-bwe.test.ts;
      // a temporal layer dropped shows at once): at most 2 from the link, beyond those C had meanwhile.
      const atLimit = samples.find((x) => x.phase === 'limited') ?? start;
      const topWidth = Math.max(...samples.filter((x) => x.phase === 'open').map((x) => x.width));
      const shown = samples.find(
        (x) =>
          x.phase === 'limited' &&
          ((x.spatialLayer < 2 && x.width > 0 && x.width < topWidth) ||
            (x.spatialLayer === 2 && x.temporalLayer < 2)),
      );
      expect(shown, 'B shows a lower layer').toBeDefined();
      const shownAt = shown ?? start;
      const controlFreezes = end.controlFreezes - shownAt.controlFreezes;
      expect(end.controlFrames, 'C decodes').toBeGreaterThan(shownAt.controlFrames);
      expect(end.freezes - shownAt.freezes).toBeLessThanOrEqual(2 + controlFreezes);
      netns.setLimit(0);
      phase = 'lifted';
      const liftedAt = Date.now();
      await expect
        .poll(async () => (await sample()).spatialLayer, { timeout: 15_000, interval: 500 })
        .toBe(2);
      const raised = (Date.now() - liftedAt) / 1000;
      const f = (await sample()).frames;
      await expect
        .poll(async () => (await sample()).frames, { timeout: E2E_WAIT_MS })
        .toBeGreaterThan(f + 30);
      writeFileSync(
        join(E2E_DIR, 'dist', 'svc-throttle.json'),
        `${JSON.stringify(
          {
            limitKbit: LIMIT_KBIT,
            loweredAfterS: lowered,
            raisedAfterS: raised,
            shownAfterS: shownAt.t - atLimit.t,
            freezesBeforeSwitch: shownAt.freezes - atLimit.freezes,
            freezesAfterSwitch: end.freezes - shownAt.freezes,
            controlFreezesAfterSwitch: controlFreezes,
            samples,
          },
          null,
          1,
        )}\n`,
      );
    } catch (error) {
      writeFileSync(
        join(E2E_DIR, 'dist', 'svc-throttle-failed.json'),
        `${JSON.stringify({ samples, tc: netns.shapedClassStats() }, null, 1)}\n`,
      );
      throw error;
    } finally {
      netns.setLimit(0);
    }
    await call(a, 'close', null);
    await call(b, 'close', null);
    await call(c, 'close', null);
    expect([a.errors, b.errors, c.errors]).toEqual([[], [], []]);
  });
});
