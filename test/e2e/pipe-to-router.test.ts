/**
 * `router.pipeToRouter()` with real peers: page A produces opus + VP8
 * simulcast ×3 on router A (worker 1); both producers are piped to router B
 * (worker 2) over a PipeTransport pair (UDP on 127.0.0.1); page B consumes
 * them from router B. B decodes, the simulcast layer switches at B, a pause
 * on A stops B's frames, and closing A's producer fires `producerclose` at
 * B's consumer. Run twice: the pipe over UDP on 127.0.0.1 (as mediasoup), and
 * over shared memory (tsfu's `tsfuSharedMemory`: PacketRings between the two
 * worker threads).
 */
import type { Consumer, ConsumerLayers } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allInbound,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  readRtcStats,
  waitForRtcStats,
} from './harness/index.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

const videoFrames = async (page: E2ePage) =>
  allInbound(await readRtcStats(page), 'video').reduce((n, v) => n + (v.framesDecoded ?? 0), 0);

for (const sharedMemory of [false, true])
  describe(`pipeToRouter across two workers${sharedMemory ? ', over shared memory' : ''}`, () => {
    let room: SfuRoom;

    beforeAll(async () => {
      room = await startSfuRoom({ workerCount: 2, routerOf: (peer) => (peer === 'B' ? 1 : 0) });
    });

    afterAll(async () => {
      await room?.close();
    });

    it('B decodes A through the pipe; layers switch at B; pause and close reach B', async () => {
      const [routerA, routerB] = room.routers;
      const a = await room.session.openPage('sfu', 'A');
      const b = await room.session.openPage('sfu', 'B');
      await call(a, 'load', null);
      await call(b, 'load', null);
      const produced = await call(a, 'produce', { audio: true, video: true, simulcast: true });
      const video = room.producers.get(produced.find((p) => p.kind === 'video')!.id)!;
      const audio = room.producers.get(produced.find((p) => p.kind === 'audio')!.id)!;
      expect(video.type).toBe('simulcast');

      const pipes = [];
      for (const p of [audio, video])
        pipes.push(
          await routerA.pipeToRouter({ producerId: p.id, router: routerB, tsfuSharedMemory: sharedMemory }),
        );
      // One PipeTransport pair for both producers; the pipe consumer carries every simulcast stream.
      expect((await routerA.dump()).transportIds).toHaveLength(2);
      const [, videoPipe] = pipes;
      expect(videoPipe.pipeProducer?.id).toBe(video.id);
      expect(videoPipe.pipeConsumer?.type).toBe('pipe');
      expect(videoPipe.pipeConsumer?.rtpParameters.encodings).toHaveLength(3);
      expect(videoPipe.pipeProducer?.type).toBe('simulcast');

      await call(
        b,
        'consume',
        produced.map((p) => p.id),
      );
      const consumerOf = (producerId: string) =>
        [...room.consumers.values()].find((c) => c.producerId === producerId) as Consumer;
      const videoConsumer = consumerOf(video.id);
      expect(videoConsumer.type).toBe('simulcast');
      const stats = await waitForRtcStats(
        b,
        'frames decoded and audio arriving through the pipe',
        (s) =>
          allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 60) &&
          allInbound(s, 'audio').some((x) => x.packetsReceived >= 50),
        { timeoutMs: E2E_WAIT_MS },
      );
      const audioPackets = allInbound(stats, 'audio')[0].packetsReceived;
      await waitForRtcStats(
        b,
        'audio growing',
        (s) => allInbound(s, 'audio').some((x) => x.packetsReceived > audioPackets + 20),
        { timeoutMs: E2E_WAIT_MS },
      );

      // Simulcast layers switch at B (the pipe carries all three).
      const layers: Array<ConsumerLayers | undefined> = [];
      videoConsumer.on('layerschange', (l) => layers.push(l));
      await expect.poll(() => videoConsumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(2);
      await videoConsumer.setPreferredLayers({ spatialLayer: 0 });
      await expect.poll(() => videoConsumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(0);
      const f0 = await videoFrames(b);
      await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(f0 + 20);
      await videoConsumer.setPreferredLayers({ spatialLayer: 2 });
      await expect.poll(() => videoConsumer.currentLayers?.spatialLayer, { timeout: E2E_WAIT_MS }).toBe(2);
      expect(layers.map((l) => l?.spatialLayer)).toEqual(expect.arrayContaining([0, 2]));

      // Pause on A: B's consumer hears producerpause and forwards nothing while A keeps sending.
      const events: string[] = [];
      videoConsumer.on('producerpause', () => events.push('producerpause'));
      videoConsumer.on('producerresume', () => events.push('producerresume'));
      const producerPackets = async () => (await video.getStats()).reduce((n, s) => n + s.packetCount, 0);
      const consumerPackets = async () =>
        (await videoConsumer.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;
      await video.pause();
      await expect.poll(() => events, { timeout: E2E_WAIT_MS }).toEqual(['producerpause']);
      const sentWhenPaused = await consumerPackets();
      const atPause = await producerPackets();
      await expect.poll(producerPackets, { timeout: E2E_WAIT_MS }).toBeGreaterThan(atPause + 100);
      expect(await consumerPackets()).toBe(sentWhenPaused);
      await video.resume();
      await expect.poll(() => events, { timeout: E2E_WAIT_MS }).toEqual(['producerpause', 'producerresume']);
      const resumed = await videoFrames(b);
      await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(resumed + 20);

      // The media took the path asked for: the rings, or the UDP socket.
      const pipeA = [...routerA.transportsForTesting.values()].find((t) => t.type === 'pipe')!;
      const [pipeStat] = (await pipeA.getStats()) as Array<{
        rtpBytesSent: number;
        tsfuCounters: { sharedMemory?: { packetsSent: number; sendsDropped: number } };
      }>;
      expect(pipeStat.rtpBytesSent).toBeGreaterThan(0);
      if (sharedMemory) {
        expect(pipeStat.tsfuCounters.sharedMemory?.packetsSent).toBeGreaterThan(500);
        expect(pipeStat.tsfuCounters.sharedMemory?.sendsDropped).toBe(0);
      } else expect(pipeStat.tsfuCounters.sharedMemory).toBeUndefined();

      // Closing A's producer closes the pipe producer, and B's consumer with it.
      const closedAtB = new Promise<void>((resolve) => videoConsumer.once('producerclose', () => resolve()));
      video.close();
      await closedAtB;
      expect(videoConsumer.closed).toBe(true);
      expect(videoPipe.pipeProducer?.closed).toBe(true);

      expect([a.errors, b.errors]).toEqual([[], []]);
      expect(room.session.server.handlerErrors).toEqual([]);
    });
  });
