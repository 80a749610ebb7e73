/**
 * AudioLevelObserver (worker half) on synthetic level sequences, with fake
 * timers: what each interval reports (`volumes`, loudest first, averaged,
 * thresholded, cut at maxEntries) or `silence`, once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { Producer } from '../producer.js';
import { AudioLevelObserver } from './audio-level-observer.js';

type Note = [event: string, data: unknown];

function fakeProducer(id: string, kind: 'audio' | 'video' = 'audio'): Producer {
  return { id, kind, paused: false } as unknown as Producer;
}

function observer(opts: { maxEntries?: number; threshold?: number; intervalMs?: number } = {}) {
  const notes: Note[] = [];
  const notify: NotifyMain = (event, _targetId, ...data) => {
    notes.push([event, data[0]]);
  };
  const o = new AudioLevelObserver({
    id: 'alo',
    notify,
    now: () => Date.now(),
    maxEntries: opts.maxEntries ?? 1,
    threshold: opts.threshold ?? -80,
    intervalMs: opts.intervalMs ?? 1000,
  });
  return { o, notes };
}

/** Feeds `count` packets of each producer at its level (-dBov, 0 loudest … 127 silence). */
function feed(
  o: AudioLevelObserver,
  levels: Record<string, number | number[]>,
  producers: Map<string, Producer>,
  count = 50,
) {
  for (let i = 0; i < count; i++)
    for (const [id, l] of Object.entries(levels)) {
      const level = Array.isArray(l) ? l[i % l.length] : l;
      o.receiveAudioLevel(producers.get(id)!, level, Date.now());
    }
}

interface Case {
  name: string;
  opts: { maxEntries?: number; threshold?: number };
  levels: Record<string, number | number[]>;
  packets?: number;
  expected: Note[];
}

const CASES: Case[] = [
  {
    name: 'loudest first, all of them within maxEntries',
    opts: { maxEntries: 3 },
    levels: { a: 30, b: 10, c: 50 },
    expected: [
      [
        'audiolevelobserver.volumes',
        [
          { producerId: 'b', volume: -10 },
          { producerId: 'a', volume: -30 },
          { producerId: 'c', volume: -50 },
        ],
      ],
    ],
  },
  {
    name: 'maxEntries cuts the list after the loudest',
    opts: { maxEntries: 1 },
    levels: { a: 30, b: 10, c: 50 },
    expected: [['audiolevelobserver.volumes', [{ producerId: 'b', volume: -10 }]]],
  },
  {
    name: 'the threshold leaves quieter producers out',
    opts: { maxEntries: 5, threshold: -40 },
    levels: { a: 30, b: 10, c: 50 },
    expected: [
      [
        'audiolevelobserver.volumes',
        [
          { producerId: 'b', volume: -10 },
          { producerId: 'a', volume: -30 },
        ],
      ],
    ],
  },
  {
    name: 'the volume is the average over the interval, rounded',
    opts: { maxEntries: 2 },
    levels: { a: [10, 21], b: [60, 60, 61] },
    expected: [
      [
        'audiolevelobserver.volumes',
        [
          { producerId: 'a', volume: -16 },
          { producerId: 'b', volume: -60 },
        ],
      ],
    ],
  },
  {
    name: 'a producer with fewer than 10 packets in the interval is not reported',
    opts: { maxEntries: 2 },
    levels: { a: 20 },
    packets: 9,
    expected: [],
  },
  {
    name: 'nothing above the threshold before any volumes: already silent, no event',
    opts: { threshold: -20 },
    levels: { a: 30 },
    expected: [],
  },
];

