/**
 * Media through tsfu's layers and back into Chromium: a page produces the
 * fake microphone (opus) and camera (VP8) on a mediasoup-client send
 * transport whose far end is a `WebRtcTestEndpoint` (tsfu ICE-Lite, DTLS,
 * SRTP); the test relays each stream — SSRC and payload type rewritten to
 * consumer parameters from tsfu's `ortc.getConsumerRtpParameters`, header
 * extensions dropped — to a second endpoint, the far end of the same page's
 * receive transport, where mediasoup-client consumes and Chromium decodes.
 * A stand-in for the SFU's forwarding scenario 1, proving the harness's
 * inbound stats and the consume path before the SFU exists.
 */
import { randomUUID } from 'node:crypto';
import { createExtensionIdTable, serializePli } from '@tsfu/rtp';
import { ortc, type RtpCapabilities, type RtpParameters } from '@tsfu/sfu';
import type { RtpCapabilities as ClientRtpCapabilities } from 'mediasoup-client/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allInbound,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  E2eSession,
  readRtcStats,
  WebRtcTestEndpoint,
  waitForRtcStats,
} from './harness/index.js';
import { MEDIA_CODECS } from './media-codecs.js';
import type { ConsumeSpec, LoopbackPageApi, LoopbackSchema } from './pages/loopback-schema.js';

const routerCaps = ortc.generateRouterRtpCapabilities(MEDIA_CODECS);

/** One produced stream and where the relay sends it. */
interface Relay {
  kind: 'audio' | 'video';
  producerId: string;
  producerSsrc: number;
  consumable: RtpParameters;
  consumerSsrc?: number;
  consumerPayloadType?: number;
  relayed: number;
}

let session: E2eSession<LoopbackSchema>;
let page: E2ePage;
let sendSide: WebRtcTestEndpoint;
let recvSide: WebRtcTestEndpoint;
const relays: Relay[] = [];
const dropAllExtensions = createExtensionIdTable([]);

beforeAll(async () => {
  // One after the other, so afterAll closes whatever was created if a later step fails.
  sendSide = await WebRtcTestEndpoint.create();
  recvSide = await WebRtcTestEndpoint.create();
  session = await E2eSession.start<LoopbackSchema>({ pages: ['pages/loopback.ts'] });
  const endpoints = new Map<string, WebRtcTestEndpoint>();
  session.server.handle('getRouterRtpCapabilities', () => routerCaps as ClientRtpCapabilities);
  session.server.handle('createWebRtcTransport', ({ direction }) => {
    const endpoint = direction === 'send' ? sendSide : recvSide;
    const id = randomUUID();
    endpoints.set(id, endpoint);
    return {
      id,
      iceParameters: endpoint.iceParameters,
      iceCandidates: endpoint.iceCandidates,
      dtlsParameters: endpoint.dtlsParameters,
    };
  });
  session.server.handle('connectWebRtcTransport', ({ transportId, dtlsParameters }) => {
    endpoints.get(transportId)!.connect(dtlsParameters);
    return null;
  });
  session.server.handle('produce', ({ kind, rtpParameters }) => {
    const params = structuredClone(rtpParameters) as RtpParameters;
    ortc.validateAndNormalizeRtpParameters(params);
    const mapping = ortc.getProducerRtpParametersMapping(params, routerCaps);
    const producerId = randomUUID();
    relays.push({
      kind,
      producerId,
      producerSsrc: params.encodings![0].ssrc!,
      consumable: ortc.getConsumableRtpParameters(kind, params, routerCaps, mapping),
      relayed: 0,
    });
    return { id: producerId };
  });

  // The relay: what the page sends on its send transport goes back on its receive transport.
  sendSide.onRtp = (packet) => {
    const relay = relays.find((r) => r.producerSsrc === packet.ssrc);
    if (!relay?.consumerSsrc || !recvSide.canSend) return;
    packet.ssrc = relay.consumerSsrc;
    packet.payloadType = relay.consumerPayloadType!;
    packet.remapExtensions(dropAllExtensions);
    if (recvSide.sendRtp(packet.buffer.subarray(0, packet.length))) relay.relayed++;
  };

  page = await session.openPage('loopback');
});

