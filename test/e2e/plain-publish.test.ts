/**
 * Issue #18, real peers 2 — publish: ffmpeg encodes a test pattern and a tone
 * (lavfi `testsrc2` + `sine`) and sends them over RTP to two comedia
 * PlainTransports (`rtcpMux: false`, as mediasoup's ffmpeg recipe); the
 * server produces them and a Chromium page consumes both with
 * mediasoup-client: ≥ 60 video frames decoded and audio packets growing.
 * Three times: VP8 + opus, the same over SRTP (ffmpeg's `srtp://` with
 * AES_CM_128_HMAC_SHA1_80), and H264 (ffmpeg's libx264) + opus.
 */
import { randomBytes } from 'node:crypto';
import type { PlainTransport, Producer, RtpCodecParameters } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allInbound, callPage, E2E_WAIT_MS, readRtcStats, waitForRtcStats } from './harness/index.js';
import { MediaProcess } from './harness/media-process.js';
import { requireMediaTools } from './harness/media-tools.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

/** How long ffmpeg's sources last: a bound, the test stops it once Chromium has decoded enough. */
const SOURCE_SECONDS = 60;

let room: SfuRoom;
const processes: MediaProcess[] = [];

beforeAll(async () => {
  await requireMediaTools();
  room = await startSfuRoom();
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await room?.close();
});

interface PublishCase {
  name: string;
  video: RtpCodecParameters;
  /** ffmpeg's video encoder arguments. */
  videoArgs: string[];
  srtp?: boolean;
}

const OPUS: RtpCodecParameters = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };
const VP8: RtpCodecParameters = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };
const H264: RtpCodecParameters = {
  mimeType: 'video/H264',
  payloadType: 102,
  clockRate: 90000,
  parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};
// A keyframe every second (30 frames): ffmpeg does not answer the PLIs a new consumer sends.
const VP8_ARGS = ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k', '-g', '30'];
const H264_ARGS = [
  ...['-c:v', 'libx264', '-profile:v', 'baseline', '-level', '3.1', '-preset', 'ultrafast'],
  ...['-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-b:v', '400k', '-g', '30'],
];

/** A comedia PlainTransport with a producer of `codec` on it (SSRC fixed, as ffmpeg's `-ssrc`). */
async function plainProducer(
  kind: 'audio' | 'video',
  codec: RtpCodecParameters,
  ssrc: number,
  srtpKey: string | undefined,
): Promise<{ transport: PlainTransport; producer: Producer }> {
  const transport = await room.routers[0].createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: true,
    ...(srtpKey ? { enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' as const } : {}),
  });
  // comedia: no address to give; with SRTP, the key ffmpeg encrypts with.
  if (srtpKey) {
    await transport.connect({
      srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: srtpKey },
    });
  }
  const producer = await transport.produce({
    kind,
    rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
  });
  room.producers.set(producer.id, producer);
  return { transport, producer };
}

/** ffmpeg's output arguments for one RTP stream to `transport` (RTP and RTCP ports from its tuples). */
function rtpOutput(
  transport: PlainTransport,
  codec: RtpCodecParameters,
  ssrc: number,
  srtpKey?: string,
): string[] {
  const host = `127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`;
  return [
    ...['-ssrc', String(ssrc), '-payload_type', String(codec.payloadType), '-f', 'rtp'],
    ...(srtpKey
      ? ['-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params', srtpKey, `srtp://${host}`]
      : [`rtp://${host}`]),
  ];
}

async function publishAndWatch(c: PublishCase, pageName: string) {
  // 30 bytes: AES_CM_128's master key and salt.
  const srtpKey = c.srtp ? randomBytes(30).toString('base64') : undefined;
  const audio = await plainProducer('audio', OPUS, 11_111_111, srtpKey);
  const video = await plainProducer('video', c.video, 22_222_222, srtpKey);
  const ffmpeg = new MediaProcess(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'warning'],
      ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30:duration=${SOURCE_SECONDS}`],
      ...['-re', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SOURCE_SECONDS}`],
      ...['-map', '0:v', ...c.videoArgs, ...rtpOutput(video.transport, c.video, 22_222_222, srtpKey)],
      ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '64k'],
      ...rtpOutput(audio.transport, OPUS, 11_111_111, srtpKey),
    ],
    (SOURCE_SECONDS + 60) * 1000,
  );
  processes.push(ffmpeg);

  const b = await room.session.openPage('sfu', pageName);
  await callPage<SfuPageApi, 'load'>(b, 'load', null);
  const consumed = await callPage<SfuPageApi, 'consume'>(b, 'consume', [
    video.producer.id,
    audio.producer.id,
  ]);
  expect(consumed.map((x) => x.kind)).toEqual(['video', 'audio']);
  const ssrcOf = (id: string) => room.consumers.get(id)!.rtpParameters.encodings![0].ssrc;
  const videoSsrc = ssrcOf(consumed[0].id);
  const audioSsrc = ssrcOf(consumed[1].id);
  const stats = await waitForRtcStats(
    b,
    `${c.name}: 60 frames decoded from ffmpeg`,
    (s) =>
      allInbound(s, 'video').some((v) => v.ssrc === videoSsrc && (v.framesDecoded ?? 0) >= 60) &&
      allInbound(s, 'audio').some((x) => x.ssrc === audioSsrc && x.packetsReceived >= 50),
    { timeoutMs: E2E_WAIT_MS },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nffmpeg:\n${ffmpeg.tail()}`);
  });
  const inVideo = allInbound(stats, 'video').find((v) => v.ssrc === videoSsrc)!;
  expect(inVideo.mimeType).toBe(c.video.mimeType);
  const audioPackets = async () =>
    allInbound(await readRtcStats(b), 'audio').find((x) => x.ssrc === audioSsrc)?.packetsReceived ?? 0;
  const before = await audioPackets();
  await expect.poll(audioPackets, { timeout: E2E_WAIT_MS }).toBeGreaterThan(before);

  // comedia learnt ffmpeg's RTP and RTCP tuples (RTCP: its sender reports, from its own port).
  for (const { transport } of [audio, video]) {
    expect(transport.tuple.remotePort).toBeGreaterThan(0);
    await expect.poll(() => transport.rtcpTuple?.remotePort, { timeout: E2E_WAIT_MS }).toBeGreaterThan(0);
    const [stat] = await transport.getStats();
    expect(stat.tsfuCounters.srtpFailures).toBe(0);
  }
  const [pStat] = await video.producer.getStats();
  console.log(
    `publish ${c.name}: Chromium decoded ${inVideo.framesDecoded} frames (${inVideo.frameWidth}x${inVideo.frameHeight}), producer got ${pStat.packetCount} packets`,
  );
  expect(pStat.mimeType).toBe(c.video.mimeType);

  await ffmpeg.stop();
  audio.transport.close();
  video.transport.close();
  expect(b.errors).toEqual([]);
  expect(room.session.server.handlerErrors).toEqual([]);
}

describe('publish: ffmpeg → comedia PlainTransport → tsfu → Chromium', () => {
  it('VP8 + opus over RTP', async () => {
    await publishAndWatch({ name: 'VP8', video: VP8, videoArgs: VP8_ARGS }, 'B1');
  });

  it('VP8 + opus over SRTP (AES_CM_128_HMAC_SHA1_80)', async () => {
    await publishAndWatch({ name: 'VP8/SRTP', video: VP8, videoArgs: VP8_ARGS, srtp: true }, 'B2');
  });

  it('H264 (libx264, constrained baseline) + opus over RTP', async () => {
    await publishAndWatch({ name: 'H264', video: H264, videoArgs: H264_ARGS }, 'B3');
  });
});
