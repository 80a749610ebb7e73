/**
 * mediasoup-client 3.x in Chromium against tsfu's `ortc`: a Device loads the
 * router capabilities tsfu generates for mediasoup's usual codec list, the
 * server validates what the Device reports, and a send transport built from
 * tsfu-made ICE/DTLS parameters produces fake camera and microphone tracks.
 * The `connect`/`produce` events' parameters must pass tsfu's validation and
 * map onto the router; the SRTP that arrives must carry what they announced.
 * The transport's far end is `WebRtcTestEndpoint` (tsfu's ICE-Lite, DTLS and
 * SRTP on 127.0.0.1), so the test also sees the RTP Chromium really sends.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ortc, type RtpCapabilities, type RtpParameters } from '@tsfu/sfu';
import type { RtpCapabilities as ClientRtpCapabilities } from 'mediasoup-client/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allOutbound,
  BUNDLE_DIR,
  browserProcessIds,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  E2eSession,
  WebRtcTestEndpoint,
  waitForRtcStats,
} from './harness/index.js';
import { MEDIA_CODECS } from './media-codecs.js';
import type {
  CapabilitiesPageApi,
  CapabilitiesSchema,
  LoadDeviceResult,
  ProduceResult,
  ProduceSpec,
  TransportInfo,
} from './pages/capabilities-schema.js';

/** The producers the page creates, one per fake track. */
const PRODUCE_SPECS: ProduceSpec[] = [
  { label: 'mic-opus', kind: 'audio', codecMimeType: 'audio/opus' },
  { label: 'cam-vp8', kind: 'video', codecMimeType: 'video/VP8' },
  { label: 'cam-vp8-simulcast', kind: 'video', codecMimeType: 'video/VP8', simulcastEncodings: 3 },
  {
    label: 'cam-vp9-profile0',
    kind: 'video',
    codecMimeType: 'video/VP9',
    codecParameters: { 'profile-id': 0 },
  },
  {
    label: 'cam-h264-42e01f',
    kind: 'video',
    codecMimeType: 'video/H264',
    codecParameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1 },
  },
  { label: 'cam-av1', kind: 'video', codecMimeType: 'video/AV1' },
];

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

/** What the server saw of one `produce` request, and what tsfu's ortc made of it. */
interface ProduceRecord {
  label: string;
  kind: 'audio' | 'video';
  /** As received, before validation fills defaults. */
  received: RtpParameters;
  normalized: RtpParameters;
  mapping: ortc.RtpCodecsEncodingsMapping;
  consumable: RtpParameters;
  canConsume: boolean;
  consumer: RtpParameters;
}

let session: E2eSession<CapabilitiesSchema>;
let page: E2ePage;
let endpoint: WebRtcTestEndpoint;
let transportInfo: TransportInfo | undefined;
let deviceRecvCaps: RtpCapabilities | undefined;
const routerCaps = ortc.generateRouterRtpCapabilities(MEDIA_CODECS);
const connects: TransportInfo['dtlsParameters'][] = [];
const produces: ProduceRecord[] = [];

/** Consumable parameters of a producer with `params`, the way a router computes them. */
function consumableOf(kind: 'audio' | 'video', params: RtpParameters): RtpParameters {
  const p = structuredClone(params);
  ortc.validateAndNormalizeRtpParameters(p);
  const mapping = ortc.getProducerRtpParametersMapping(p, routerCaps);
  return ortc.getConsumableRtpParameters(kind, p, routerCaps, mapping);
}

/** A VP8 and an opus producer as a typical browser sends them, independent of this Chromium. */
const SYNTHETIC_VP8: RtpParameters = {
  mid: '0',
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  headerExtensions: [{ uri: MID_URI, id: 1 }],
  encodings: [{ ssrc: 11111111, rtx: { ssrc: 22222222 } }],
  rtcp: { cname: 'synthetic' },
};
const SYNTHETIC_OPUS: RtpParameters = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [{ uri: MID_URI, id: 1 }],
  encodings: [{ ssrc: 33333333 }],
  rtcp: { cname: 'synthetic' },
};

