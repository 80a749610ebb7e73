/**
 * Issue #18, real peers 3 — RTCP not muxed: GStreamer (`rtpbin`) receives a
 * VP8 consumer of page A's camera over a PlainTransport with `rtcpMux: false`
 * (RTP to one port, RTCP to the next) and decodes it (`vp8dec` into a fakesink
 * whose buffers are counted). RTCP both ways on the separate ports: the SFU's
 * sender reports reach GStreamer's RTCP port (an `identity` there prints each
 * one), and GStreamer's receiver reports, sent from that same port (its
 * `udpsink` binds it on 0.0.0.0 while the `udpsrc` holds 127.0.0.1, so the
 * kernel hands incoming datagrams to the `udpsrc`), reach the SFU's RTCP
 * socket from the tuple it was connected to, and parse.
 */
import type { Consumer, PlainTransport } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPage, E2E_WAIT_MS, type E2ePage } from './harness/index.js';
import { freeUdpPortPairs, MediaProcess, waitForUdpBound } from './harness/media-process.js';
import { requireMediaTools } from './harness/media-tools.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const FRAMES = 60;

let room: SfuRoom;
let a: E2ePage;
const processes: MediaProcess[] = [];

beforeAll(async () => {
  await requireMediaTools();
  room = await startSfuRoom();
  a = await room.session.openPage('sfu', 'A');
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await room?.close();
});

/** How many times the element `name` printed a buffer (gst-launch -v, `silent=false`). */
const buffersOf = (gst: MediaProcess, name: string) =>
  gst.output.split('\n').filter((l) => l.includes(`:${name}: last-message = chain`)).length;

/** `gst-launch-1.0` arguments: rtpbin session 0 on `port`/`rtcpPort`, RTCP out to `sfuRtcpPort`. */
function receivePipeline(consumer: Consumer, port: number, rtcpPort: number, sfuRtcpPort: number): string[] {
  const codec = consumer.rtpParameters.codecs[0];
  const caps = `application/x-rtp,media=video,clock-rate=${codec.clockRate},encoding-name=VP8,payload=${codec.payloadType}`;
  const pipeline = [
    'rtpbin name=rtpbin',
    `udpsrc address=127.0.0.1 port=${port} caps="${caps}" ! rtpbin.recv_rtp_sink_0`,
    `udpsrc address=127.0.0.1 port=${rtcpPort} ! identity name=rtcpin silent=false ! rtpbin.recv_rtcp_sink_0`,
    'rtpbin.send_rtcp_src_0 ! udpsink',
    `host=127.0.0.1 port=${sfuRtcpPort} bind-address=0.0.0.0 bind-port=${rtcpPort} sync=false async=false`,
    'rtpbin. ! rtpvp8depay ! vp8dec ! fakesink name=frames silent=false sync=false',
  ].join(' ');
  // gst-launch parses its argv joined by spaces; one element per token keeps the quoted caps intact.
  return ['-v', ...pipeline.match(/(?:[^\s"]+|"[^"]*")+/g)!.map((t) => t.replaceAll('"', ''))];
}

describe('GStreamer receives a consumer over a PlainTransport with rtcpMux: false', () => {
  it(`decodes ≥ ${FRAMES} VP8 frames; RTCP flows both ways on the separate RTCP ports`, async () => {
    await callPage<SfuPageApi, 'load'>(a, 'load', null);
    const produced = await callPage<SfuPageApi, 'produce'>(a, 'produce', { audio: false, video: true });
    const router = room.routers[0];
    const transport: PlainTransport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    const [[port, rtcpPort]] = await freeUdpPortPairs(1);
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort });
    const consumer = await transport.consume({
      producerId: produced[0].id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    const sfuRtcpPort = transport.rtcpTuple!.localPort;
    expect(sfuRtcpPort).not.toBe(transport.tuple.localPort);

    const gst = new MediaProcess(
      'gst-launch-1.0',
      receivePipeline(consumer, port, rtcpPort, sfuRtcpPort),
      120_000,
    );
    processes.push(gst);
    await waitForUdpBound([port, rtcpPort], 30_000, gst);
    await consumer.resume();

    await expect
      .poll(() => buffersOf(gst, 'frames'), { timeout: E2E_WAIT_MS, message: gst.tail() })
      .toBeGreaterThanOrEqual(FRAMES);
    // SFU → GStreamer: sender reports on the RTCP port.
    await expect
      .poll(() => buffersOf(gst, 'rtcpin'), { timeout: E2E_WAIT_MS, message: gst.tail() })
      .toBeGreaterThan(0);
    // GStreamer → SFU: its receiver reports (it sends no RTP, so every byte received is RTCP),
    // from the connected RTCP tuple (nothing dropped as unknown), well-formed.
    const transportStat = async () => (await transport.getStats())[0];
    await expect
      .poll(async () => (await transportStat()).bytesReceived, { timeout: E2E_WAIT_MS, message: gst.tail() })
      .toBeGreaterThan(0);
    const stat = await transportStat();
    expect(stat.rtpBytesReceived).toBe(0);
    expect(stat.tsfuCounters.packetsFromUnknownTuple).toBe(0);
    expect(stat.tsfuCounters.packetsBeforeConnect).toBe(0);
    expect(stat.tsfuCounters.media.rtcpMalformed).toBe(0);
    expect(stat.rtcpMux).toBe(false);
    // Both ways at once: a round trip from a receiver report that echoes one of the SFU's sender reports (LSR).
    await expect
      .poll(async () => (await consumer.getStats())[0].roundTripTime ?? 0, { timeout: E2E_WAIT_MS })
      .toBeGreaterThan(0);
    const [cStat] = await consumer.getStats();
    console.log(
      `gstreamer: ${buffersOf(gst, 'frames')} frames decoded, ${buffersOf(gst, 'rtcpin')} RTCP packets in, ` +
        `${stat.bytesReceived} RTCP bytes back to the SFU, consumer sent ${cStat.packetCount} packets, ` +
        `rtt ${cStat.roundTripTime} ms`,
    );
    await gst.stop();
    transport.close();
    expect(a.errors).toEqual([]);
  });
});