afterAll(async () => {
  await session?.close();
  sendSide?.close();
  recvSide?.close();
});

const pageApi = <M extends keyof LoopbackPageApi & string>(
  method: M,
  arg: Parameters<LoopbackPageApi[M]>[0],
) => callPage<LoopbackPageApi, M>(page, method, arg);

describe('Chromium → tsfu ICE/DTLS/SRTP → Chromium', () => {
  it('decodes video and receives audio consumed with tsfu consumer parameters', async () => {
    const recvCaps = (await pageApi('load', null)) as RtpCapabilities;
    ortc.validateAndNormalizeRtpCapabilities(recvCaps);
    const produced = await pageApi('produce', null);
    expect(produced.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    expect(relays).toHaveLength(2);

    // Consumer parameters as a router would hand them out (no RTX: this relay does not retransmit).
    const specs: ConsumeSpec[] = relays.map((relay, i) => {
      const rtpParameters = ortc.getConsumerRtpParameters({
        consumableRtpParameters: relay.consumable,
        remoteRtpCapabilities: structuredClone(recvCaps),
        pipe: false,
        enableRtx: false,
      });
      rtpParameters.mid = String(i);
      relay.consumerSsrc = rtpParameters.encodings![0].ssrc;
      relay.consumerPayloadType = rtpParameters.codecs[0].payloadType;
      return {
        id: randomUUID(),
        producerId: relay.producerId,
        kind: relay.kind,
        rtpParameters: rtpParameters as ConsumeSpec['rtpParameters'],
      };
    });
    const consumed = await pageApi('consume', specs);
    expect(consumed.map((c) => [c.kind, c.trackState])).toEqual(specs.map((s) => [s.kind, 'live']));

    // The decoder needs a keyframe sent after the relay started: ask the sender for one (PLI) until
    // frames decode, at most once a second and for at most 15 s.
    const video = relays.find((r) => r.kind === 'video')!;
    const pli = serializePli({ kind: 'pli', senderSsrc: 1, mediaSsrc: video.producerSsrc });
    const timer = setInterval(() => sendSide.sendRtcp(pli), 1_000);
    let stats: Awaited<ReturnType<typeof readRtcStats>>;
    try {
      stats = await waitForRtcStats(
        page,
        'relayed video decoding and audio arriving',
        (s) =>
          allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 30) &&
          allInbound(s, 'audio').some((a) => a.packetsReceived >= 50),
        { timeoutMs: E2E_WAIT_MS },
      );
    } finally {
      clearInterval(timer);
    }

    const [inVideo] = allInbound(stats, 'video');
    const [inAudio] = allInbound(stats, 'audio');
    expect(inVideo.ssrc).toBe(video.consumerSsrc);
    expect(inVideo.mimeType).toBe('video/VP8');
    expect(inVideo.mid).toBe(String(relays.indexOf(video)));
    expect(inVideo.frameWidth).toBeGreaterThan(0);
    expect(inAudio.ssrc).toBe(relays.find((r) => r.kind === 'audio')!.consumerSsrc);
    expect(inAudio.mimeType).toBe('audio/opus');
    expect(relays.every((r) => r.relayed > 0)).toBe(true);
    // Chromium is the DTLS client on its receive transport too; tsfu's DTLS is the server.
    expect([sendSide.dtlsRole, recvSide.dtlsRole]).toEqual(['server', 'server']);
    expect([sendSide.ice.selectedTuple?.address, recvSide.ice.selectedTuple?.address]).toEqual([
      '127.0.0.1',
      '127.0.0.1',
    ]);
    expect(sendSide.counters.srtpFailures + recvSide.counters.srtpFailures).toBe(0);

    // Packets keep arriving between two reads.
    await expect
      .poll(async () => allInbound(await readRtcStats(page), 'audio')[0].packetsReceived, {
        timeout: E2E_WAIT_MS,
      })
      .toBeGreaterThan(inAudio.packetsReceived);
    expect(session.server.handlerErrors).toEqual([]);
    expect(page.errors).toEqual([]);
    await pageApi('close', null);
  });
});