beforeAll(async () => {
  // One after the other, so afterAll closes whatever was created if the second fails.
  endpoint = await WebRtcTestEndpoint.create();
  session = await E2eSession.start<CapabilitiesSchema>({ pages: ['pages/capabilities.ts'] });
  const { server } = session;

  server.handle('getRouterRtpCapabilities', () => routerCaps as ClientRtpCapabilities);
  server.handle('setDeviceRtpCapabilities', ({ recvRtpCapabilities, sendRtpCapabilities }) => {
    const recv = structuredClone(recvRtpCapabilities) as RtpCapabilities;
    const send = structuredClone(sendRtpCapabilities) as RtpCapabilities;
    ortc.validateAndNormalizeRtpCapabilities(recv);
    ortc.validateAndNormalizeRtpCapabilities(send);
    deviceRecvCaps = recv;
    return {
      canConsumeVp8: ortc.canConsume(consumableOf('video', SYNTHETIC_VP8), structuredClone(recv)),
      canConsumeOpus: ortc.canConsume(consumableOf('audio', SYNTHETIC_OPUS), structuredClone(recv)),
    };
  });
  server.handle('createWebRtcTransport', () => {
    transportInfo = {
      id: randomUUID(),
      iceParameters: endpoint.iceParameters,
      iceCandidates: endpoint.iceCandidates,
      dtlsParameters: endpoint.dtlsParameters,
    };
    return transportInfo;
  });
  server.handle('connectWebRtcTransport', ({ transportId, dtlsParameters }) => {
    if (transportId !== transportInfo?.id) throw new Error(`unknown transport ${transportId}`);
    connects.push(dtlsParameters);
    endpoint.connect(dtlsParameters);
    return null;
  });
  server.handle('produce', ({ transportId, kind, rtpParameters, appData }) => {
    if (transportId !== transportInfo?.id) throw new Error(`unknown transport ${transportId}`);
    if (!deviceRecvCaps) throw new Error('device capabilities not set');
    const received = structuredClone(rtpParameters) as RtpParameters;
    const normalized = structuredClone(received);
    ortc.validateAndNormalizeRtpParameters(normalized);
    const mapping = ortc.getProducerRtpParametersMapping(normalized, routerCaps);
    const consumable = ortc.getConsumableRtpParameters(kind, normalized, routerCaps, mapping);
    const canConsume = ortc.canConsume(consumable, structuredClone(deviceRecvCaps));
    const consumer = ortc.getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: structuredClone(deviceRecvCaps),
      pipe: false,
      enableRtx: true,
    });
    produces.push({
      label: appData.label ?? '?',
      kind,
      received,
      normalized,
      mapping,
      consumable,
      canConsume,
      consumer,
    });
    return { id: randomUUID() };
  });

  page = await session.openPage('capabilities');
});

afterAll(async () => {
  await session?.close();
  endpoint?.close();
});

const pageApi = <M extends keyof CapabilitiesPageApi & string>(
  method: M,
  arg: Parameters<CapabilitiesPageApi[M]>[0],
) => callPage<CapabilitiesPageApi, M>(page, method, arg);

