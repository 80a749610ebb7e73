/**
 * ActiveSpeakerObserver with Chromium: three mediasoup-client pages produce
 * audio into one tsfu router; each page's "microphone" is a speech-like WAV
 * generated here, looped at a gain the test sets (0 = silent). The observer
 * watches the three producers (the loud one added last, so it must beat the
 * others rather than inherit the floor); `dominantspeaker` names the loud
 * page's producer within 3 s, then the other page's once it starts talking
 * and the first stops. The levels are Chromium's own ssrc-audio-level.
 */
import type { ActiveSpeakerObserver, AudioLevelObserver, AudioLevelObserverVolume } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPage, E2E_WAIT_MS, type E2ePage } from './harness/index.js';
import type { SpeakerPageApi } from './pages/speaker-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';
import { speechLikeWav } from './speech-wav.js';

let room: SfuRoom;
const pages: E2ePage[] = [];

const call = <M extends keyof SpeakerPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SpeakerPageApi[M]>[0],
) => callPage<SpeakerPageApi, M>(page, method, arg);

/** Resolves when `cond` holds, polling every 20 ms; rejects after `ms`. */
async function within(ms: number, cond: () => boolean, what: string): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  room = await startSfuRoom({
    pages: ['pages/speaker.ts'],
    // Web Audio must run without a click.
    browserArgs: ['--autoplay-policy=no-user-gesture-required'],
  });
  for (const name of ['A', 'B', 'C']) pages.push(await room.session.openPage('speaker', name));
});

afterAll(async () => {
  await room?.close();
});

describe('Chromium pages → tsfu ActiveSpeakerObserver', () => {
  it('names the talking page within 3 s and switches when another page talks', async () => {
    const [a, b, c] = pages;
    const wavBase64 = speechLikeWav().toString('base64');
    for (const p of pages) await call(p, 'load', null);
    // C silent, B silent for now, A talks.
    const ids = {
      c: (await call(c, 'produceWav', { wavBase64, gain: 0 })).id,
      b: (await call(b, 'produceWav', { wavBase64, gain: 0 })).id,
      a: (await call(a, 'produceWav', { wavBase64, gain: 1 })).id,
    };
    const router = room.routers[0];
    const aso: ActiveSpeakerObserver = await router.createActiveSpeakerObserver();
    const alo: AudioLevelObserver = await router.createAudioLevelObserver({ maxEntries: 3, interval: 500 });
    const named: string[] = [];
    const volumes: AudioLevelObserverVolume[][] = [];
    aso.on('dominantspeaker', ({ producer }) => named.push(producer.id));
    alo.on('volumes', (v) => volumes.push(v));
    // Wait until every producer's packets flow, then watch them (the loud one last).
    for (const id of [ids.c, ids.b, ids.a]) {
      const producer = room.producers.get(id)!;
      await expect
        .poll(async () => (await producer.getStats())[0]?.packetCount ?? 0, { timeout: E2E_WAIT_MS })
        .toBeGreaterThan(50);
    }
    for (const id of [ids.c, ids.b, ids.a]) await alo.addProducer({ producerId: id });
    const watchedAt = Date.now();
    for (const id of [ids.c, ids.b, ids.a]) await aso.addProducer({ producerId: id });

    await within(3_000 - (Date.now() - watchedAt), () => named.at(-1) === ids.a, 'A dominant');
    await within(3_000, () => volumes.length > 0, 'a volumes report');
    // Only A is above the default threshold (-80 dBov): B and C send digital silence (127).
    expect(volumes.at(-1)!.map((v) => v.producer.id)).toEqual([ids.a]);

    await call(b, 'setGain', 1);
    await call(a, 'setGain', 0);
    await within(3_000, () => named.at(-1) === ids.b, 'B dominant after it talks');
    // The first producer watched (C) holds the floor until someone beats it, so it may be named first.
    expect(named.filter((id, i) => !(i === 0 && id === ids.c))).toEqual([ids.a, ids.b]);
    alo.close();
    aso.close();
  });
});