describe('AudioLevelObserver (worker)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(CASES)('$name', (c) => {
    const { o, notes } = observer(c.opts);
    const producers = new Map(Object.keys(c.levels).map((id) => [id, fakeProducer(id)]));
    for (const p of producers.values()) o.addProducer(p);
    feed(o, c.levels, producers, c.packets);
    expect(notes).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(notes).toEqual(c.expected);
    o.close();
  });

  it('reports silence once when the room goes quiet, and volumes again when it speaks', () => {
    const { o, notes } = observer();
    const a = fakeProducer('a');
    const producers = new Map([['a', a]]);
    o.addProducer(a);
    feed(o, { a: 20 }, producers);
    vi.advanceTimersByTime(1000);
    feed(o, { a: 100 }, producers);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(1000); // no packets at all
    feed(o, { a: 25 }, producers);
    vi.advanceTimersByTime(1000);
    expect(notes).toEqual([
      ['audiolevelobserver.volumes', [{ producerId: 'a', volume: -20 }]],
      ['audiolevelobserver.silence', undefined],
      ['audiolevelobserver.volumes', [{ producerId: 'a', volume: -25 }]],
    ]);
    o.close();
  });

  it('reports every interval, clamped to 250–5000 ms', () => {
    for (const [asked, actual] of [
      [100, 250],
      [600, 600],
      [9000, 5000],
    ]) {
      const { o, notes } = observer({ intervalMs: asked });
      const a = fakeProducer('a');
      o.addProducer(a);
      feed(o, { a: 5 }, new Map([['a', a]]));
      vi.advanceTimersByTime(actual - 1);
      expect(notes).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(notes).toHaveLength(1);
      expect(o.intervalMs).toBe(actual);
      o.close();
    }
  });

  it('pause reports silence and drops levels until resume; a closed observer reports nothing', () => {
    const { o, notes } = observer();
    const a = fakeProducer('a');
    const producers = new Map([['a', a]]);
    o.addProducer(a);
    feed(o, { a: 20 }, producers);
    vi.advanceTimersByTime(1000);
    o.pause();
    feed(o, { a: 20 }, producers);
    vi.advanceTimersByTime(3000);
    o.resume();
    vi.advanceTimersByTime(1000);
    feed(o, { a: 30 }, producers);
    vi.advanceTimersByTime(1000);
    o.close();
    feed(o, { a: 30 }, producers);
    vi.advanceTimersByTime(5000);
    expect(notes).toEqual([
      ['audiolevelobserver.volumes', [{ producerId: 'a', volume: -20 }]],
      ['audiolevelobserver.silence', undefined],
      ['audiolevelobserver.volumes', [{ producerId: 'a', volume: -30 }]],
    ]);
  });

  it('a paused producer is left out until it resumes; a removed one for good', () => {
    const { o, notes } = observer({ maxEntries: 3 });
    const a = fakeProducer('a');
    const b = fakeProducer('b');
    const producers = new Map([
      ['a', a],
      ['b', b],
    ]);
    o.addProducer(a);
    o.addProducer(b);
    o.producerPaused(a);
    feed(o, { a: 10, b: 20 }, producers);
    vi.advanceTimersByTime(1000);
    o.producerResumed(a);
    feed(o, { a: 10, b: 20 }, producers);
    vi.advanceTimersByTime(1000);
    o.removeProducer(b);
    feed(o, { a: 10, b: 20 }, producers);
    vi.advanceTimersByTime(1000);
    expect(notes.map(([, d]) => (d as Array<{ producerId: string }>).map((v) => v.producerId))).toEqual([
      ['b'],
      ['a', 'b'],
      ['a'],
    ]);
    o.close();
  });

  it('refuses a video producer and bad settings (TypeError)', () => {
    const { o } = observer();
    expect(() => o.addProducer(fakeProducer('v', 'video'))).toThrow(TypeError);
    o.close();
    const notify: NotifyMain = () => {};
    expect(
      () => new AudioLevelObserver({ id: 'x', notify, maxEntries: 1, threshold: 1, intervalMs: 1000 }),
    ).toThrow(TypeError);
    expect(
      () => new AudioLevelObserver({ id: 'x', notify, maxEntries: 0, threshold: -80, intervalMs: 1000 }),
    ).toThrow(TypeError);
  });
});