/** What Chromium offered, kept in test/e2e/dist/ for the record. */
async function record(name: string, data: unknown): Promise<void> {
  await mkdir(BUNDLE_DIR, { recursive: true });
  await writeFile(join(BUNDLE_DIR, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

describe('mediasoup-client in Chromium against tsfu ortc', () => {
  let loaded: LoadDeviceResult;
  let produced: ProduceResult[];

  it('generates router capabilities for the whole codec list, each video codec with RTX', () => {
    const media = routerCaps.codecs!.filter((c) => !/\/rtx$/i.test(c.mimeType));
    expect(
      media.map((c) => [c.mimeType, c.parameters?.['profile-id'] ?? c.parameters?.['profile-level-id']]),
    ).toEqual([
      ['audio/opus', undefined],
      ['video/VP8', undefined],
      ['video/VP9', 0],
      ['video/VP9', 2],
      ['video/H264', '42e01f'],
      ['video/H264', '4d0032'],
      ['video/H264', '640032'],
      ['video/AV1', undefined],
    ]);
    for (const codec of media.filter((c) => c.kind === 'video')) {
      const rtx = routerCaps.codecs!.filter((c) => c.parameters?.apt === codec.preferredPayloadType);
      expect(rtx.map((c) => c.mimeType)).toEqual(['video/rtx']);
    }
  });

  it('loads a Device that can produce audio and video and whose capabilities tsfu accepts', async () => {
    loaded = await pageApi('loadDevice', null);
    await record('chromium-device', loaded);
    expect(loaded.loaded).toBe(true);
    expect(loaded.handlerName).toBe('Chrome111');
    expect(loaded.canProduceAudio).toBe(true);
    expect(loaded.canProduceVideo).toBe(true);
    // The server validated both capability sets (it throws otherwise) and can consume into the Device.
    expect(loaded.verdict).toEqual({ canConsumeVp8: true, canConsumeOpus: true });
    expect(deviceRecvCaps).toBeDefined();
    // The Device keeps the router's payload types: every codec it can receive is one the router offers.
    const routerPts = new Set(routerCaps.codecs!.map((c) => c.preferredPayloadType));
    for (const c of loaded.recvRtpCapabilities.codecs ?? [])
      expect(routerPts.has(c.preferredPayloadType)).toBe(true);
    const recvMimes = (loaded.recvRtpCapabilities.codecs ?? []).map((c) => c.mimeType.toLowerCase());
    expect(recvMimes).toEqual(
      expect.arrayContaining(['audio/opus', 'video/vp8', 'video/vp9', 'video/h264', 'video/av1']),
    );
    const extUris = (loaded.recvRtpCapabilities.headerExtensions ?? []).map((e) => e.uri);
    expect(extUris).toContain(MID_URI);
  });

  it('produces on a send transport built from tsfu ICE/DTLS parameters; connect and produce carry mediasoup-shaped parameters', async () => {
    produced = await pageApi('produce', PRODUCE_SPECS);
    await record('chromium-produce', { produced, server: produces, connects });
    expect(produced.map((p) => p.label)).toEqual(PRODUCE_SPECS.map((s) => s.label));

    // connect: once, before the first produce, with a concrete role and the browser's certificate fingerprint.
    expect(connects).toHaveLength(1);
    const dtls = connects[0];
    expect(['client', 'server']).toContain(dtls.role);
    expect(dtls.fingerprints.length).toBeGreaterThan(0);
    for (const fp of dtls.fingerprints) {
      expect(fp.algorithm).toMatch(/^sha-(1|224|256|384|512)$/);
      expect(fp.value).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2})+$/i);
    }
    expect(await pageApi('transportEvents', null)).toEqual(
      expect.arrayContaining([`connect:${dtls.role}`, 'produce:audio', 'produce:video']),
    );

    // produce: one per track, in order, each with the kind asked for.
    expect(produces.map((p) => [p.label, p.kind])).toEqual(PRODUCE_SPECS.map((s) => [s.label, s.kind]));
    const mids = new Set<string | undefined>();
    for (const [i, rec] of produces.entries()) {
      const spec = PRODUCE_SPECS[i];
      const p = rec.received;
      mids.add(p.mid);
      expect(p.mid).toMatch(/^\d+$/);
      expect(p.codecs[0].mimeType.toLowerCase()).toBe(spec.codecMimeType!.toLowerCase());
      // The CNAME comes from the offer's a=ssrc lines; RID simulcast has none in Chromium, so it is ''.
      expect(p.rtcp?.cname).toMatch(spec.simulcastEncodings ? /^$/ : /.+/);
      expect(p.rtcp?.reducedSize).toBe(true);
      // Header extensions: MID always, each one the router knows for this kind, ids unique.
      const exts = p.headerExtensions ?? [];
      expect(exts.map((e) => e.uri)).toContain(MID_URI);
      expect(new Set(exts.map((e) => e.id)).size).toBe(exts.length);
      for (const e of exts) {
        expect(routerCaps.headerExtensions!.some((r) => r.uri === e.uri && r.kind === spec.kind)).toBe(true);
      }
      if (spec.kind === 'video') {
        // RTX next to the media codec, as the router offers it.
        const rtx = p.codecs.find((c) => c.mimeType.toLowerCase() === 'video/rtx');
        expect(rtx?.parameters?.apt).toBe(p.codecs[0].payloadType);
      }
      const encodings = p.encodings ?? [];
      if (spec.simulcastEncodings) {
        expect(encodings).toHaveLength(spec.simulcastEncodings);
        // Chromium signals simulcast by RID (r0, r1, r2), lowest resolution first.
        expect(encodings.map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);
        expect(encodings.map((e) => (e as Record<string, unknown>).scaleResolutionDownBy)).toEqual([4, 2, 1]);
        expect(encodings.every((e) => e.ssrc === undefined)).toBe(true);
        // The router maps each RID to its own SSRC; a consumer sees one stream with all three spatial layers.
        expect(rec.mapping.encodings.map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);
        expect(rec.consumer.encodings![0].scalabilityMode).toMatch(/^L3T\d$/);
      } else {
        expect(encodings).toHaveLength(1);
        expect(encodings[0].ssrc).toBeGreaterThan(0);
        if (spec.kind === 'video') expect(encodings[0].rtx?.ssrc).toBeGreaterThan(0);
      }

      // tsfu's ortc: validation passed (the server would have answered an error) and the mapping is sound.
      expect(rec.mapping.encodings).toHaveLength(encodings.length);
      expect(new Set(rec.mapping.encodings.map((e) => e.mappedSsrc)).size).toBe(encodings.length);
      for (const m of rec.mapping.codecs) {
        const ours = p.codecs.find((c) => c.payloadType === m.payloadType)!;
        const router = routerCaps.codecs!.find((c) => c.preferredPayloadType === m.mappedPayloadType)!;
        expect(router.mimeType.toLowerCase()).toBe(ours.mimeType.toLowerCase());
      }
      // And the Device could consume it back through the router.
      expect(rec.canConsume).toBe(true);
      expect(rec.consumer.encodings).toHaveLength(1);
      expect(rec.consumer.encodings![0].ssrc).toBeGreaterThan(0);
    }
    expect(mids.size).toBe(produces.length);
    expect(session.server.handlerErrors).toEqual([]);
  });

  it('gets ICE and DTLS connected with tsfu, and Chromium sends SRTP with the announced SSRCs, RIDs, MIDs and payload types', async () => {
    await expect.poll(() => endpoint.dtlsState, { timeout: E2E_WAIT_MS }).toBe('connected');
    // Answered checks passed MESSAGE-INTEGRITY with our password and did not claim ICE-CONTROLLED.
    expect(endpoint.ice.counters.answered).toBeGreaterThan(0);
    expect(endpoint.ice.counters.roleConflict).toBe(0);
    expect(['connected', 'completed']).toContain(endpoint.ice.state);
    expect(endpoint.dtlsRole).toBe('server');
    expect(endpoint.ice.selectedTuple?.address).toBe('127.0.0.1');
    expect(endpoint.srtpProfile).toMatch(/^(AEAD_AES_(128|256)_GCM|AES_CM_128_HMAC_SHA1_(80|32))$/);

    // Every producer's stream arrives: single encodings by SSRC, simulcast by RID. This endpoint
    // sends no congestion feedback (REMB / transport-cc), so Chromium's estimate stays at its start
    // rate and only the lowest simulcast layer (r0) is sure to flow; r1/r2 are checked below in the
    // page's stats instead.
    const wanted = produces.flatMap((rec) => {
      const midId = rec.received.headerExtensions!.find((e) => e.uri === MID_URI)!.id;
      const ridId = rec.received.headerExtensions!.find((e) => e.uri === RID_URI)?.id;
      return (rec.received.encodings ?? []).slice(0, 1).map((enc) => ({
        label: rec.label,
        ssrc: enc.ssrc,
        rid: enc.rid,
        mid: rec.received.mid!,
        midId,
        ridId,
        payloadType: rec.received.codecs[0].payloadType,
      }));
    });
    const find = (w: (typeof wanted)[number]) =>
      [...endpoint.streams.values()].find((s) =>
        w.ssrc !== undefined ? s.ssrc === w.ssrc : s.extensions.get(w.ridId!) === w.rid,
      );
    await expect
      .poll(
        () => wanted.filter((w) => (find(w)?.packets ?? 0) < 5).map((w) => `${w.label}/${w.rid ?? w.ssrc}`),
        {
          timeout: E2E_WAIT_MS,
        },
      )
      .toEqual([]);
    for (const w of wanted) {
      const s = find(w)!;
      expect(s.payloadTypes.has(w.payloadType)).toBe(true);
      expect(s.extensions.get(w.midId)).toBe(w.mid);
    }
    expect(endpoint.counters.srtpFailures).toBe(0);
    const summary = [...endpoint.streams.values()].map((s) => ({
      ssrc: s.ssrc,
      packets: s.packets,
      payloadTypes: [...s.payloadTypes],
      extensions: Object.fromEntries(s.extensions),
    }));
    await record('chromium-media', {
      counters: endpoint.counters,
      ice: endpoint.ice.counters,
      tuples: endpoint.ice.tuples,
      selectedTuple: endpoint.ice.selectedTuple,
      srtpProfile: endpoint.srtpProfile,
      summary,
    });

    // The page's own stats: three active simulcast layers on the 640x480 camera (the field trial
    // lifts the legacy layer limit), all on the simulcast producer's MID; r0 is encoding.
    const simulcastMid = produces.find((p) => p.label === 'cam-vp8-simulcast')!.received.mid;
    // Chromium creates a layer's outbound-rtp entry lazily, so wait for all three.
    const layers = (
      await waitForRtcStats(
        page,
        'three simulcast layers',
        (st) => allOutbound(st, 'video').filter((o) => o.rid !== undefined).length === 3,
        { timeoutMs: E2E_WAIT_MS },
      )
    ).flatMap((pc) => pc.outbound.filter((o) => o.rid !== undefined));
    expect(layers.map((o) => [o.rid, o.mid, o.active]).sort()).toEqual([
      ['r0', simulcastMid, true],
      ['r1', simulcastMid, true],
      ['r2', simulcastMid, true],
    ]);
    expect(layers.find((o) => o.rid === 'r0')!.framesEncoded).toBeGreaterThan(0);
  });

  it('leaves no page errors and no Chromium process behind after close', async () => {
    await pageApi('close', null);
    expect(page.errors).toEqual([]);
    const pids = browserProcessIds(session.browser);
    expect(pids.length).toBeGreaterThan(0);
    await session.close();
    await expect.poll(() => browserProcessIds(session.browser), { timeout: E2E_WAIT_MS }).toEqual([]);
  });
});
