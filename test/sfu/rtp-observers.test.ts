/**
 * RTP observers end to end: three synthetic WebRTC clients send opus with
 * the ssrc-audio-level extension (RFC 6464) over real sockets, DTLS and
 * SRTP; the router's AudioLevelObserver reports them loudest first and its
 * ActiveSpeakerObserver names the talker, then the next one. Also the
 * main-thread API around them (validation, errors, observer events,
 * producer and router close).
 */
import { encodeAudioLevel } from '@tsfu/rtp';
import {
  type ActiveSpeakerObserver,
  type AudioLevelObserver,
  type AudioLevelObserverVolume,
  NotFoundError,
  type Producer,
  type Router,
  type RtpParameters,
  type Worker,
} from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPeer,
  createRig,
  EXT,
  type Peer,
  rtp,
  URI,
  vp8ProducerParameters,
  waitFor,
} from './media-rig.js';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** Chromium's id for ssrc-audio-level. */
const AUDIO_LEVEL_ID = 1;

function opusWithLevels(mid: string, ssrc: number): RtpParameters {
  return {
    mid,
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    headerExtensions: [
      { uri: URI.mid, id: EXT.mid },
      { uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_ID },
    ],
    encodings: [{ ssrc }],
    rtcp: { cname: 'synthetic', reducedSize: true },
  } as RtpParameters;
}

/** -dBov per 20 ms frame: speech (syllables with short dips) and a quiet room. */
const SPEECH = (t: number) => (t % 260 < 200 ? 25 + (Math.floor(t / 20) % 3) * 3 : 95);
const ROOM = () => 95;

let worker: Worker;
let router: Router;
const peers: Peer[] = [];
const producers: Producer[] = [];

beforeAll(async () => {
  ({ worker, router } = await createRig());
  for (let i = 0; i < 3; i++) {
    const peer = await createPeer(router);
    peers.push(peer);
    producers.push(
      await peer.transport.produce({ kind: 'audio', rtpParameters: opusWithLevels('0', 0x100 + i) }),
    );
  }
}, 30_000);

afterAll(() => {
  for (const p of peers) p.client.close();
  worker?.close();
});

/**
 * Each client sends one opus packet per 20 ms at `voices[i](t)` until `stop()`; bounded (15 s)
 * whatever the test does.
 */
function startTalking(voices: Array<(t: number) => number>) {
  const t0 = Date.now();
  let frame = 0;
  const seqs = [0, 0, 0];
  const timer = setInterval(() => {
    const t = Date.now() - t0;
    if (t > 15_000) clearInterval(timer);
    frame++;
    peers.forEach((peer, i) => {
      const level = voices[i](t);
      seqs[i]++;
      peer.client.sendRtp(
        rtp({
          ssrc: 0x100 + i,
          payloadType: 111,
          seq: seqs[i],
          ts: frame * 960,
          payload: Buffer.alloc(40, 7),
          extensions: [
            { id: EXT.mid, value: Buffer.from('0') },
            { id: AUDIO_LEVEL_ID, value: encodeAudioLevel(level, level < 60) },
          ],
        }),
      );
    });
  }, 20);
  return {
    setVoices(next: Array<(t: number) => number>) {
      voices = next;
    },
    stop: () => clearInterval(timer),
  };
}

