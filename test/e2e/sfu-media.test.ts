/**
 * Scenarios 1, 3 and 4 through the real SFU: page A produces opus + VP8 with
 * mediasoup-client, page B consumes both from a tsfu router; then pause/resume
 * (producer and consumer) and 5 % loss on what the SFU sends to B.
 */
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
let a: E2ePage;
let b: E2ePage;

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

const videoFrames = async (page: E2ePage) =>
  allInbound(await readRtcStats(page), 'video').reduce((n, v) => n + (v.framesDecoded ?? 0), 0);
const audioPackets = async (page: E2ePage) =>
  allInbound(await readRtcStats(page), 'audio').reduce((n, v) => n + v.packetsReceived, 0);

beforeAll(async () => {
  room = await startSfuRoom();
  a = await room.session.openPage('sfu', 'A');
  b = await room.session.openPage('sfu', 'B');
});

afterAll(async () => {
  await room?.close();
});

describe('Chromium A → tsfu SFU → Chromium B', () => {
  it("scenario 1: B decodes A's VP8 (≥ 60 frames) and receives its opus", async () => {
    await call(a, 'load', null);
    await call(b, 'load', null);
    const produced = await call(a, 'produce', { audio: true, video: true });
    expect(produced.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    const consumed = await call(
      b,
      'consume',
      produced.map((p) => p.id),
    );
    expect(consumed.map((c) => c.trackState)).toEqual(['live', 'live']);
    const stats = await waitForRtcStats(
      b,
      'video frames decoded and audio arriving',
      (s) =>
        allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 60) &&
        allInbound(s, 'audio').some((x) => x.packetsReceived >= 50),
      { timeoutMs: E2E_WAIT_MS },
    );
    const [video] = allInbound(stats, 'video');
    const consumers = [...room.consumers.values()];
    const videoConsumer = consumers.find((c) => c.kind === 'video')!;
    expect(video.ssrc).toBe(videoConsumer.rtpParameters.encodings![0].ssrc);
    expect(video.mimeType).toBe('video/VP8');
    const before = await audioPackets(b);
    await expect.poll(() => audioPackets(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(before);

    // The SFU's view: producer inbound stats, consumer outbound stats, transport byte counts.
    const videoProducer = [...room.producers.values()].find((p) => p.kind === 'video')!;
    const [pStat] = await videoProducer.getStats();
    expect(pStat.type).toBe('inbound-rtp');
    expect(pStat.packetCount).toBeGreaterThan(100);
    expect(pStat.mimeType).toBe('video/VP8');
    const [cStat, cProducerStat] = await videoConsumer.getStats();
    expect(cStat.type).toBe('outbound-rtp');
    expect(cStat.packetCount).toBeGreaterThan(100);
    expect(cProducerStat.type).toBe('inbound-rtp');
    const sendTransport = [...room.transports.values()].find((t) => t.peer === 'A')!.transport;
    const [tStat] = await sendTransport.getStats();
    expect(tStat.rtpBytesReceived).toBeGreaterThan(0);
    expect(tStat.iceSelectedTuple?.remoteIp).toBe('127.0.0.1');
    expect(room.session.server.handlerErrors).toEqual([]);
  });

  it('scenario 3: producer pause/resume fires producerpause/producerresume; frames stop and restart', async () => {
    const videoProducer = [...room.producers.values()].find((p) => p.kind === 'video')!;
    const videoConsumer = [...room.consumers.values()].find((c) => c.kind === 'video')!;
    const events: string[] = [];
    videoConsumer.on('producerpause', () => events.push('producerpause'));
    videoConsumer.on('producerresume', () => events.push('producerresume'));

    // A keeps sending while paused, so the producer's received count is the clock:
    // once it has moved on by `n` packets, whatever the SFU would forward has had its chance.
    const receivedByProducer = async () =>
      (await videoProducer.getStats()).reduce((n, s) => n + s.packetCount, 0);
    const forwardedByConsumer = async () =>
      (await videoConsumer.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;
    const packetsAtB = async () =>
      allInbound(await readRtcStats(b), 'video').reduce((n, v) => n + v.packetsReceived, 0);
    const afterMorePackets = async (n: number) => {
      const from = await receivedByProducer();
      await expect.poll(receivedByProducer, { timeout: E2E_WAIT_MS }).toBeGreaterThanOrEqual(from + n);
    };
    // The pause takes effect before the request resolves: nothing is forwarded after it,
    // and once later packets have reached the producer, B's count stops too.
    const expectForwardingStopped = async () => {
      const forwarded = await forwardedByConsumer();
      await afterMorePackets(50);
      const atB = await packetsAtB();
      await afterMorePackets(50);
      expect(await forwardedByConsumer()).toBe(forwarded);
      expect(await packetsAtB()).toBe(atB);
    };

    await videoProducer.pause();
    await expect.poll(() => events, { timeout: E2E_WAIT_MS }).toEqual(['producerpause']);
    expect(videoConsumer.producerPaused).toBe(true);
    await expectForwardingStopped();
    const stopped = await videoFrames(b);

    await videoProducer.resume();
    await expect.poll(() => events, { timeout: E2E_WAIT_MS }).toEqual(['producerpause', 'producerresume']);
    await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(stopped + 20);

    // Consumer pause/resume.
    await videoConsumer.pause();
    await expectForwardingStopped();
    const paused = await videoFrames(b);
    await videoConsumer.resume();
    await expect.poll(() => videoFrames(b), { timeout: E2E_WAIT_MS }).toBeGreaterThan(paused + 20);
    expect(videoConsumer.paused).toBe(false);
  });

  it('scenario 4: 5 % loss toward B is repaired by NACK/RTX and decoding goes on', async () => {
    const recv = [...room.transports.values()].find((t) => t.peer === 'B')!.transport;
    const videoConsumer = [...room.consumers.values()].find((c) => c.kind === 'video')!;
    const start = await videoFrames(b);
    // Freezes counted before (scenario 3's pauses freeze the picture on purpose) do not count here.
    const freezesBefore = allInbound(await readRtcStats(b), 'video')[0].freezeCount ?? 0;
    await recv.setOutgoingLossForTesting(0.05);
    try {
      await waitForRtcStats(
        b,
        'NACKs sent by B and frames still decoding',
        (s) =>
          allInbound(s, 'video').some((v) => (v.nackCount ?? 0) > 0 && (v.framesDecoded ?? 0) > start + 60),
        { timeoutMs: E2E_WAIT_MS },
      );
    } finally {
      await recv.setOutgoingLossForTesting(0);
    }
    const [cStat] = await videoConsumer.getStats();
    expect(cStat.nackCount).toBeGreaterThan(0);
    expect(cStat.packetsRetransmitted).toBeGreaterThan(0);
    const [tStat] = await recv.getStats();
    expect(tStat.rtxBytesSent).toBeGreaterThan(0);
    expect(tStat.tsfuCounters.media.rtpDroppedForTesting).toBeGreaterThan(0);
    const [video] = allInbound(await readRtcStats(b), 'video');
    expect((video.freezeCount ?? 0) - freezesBefore).toBeLessThan(3);
    expect(allOutbound(await readRtcStats(a), 'video').length).toBeGreaterThan(0);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
