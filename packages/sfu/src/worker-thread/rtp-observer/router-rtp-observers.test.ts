/**
 * The worker Router's RTP observers, driven by real RTP bytes through a
 * (recording) transport: the ssrc-audio-level extension is read at the
 * producer's negotiated id and reaches only the observers watching that
 * producer; closing a producer or an observer unties them; `dump()` shows it.
 */
import { encodeAudioLevel, RTP_EXTENSION_URI, serializeRtpPacket } from '@tsfu/rtp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { Router } from '../router.js';
import { recordingTransport } from '../transport/recording-transport.test-util.js';
import { ActiveSpeakerObserver } from './active-speaker-observer.js';
import { AudioLevelObserver } from './audio-level-observer.js';

function opus(ssrc: number, audioLevelId: number | undefined): RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    headerExtensions: audioLevelId ? [{ uri: RTP_EXTENSION_URI.audioLevel, id: audioLevelId }] : [],
    encodings: [{ ssrc }],
    rtcp: { cname: 'x' },
  } as RtpParameters;
}

function room() {
  const notes: Array<[string, string, unknown]> = [];
  const notify: NotifyMain = (event, targetId, ...data) => {
    notes.push([event, targetId, data[0]]);
  };
  const router = new Router('r');
  const send = recordingTransport('send', router, notify);
  router.addTransport(send);
  // a and b negotiated the extension under different ids; c did not negotiate it.
  const params: Record<string, [number, number | undefined]> = {
    a: [0xa, 1],
    b: [0xb, 5],
    c: [0xc, undefined],
  };
  for (const [id, [ssrc, extId]] of Object.entries(params)) {
    send.produce({
      transportId: 'send',
      producerId: id,
      kind: 'audio',
      rtpParameters: opus(ssrc, extId),
      rtpMapping: {
        codecs: [{ payloadType: 111, mappedPayloadType: 100 }],
        encodings: [{ mappedSsrc: ssrc + 1000 }],
      },
      paused: false,
    });
  }
  const seqs = new Map<string, number>();
  /** One packet of producer `id` at `level` -dBov (no extension when `level` is undefined). */
  const packet = (id: string, level: number | undefined) => {
    const [ssrc, extId] = params[id];
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    const bytes = serializeRtpPacket({
      payloadType: 111,
      sequenceNumber: seq,
      timestamp: seq * 960,
      ssrc,
      extensions: level === undefined ? [] : [{ id: extId ?? 1, value: encodeAudioLevel(level, level < 60) }],
      payload: Buffer.alloc(20, 1),
    });
    send.receiveRtp(bytes, bytes.length, Date.now());
  };
  const alo = new AudioLevelObserver({ id: 'alo', notify, maxEntries: 5, threshold: -127, intervalMs: 1000 });
  const aso = new ActiveSpeakerObserver({ id: 'aso', notify, intervalMs: 300, now: () => Date.now() });
  router.rtpObservers.add(alo);
  router.rtpObservers.add(aso);
  const volumes = () =>
    notes
      .filter(([e]) => e === 'audiolevelobserver.volumes')
      .map(([, , d]) => d as Array<{ producerId: string }>);
  return { router, send, notes, packet, alo, aso, volumes };
}

describe('Router (worker side): RTP observers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads each producer's level at its own extension id, for the producers an observer watches only", () => {
    const { router, alo, packet, volumes } = room();
    const spy = vi.spyOn(alo, 'receiveAudioLevel');
    router.rtpObservers.addProducer(alo, router.getProducer('a'));
    router.rtpObservers.addProducer(alo, router.getProducer('b'));
    for (let i = 0; i < 20; i++) {
      packet('a', 40);
      packet('b', 20);
      packet('c', 10);
    }
    vi.advanceTimersByTime(1000);
    expect(volumes()).toEqual([
      [
        { producerId: 'b', volume: -20 },
        { producerId: 'a', volume: -40 },
      ],
    ]);
    expect(spy).toHaveBeenCalledTimes(40);
    expect(spy.mock.calls.every(([p]) => p.id !== 'c')).toBe(true);
    router.close();
  });

  it('counts (and otherwise ignores) packets of a watched producer without a level', () => {
    const { router, alo, packet } = room();
    router.rtpObservers.addProducer(alo, router.getProducer('a'));
    router.rtpObservers.addProducer(alo, router.getProducer('c'));
    packet('a', undefined);
    packet('c', 30); // c negotiated no audio-level id: whatever it sends is not read
    packet('a', 30);
    expect(router.rtpObservers.packetsWithoutLevel).toBe(2);
    router.close();
  });

  it('a closed producer leaves its observers; a closed observer its producers; dump() shows both', () => {
    const { router, send, alo, aso } = room();
    for (const id of ['a', 'b']) {
      router.rtpObservers.addProducer(alo, router.getProducer(id));
      router.rtpObservers.addProducer(aso, router.getProducer(id));
    }
    const observersOf = () =>
      Object.fromEntries(router.dump().mapProducerIdObserverIds.map(({ key, values }) => [key, values]));
    expect(router.dump().rtpObserverIds).toEqual(['alo', 'aso']);
    expect(observersOf()).toEqual({ a: ['alo', 'aso'], b: ['alo', 'aso'], c: [] });
    const removed = vi.spyOn(aso, 'removeProducer');
    send.closeProducer(router.getProducer('a'));
    expect(removed).toHaveBeenCalledTimes(1);
    expect(observersOf()).toEqual({ b: ['alo', 'aso'], c: [] });
    router.rtpObservers.close('alo');
    expect(alo.closed).toBe(true);
    expect(router.dump().rtpObserverIds).toEqual(['aso']);
    expect(observersOf()).toEqual({ b: ['aso'], c: [] });
    router.rtpObservers.removeProducer(aso, router.getProducer('b'));
    expect(observersOf()).toEqual({ b: [], c: [] });
    router.close();
    expect(aso.closed).toBe(true);
    expect(router.dump().rtpObserverIds).toEqual([]);
  });

  it('the dominant speaker is named from packets; pausing the producer stops its levels', () => {
    const { router, aso, packet, notes } = room();
    router.rtpObservers.addProducer(aso, router.getProducer('a'));
    router.rtpObservers.addProducer(aso, router.getProducer('b'));
    for (let t = 0; t < 2000; t += 20) {
      vi.advanceTimersByTime(20);
      packet('a', 97);
      packet('b', t % 260 < 200 ? 30 : 97);
    }
    expect(notes.filter(([e]) => e === 'activespeakerobserver.dominantspeaker').at(-1)?.[2]).toEqual({
      producerId: 'b',
    });
    const spy = vi.spyOn(aso, 'receiveAudioLevel');
    router.getProducer('b').pause();
    packet('b', 30);
    expect(spy).not.toHaveBeenCalled();
    router.close();
  });

  it('refuses a video producer with TypeError and keeps no watch for it', () => {
    const { router, send, alo } = room();
    send.produce({
      transportId: 'send',
      producerId: 'v',
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
        encodings: [{ ssrc: 0xd }],
      } as RtpParameters,
      rtpMapping: { codecs: [{ payloadType: 96, mappedPayloadType: 101 }], encodings: [{ mappedSsrc: 5 }] },
      paused: false,
    });
    expect(() => router.rtpObservers.addProducer(alo, router.getProducer('v'))).toThrow(TypeError);
    expect(router.rtpObservers.observerIdsOf(router.getProducer('v'))).toEqual([]);
    router.close();
  });
});