describe('RTP observers over real sockets', () => {
  it('volumes come loudest first and the dominant speaker follows who talks', async () => {
    const alo: AudioLevelObserver = await router.createAudioLevelObserver({
      maxEntries: 3,
      threshold: -100,
      interval: 500,
    });
    const aso: ActiveSpeakerObserver = await router.createActiveSpeakerObserver({ interval: 200 });
    for (const p of producers) {
      await alo.addProducer({ producerId: p.id });
      await aso.addProducer({ producerId: p.id });
    }
    const volumes: AudioLevelObserverVolume[][] = [];
    const dominant: Array<{ id: string; at: number }> = [];
    alo.on('volumes', (v) => volumes.push(v));
    aso.on('dominantspeaker', ({ producer }) => dominant.push({ id: producer.id, at: Date.now() }));

    // Peer 1 talks (a quieter peer 2 murmurs at a steady -70 dBov).
    const talk = startTalking([ROOM, SPEECH, () => 70]);
    try {
      const start = Date.now();
      await waitFor(() => dominant.at(-1)?.id === producers[1].id, 3_000, 'peer 1 dominant');
      expect(dominant.at(-1)!.at - start).toBeLessThanOrEqual(3_000);
      await waitFor(() => volumes.length >= 2, 3_000, 'two volumes reports');
      const last = volumes.at(-1)!;
      expect(last.map((v) => v.producer.id)).toEqual([producers[1].id, producers[2].id, producers[0].id]);
      expect(last[2].volume).toBe(-95);
      expect(last[1].volume).toBe(-70);
      expect(last[0].volume).toBeGreaterThan(-70);

      // Peer 1 stops; peer 0 starts talking.
      const switchAt = Date.now();
      talk.setVoices([SPEECH, ROOM, () => 70]);
      await waitFor(() => dominant.at(-1)?.id === producers[0].id, 3_000, 'peer 0 dominant');
      expect(dominant.at(-1)!.at - switchAt).toBeLessThanOrEqual(3_000);
    } finally {
      talk.stop();
      alo.close();
      aso.close();
    }
    // Nobody was named but the two talkers (and, at most, the first producer before anyone spoke).
    const named = new Set(dominant.map((d) => d.id));
    expect(named.has(producers[2].id)).toBe(false);
  }, 20_000);

  it('validates options as mediasoup (TypeError) and clamps nothing it should reject', async () => {
    const bad: Array<Parameters<Router['createAudioLevelObserver']>[0]> = [
      { maxEntries: 0 },
      { maxEntries: -1 },
      { maxEntries: 1.5 },
      { threshold: 1 },
      { threshold: -128 },
      { threshold: Number.NaN },
      { interval: Number.POSITIVE_INFINITY },
      // biome-ignore lint/suspicious/noExplicitAny: testing bad input
      { interval: '1000' as any },
      // biome-ignore lint/suspicious/noExplicitAny: testing bad input
      { appData: 'x' as any },
    ];
    for (const options of bad)
      await expect(router.createAudioLevelObserver(options)).rejects.toThrow(TypeError);
    // biome-ignore lint/suspicious/noExplicitAny: testing bad input
    await expect(router.createActiveSpeakerObserver({ interval: null as any })).rejects.toThrow(TypeError);
    expect((await router.dump()).rtpObserverIds).toEqual([]);
  });

  it('addProducer/removeProducer: NotFoundError, TypeError for video, observer events, producer close', async () => {
    const alo = await router.createAudioLevelObserver();
    const events: string[] = [];
    alo.observer.on('addproducer', (p) => events.push(`add ${p.id}`));
    alo.observer.on('removeproducer', (p) => events.push(`remove ${p.id}`));
    alo.observer.on('pause', () => events.push('pause'));
    alo.observer.on('resume', () => events.push('resume'));
    alo.observer.on('close', () => events.push('close'));
    await expect(alo.addProducer({ producerId: 'nope' })).rejects.toThrow(NotFoundError);
    const extra = await peers[0].transport.produce({
      kind: 'audio',
      rtpParameters: opusWithLevels('9', 0x900),
    });
    await alo.addProducer({ producerId: extra.id });
    const video = await peers[0].transport.produce({
      kind: 'video',
      rtpParameters: vp8ProducerParameters({ mid: '8', ssrc: 0x800 }),
    });
    await expect(alo.addProducer({ producerId: video.id })).rejects.toThrow(TypeError);
    video.close();
    await alo.addProducer({ producerId: producers[0].id });
    await alo.removeProducer({ producerId: producers[0].id });
    await alo.pause();
    await alo.pause();
    await alo.resume();
    const dumpOf = async (id: string) =>
      (await router.dump()).mapProducerIdObserverIds.find((e) => e.key === id)?.values;
    expect(await dumpOf(extra.id)).toEqual([alo.id]);
    extra.close();
    expect(await dumpOf(extra.id)).toBeUndefined();
    alo.close();
    expect(events).toEqual([
      `add ${extra.id}`,
      `add ${producers[0].id}`,
      `remove ${producers[0].id}`,
      'pause',
      'resume',
      'close',
    ]);
    await expect(alo.resume()).rejects.toThrow(NotFoundError);
  });

  it('closing the router closes its observers with routerclose', async () => {
    const r2 = await worker.createRouter({
      mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
    });
    const created: string[] = [];
    r2.observer.on('newrtpobserver', (o) => created.push(o.type));
    const alo = await r2.createAudioLevelObserver({ appData: { room: 'x' } });
    const aso = await r2.createActiveSpeakerObserver();
    expect(created).toEqual(['audiolevel', 'activespeaker']);
    // As mediasoup, the worker lists each observer among its request handlers.
    const handlers = (await worker.dump()).channelMessageHandlers.channelRequestHandlers;
    expect(handlers).toEqual(expect.arrayContaining([alo.id, aso.id]));
    expect(alo.appData).toEqual({ room: 'x' });
    let closes = 0;
    alo.on('routerclose', () => closes++);
    aso.on('routerclose', () => closes++);
    r2.close();
    expect([closes, alo.closed, aso.closed]).toEqual([2, true, true]);
    await expect(r2.createAudioLevelObserver()).rejects.toThrow(NotFoundError);
  });
});
