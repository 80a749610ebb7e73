/**
 * `transport.produce()` / `consume()` as mediasoup 3.27.1 behaves: validation
 * (through ortc), types, consumer RTP parameters, `canConsume` agreement,
 * events, observer, pause/resume state, dumps and close cascades. No media
 * here (see test/sfu/media-plane.test.ts for the forwarding path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UnsupportedError } from '../errors.js';
import {
  createWorker,
  type Producer,
  type Router,
  type RtpCapabilities,
  type RtpParameters,
  type WebRtcTransport,
  type Worker,
} from '../index.js';

let worker: Worker;
let router: Router;
let sendT: WebRtcTransport;
let recvT: WebRtcTransport;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

const opusParams = (ssrc: number, mid = 'a'): RtpParameters => ({
  mid,
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
  rtcp: { cname: 'c1' },
});

const vp8Params = (encodings: RtpParameters['encodings'], mid = 'v'): RtpParameters => ({
  mid,
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
  encodings,
});

/** A client that can receive opus only (no video codec). */
const audioOnlyCaps: RtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
  ],
  headerExtensions: [],
};

/** Resolves when `subscribe` calls back (an event from the worker); fails after `ms`. */
function within(what: string, subscribe: (done: () => void) => void, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    subscribe(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs });
  sendT = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
  recvT = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
});

afterAll(() => worker?.close());

describe('transport.produce()', () => {
  it.each([
    ['invalid kind', { kind: 'data', rtpParameters: opusParams(1) }, TypeError],
    ['appData not an object', { kind: 'audio', rtpParameters: opusParams(1), appData: 'x' }, TypeError],
    ['codecs missing', { kind: 'audio', rtpParameters: { encodings: [{ ssrc: 1 }] } }, TypeError],
    [
      'codec not in the router',
      {
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000 }],
          encodings: [{ ssrc: 1 }],
        },
      },
      UnsupportedError,
    ],
    [
      'RTX without its media codec',
      {
        kind: 'video',
        rtpParameters: {
          codecs: [{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } }],
          encodings: [{ ssrc: 1 }],
        },
      },
      Error,
    ],
  ])('rejects %s', async (_name, options, error) => {
    await expect(sendT.produce(options as never)).rejects.toBeInstanceOf(error);
  });

  it('creates simple and simulcast producers with normalized parameters, CNAME and events', async () => {
    const observed: Producer[] = [];
    sendT.observer.on('newproducer', (p) => observed.push(p));
    const audio = await sendT.produce({ kind: 'audio', rtpParameters: opusParams(1111), appData: { n: 1 } });
    expect(audio.kind).toBe('audio');
    expect(audio.type).toBe('simple');
    expect(audio.paused).toBe(false);
    expect(audio.appData).toEqual({ n: 1 });
    // The transport's CNAME for producers was fixed by the first produce() that got that far (as mediasoup).
    const cname = audio.rtpParameters.rtcp?.cname;
    expect(cname).toMatch(/^\w+$/);
    expect(audio.rtpParameters.codecs[0].rtcpFeedback).toEqual([]); // normalized
    const sim = await sendT.produce({
      kind: 'video',
      rtpParameters: vp8Params([{ rid: 'r0' }, { rid: 'r1' }, { rid: 'r2' }]),
      paused: true,
    });
    expect(sim.type).toBe('simulcast');
    expect(sim.paused).toBe(true);
    expect(sim.rtpParameters.rtcp?.cname).toBe(cname); // one CNAME for every producer of the transport
    const svc = await sendT.produce({
      kind: 'video',
      rtpParameters: vp8Params([{ ssrc: 3333, scalabilityMode: 'L3T3' }], 'svc'),
    });
    expect(svc.type).toBe('svc');
    expect(observed.map((p) => p.id)).toEqual([audio.id, sim.id, svc.id]);
    await expect(
      sendT.produce({ id: audio.id, kind: 'audio', rtpParameters: opusParams(9) }),
    ).rejects.toThrow(/already exists/);
    // The worker refuses a second producer with an SSRC already taken on this transport.
    await expect(sendT.produce({ kind: 'audio', rtpParameters: opusParams(1111, 'b') })).rejects.toThrow(
      /ssrc/,
    );
    const dump = await sim.dump();
    expect(dump).toMatchObject({ id: sim.id, kind: 'video', type: 'simulcast', paused: true });
    expect((dump.rtpStreams as unknown[]).length).toBe(3);
    // No stream until RTP arrives on it (mediasoup creates its RtpStreamRecv then).
    expect(await audio.getStats()).toEqual([]);
    // Names that are not strings reject; unknown names are ignored (as mediasoup's Producer does).
    await expect(audio.enableTraceEvent([7 as never])).rejects.toBeInstanceOf(TypeError);
    await audio.enableTraceEvent(['bogus' as never, 'keyframe', 'rtp']);
    expect((await audio.dump()).traceEventTypes).toEqual(['rtp', 'keyframe']);
    sim.close();
    svc.close();
  });
});

