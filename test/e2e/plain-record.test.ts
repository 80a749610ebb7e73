/**
 * Issue #18, real peers 1 — record: page A publishes opus + VP8 with
 * mediasoup-client; the server consumes both into PlainTransports
 * (`rtcpMux: false`, connected to ffmpeg's ports); ffmpeg reads the SDP that
 * `plainRtpSdp()` builds from the consumers' parameters and writes a WebM;
 * ffprobe decodes it: a VP8 and an opus stream, ≥ 5 s, ≥ 100 video frames.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, PlainTransport } from '@tsfu/sfu';
import { plainRtpSdp } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPage, type E2ePage } from './harness/index.js';
import { freeUdpPortPairs, MediaProcess, waitForUdpBound } from './harness/media-process.js';
import { requireMediaTools } from './harness/media-tools.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const RECORD_SECONDS = 8;

let room: SfuRoom;
let a: E2ePage;
let dir: string;
const processes: MediaProcess[] = [];

beforeAll(async () => {
  await requireMediaTools();
  dir = mkdtempSync(join(tmpdir(), 'tsfu-record-'));
  room = await startSfuRoom();
  a = await room.session.openPage('sfu', 'A');
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await room?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  nb_read_frames?: string;
}

describe('record: Chromium → tsfu → PlainTransport → ffmpeg → WebM', () => {
  it(`ffmpeg records ${RECORD_SECONDS} s of VP8 + opus that ffprobe decodes`, async () => {
    await callPage<SfuPageApi, 'load'>(a, 'load', null);
    const produced = await callPage<SfuPageApi, 'produce'>(a, 'produce', { audio: true, video: true });
    const router = room.routers[0];
    const ports = await freeUdpPortPairs(2);
    const streams: Array<{ consumer: Consumer; transport: PlainTransport; port: number; rtcpPort: number }> =
      [];
    for (const [i, kind] of (['audio', 'video'] as const).entries()) {
      const producerId = produced.find((p) => p.kind === kind)!.id;
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: false,
        comedia: false,
      });
      const [port, rtcpPort] = ports[i];
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort });
      // Paused until ffmpeg listens: resuming asks the producer for the keyframe ffmpeg needs first.
      const consumer = await transport.consume({
        producerId,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
      });
      streams.push({ consumer, transport, port, rtcpPort });
    }
    const sdpPath = join(dir, 'record.sdp');
    writeFileSync(
      sdpPath,
      plainRtpSdp({
        ip: '127.0.0.1',
        streams: streams.map((s) => ({
          kind: s.consumer.kind,
          rtpParameters: s.consumer.rtpParameters,
          ...s,
        })),
      }),
    );
    const webm = join(dir, 'record.webm');
    const ffmpeg = new MediaProcess(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'info'],
        ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdpPath],
        ...['-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-t', String(RECORD_SECONDS), '-y', webm],
      ],
      120_000,
    );
    processes.push(ffmpeg);
    await waitForUdpBound(
      streams.flatMap((s) => [s.port, s.rtcpPort]),
      30_000,
      ffmpeg,
    );
    for (const s of streams) await s.consumer.resume();

    const exit = await ffmpeg.waitForExit(90_000);
    expect(exit, ffmpeg.tail()).toEqual({ code: 0, signal: null });

    const probe = new MediaProcess(
      'ffprobe',
      [
        ...['-v', 'error', '-count_frames', '-of', 'json'],
        ...['-show_entries', 'stream=codec_type,codec_name,nb_read_frames:format=duration', webm],
      ],
      60_000,
    );
    expect(await probe.waitForExit(60_000), probe.tail()).toEqual({ code: 0, signal: null });
    const info = JSON.parse(probe.output) as { streams: ProbeStream[]; format: { duration: string } };
    const video = info.streams.find((s) => s.codec_type === 'video');
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    console.log(
      `record: ${info.format.duration} s, video ${video?.codec_name} ${video?.nb_read_frames} frames, audio ${audio?.codec_name} ${audio?.nb_read_frames} frames`,
    );
    expect(video?.codec_name).toBe('vp8');
    expect(audio?.codec_name).toBe('opus');
    expect(Number(info.format.duration)).toBeGreaterThanOrEqual(5);
    expect(Number(video?.nb_read_frames)).toBeGreaterThanOrEqual(100);
    expect(Number(audio?.nb_read_frames)).toBeGreaterThan(0);
    for (const s of streams) {
      const [stat] = await s.transport.getStats();
      expect(stat.tsfuCounters.packetsFromUnknownTuple).toBe(0);
    }
    expect(room.session.server.handlerErrors).toEqual([]);
    expect(a.errors).toEqual([]);
  });
});