describe('transport.consume()', () => {
  it('rejects a missing or unknown producer and capabilities that cannot consume it', async () => {
    await expect(
      recvT.consume({ producerId: '', rtpCapabilities: router.rtpCapabilities }),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(
      recvT.consume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const video = await sendT.produce({
      kind: 'video',
      rtpParameters: vp8Params([{ ssrc: 2222, rtx: { ssrc: 2223 } }]),
    });
    // canConsume agrees with consume().
    expect(router.canConsume({ producerId: video.id, rtpCapabilities: audioOnlyCaps })).toBe(false);
    await expect(
      recvT.consume({ producerId: video.id, rtpCapabilities: audioOnlyCaps }),
    ).rejects.toBeInstanceOf(UnsupportedError);
    expect(router.canConsume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities })).toBe(true);
    video.close();
  });

  it('gives each consumer a new SSRC (+ RTX for video), the router payload types and increasing MIDs', async () => {
    const audio = [...sendT.producersForTesting.values()].find((p) => p.kind === 'audio')!;
    const video = await sendT.produce({
      kind: 'video',
      rtpParameters: vp8Params([{ ssrc: 4444, rtx: { ssrc: 4445 } }], 'v2'),
    });
    const ca = await recvT.consume({
      producerId: audio.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    const cv = await recvT.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
    expect(ca.rtpParameters.mid).toBe('0');
    expect(cv.rtpParameters.mid).toBe('1');
    expect(ca.paused).toBe(true);
    expect(ca.type).toBe('simple');
    expect(ca.rtpParameters.encodings![0].rtx).toBeUndefined(); // audio: no RTX by default
    const enc = cv.rtpParameters.encodings![0];
    expect(enc.ssrc).not.toBe(4444);
    expect(enc.rtx?.ssrc).toBeGreaterThan(0);
    expect(cv.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([
      [
        'video/VP8',
        router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!.preferredPayloadType,
      ],
      [
        'video/rtx',
        router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/rtx')!.preferredPayloadType,
      ],
    ]);
    const noRtx = await recvT.consume({
      producerId: video.id,
      rtpCapabilities: router.rtpCapabilities,
      enableRtx: false,
    });
    expect(noRtx.rtpParameters.encodings![0].rtx).toBeUndefined();
    const withMid = await recvT.consume({
      producerId: video.id,
      rtpCapabilities: router.rtpCapabilities,
      mid: 'x',
    });
    expect(withMid.rtpParameters.mid).toBe('x');
    const rd = await router.dump();
    expect(rd.mapConsumerIdProducerId).toContainEqual({ key: cv.id, value: video.id });
    expect(rd.mapProducerIdConsumerIds.find((e) => e.key === audio.id)?.values).toEqual([ca.id]);
    const [stat] = await cv.getStats();
    expect(stat).toMatchObject({ type: 'outbound-rtp', ssrc: enc.ssrc, kind: 'video', packetCount: 0 });
    expect(await cv.dump()).toMatchObject({ id: cv.id, producerId: video.id, type: 'simple', paused: false });
    await expect(cv.setPriority(-1)).rejects.toBeInstanceOf(TypeError);
    await cv.setPriority(2);
    expect(cv.priority).toBe(2);
    await cv.unsetPriority();
    expect(cv.priority).toBe(1);
    await expect(cv.setPreferredLayers({} as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('pause/resume update state and observer events; producer pause reaches its consumers', async () => {
    const video = [...sendT.producersForTesting.values()].find((p) => p.rtpParameters.mid === 'v2')!;
    const c = await recvT.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
    const seen: string[] = [];
    c.observer.on('pause', () => seen.push('observer pause'));
    c.observer.on('resume', () => seen.push('observer resume'));
    c.on('producerpause', () => seen.push('producerpause'));
    c.on('producerresume', () => seen.push('producerresume'));
    await c.pause();
    await c.resume();
    const paused = within('producerpause', (done) => c.once('producerpause', done));
    await video.pause();
    await video.pause(); // twice: no second event
    await paused;
    expect(c.producerPaused).toBe(true);
    // The worker notifies in order: a second producerpause would come before producerresume.
    const resumed = within('producerresume', (done) => c.once('producerresume', done));
    await video.resume();
    await resumed;
    expect(seen).toEqual([
      'observer pause',
      'observer resume',
      'producerpause',
      'observer pause',
      'producerresume',
      'observer resume',
    ]);
    const late = await recvT.consume({ producerId: video.id, rtpCapabilities: router.rtpCapabilities });
    expect(late.producerPaused).toBe(false);
  });

  it('closes in cascade: producer → producerclose; router → transports → producers and consumers', async () => {
    const p = await sendT.produce({ kind: 'audio', rtpParameters: opusParams(5555, 'z') });
    const c = await recvT.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
    const order: string[] = [];
    c.on('producerclose', () => order.push('producerclose'));
    c.observer.on('close', () => order.push('consumer observer close'));
    const closed = within('consumer observer close', (done) => c.observer.once('close', done));
    p.close();
    await closed;
    expect(order).toEqual(['producerclose', 'consumer observer close']);
    expect(c.closed).toBe(true);
    await expect(c.getStats()).rejects.toThrow(/closed/);

    const p2 = await sendT.produce({ kind: 'audio', rtpParameters: opusParams(6666, 'y') });
    const c2 = await recvT.consume({ producerId: p2.id, rtpCapabilities: router.rtpCapabilities });
    const events: string[] = [];
    p2.on('transportclose', () => events.push('producer transportclose'));
    c2.on('transportclose', () => events.push('consumer transportclose'));
    router.close();
    expect(events.sort()).toEqual(['consumer transportclose', 'producer transportclose']);
    expect(p2.closed && c2.closed).toBe(true);
    await expect(sendT.produce({ kind: 'audio', rtpParameters: opusParams(7) })).rejects.toThrow(/closed/);
  });
});
