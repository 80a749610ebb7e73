/**
 * ActiveSpeakerObserver (worker half) with fake timers: levels arrive as
 * RFC 6464 -dBov, decisions run on the observer's own interval, and
 * `dominantspeaker` names the producer when the dominant one changes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { Producer } from '../producer.js';
import { ActiveSpeakerObserver } from './active-speaker-observer.js';

function fakeProducer(id: string, kind: 'audio' | 'video' = 'audio', paused = false): Producer {
  return { id, kind, paused } as unknown as Producer;
}

/** -dBov per 20 ms frame: speech is loud syllables with short dips to the room's noise. */
const SPEECH = (t: number) => (t % 260 < 200 ? 30 - ((t / 20) % 3) * 3 : 97);
const ROOM = () => 97;
const START_MS = 1_000_000;
/** Clock offsets the scenarios run at, so they do not hang on one alignment of syllables and decisions. */
const ALIGNMENTS_MS = [0, 7, 150, 259];

function setup(intervalMs = 300) {
  const notes: string[] = [];
  const notify: NotifyMain = (event, _targetId, ...data) => {
    if (event === 'activespeakerobserver.dominantspeaker')
      notes.push((data[0] as { producerId: string }).producerId);
  };
  const o = new ActiveSpeakerObserver({ id: 'aso', notify, now: () => Date.now(), intervalMs });
  return { o, notes };
}

/** Runs `ms` of 20 ms frames, each producer at `voices[id](t)`, timers firing as time passes. */
function talk(o: ActiveSpeakerObserver, voices: Array<[Producer, (t: number) => number]>, ms: number): void {
  for (let t = 0; t < ms; t += 20) {
    vi.advanceTimersByTime(20);
    for (const [p, voice] of voices) o.receiveAudioLevel(p, voice(Date.now()), Date.now());
  }
}

interface Case {
  name: string;
  /** Phases of talk; each gives a voice per producer id. */
  phases: Array<{ ms: number; voices: Record<string, (t: number) => number> }>;
  expected: string[];
  /**
   * The first producer holds the floor until someone beats it: depending on where the first decision
   * falls in the talker's syllables, it may be named before the talker is.
   */
  mayFirstName?: string;
}

const CASES: Case[] = [
  {
    name: 'one talker among three is named',
    phases: [{ ms: 3000, voices: { a: ROOM, b: SPEECH, c: ROOM } }],
    expected: ['b'],
    mayFirstName: 'a',
  },
  {
    name: 'a second talker takes over when the first stops',
    phases: [
      { ms: 3000, voices: { a: SPEECH, b: ROOM, c: ROOM } },
      { ms: 3000, voices: { a: ROOM, b: ROOM, c: SPEECH } },
    ],
    expected: ['a', 'c'],
  },
  {
    name: 'a 200 ms cough does not switch',
    phases: [
      { ms: 3000, voices: { a: SPEECH, b: ROOM } },
      { ms: 200, voices: { a: SPEECH, b: () => 15 } },
      { ms: 3000, voices: { a: SPEECH, b: ROOM } },
    ],
    expected: ['a'],
  },
  {
    name: 'a loud steady background never takes the floor',
    phases: [{ ms: 10000, voices: { a: ROOM, b: (t) => 25 + ((t / 20) % 2) } }],
    expected: ['a'],
  },
];

describe('ActiveSpeakerObserver (worker)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START_MS);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(CASES.flatMap((c) => ALIGNMENTS_MS.map((offset) => ({ ...c, offset }))))(
    '$name (+$offset ms)',
    (c) => {
      vi.setSystemTime(START_MS + c.offset);
      const { o, notes } = setup();
      const producers = new Map(Object.keys(c.phases[0].voices).map((id) => [id, fakeProducer(id)]));
      for (const p of producers.values()) o.addProducer(p);
      for (const phase of c.phases)
        talk(
          o,
          Object.entries(phase.voices).map(([id, v]) => [producers.get(id)!, v]),
          phase.ms,
        );
      const named = c.mayFirstName !== undefined && notes[0] === c.mayFirstName ? notes.slice(1) : notes;
      expect(named).toEqual(c.expected);
      o.close();
    },
  );

  it('names the only producer at the first decision, after the interval (clamped to 100–5000 ms)', () => {
    for (const [asked, actual] of [
      [10, 100],
      [300, 300],
      [60000, 5000],
    ]) {
      const { o, notes } = setup(asked);
      o.addProducer(fakeProducer('a'));
      vi.advanceTimersByTime(actual - 1);
      expect(notes).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(notes).toEqual(['a']);
      o.close();
    }
  });

  it('removing the dominant producer hands the floor on at once; paused, it decides nothing', () => {
    const { o, notes } = setup();
    const a = fakeProducer('a');
    const b = fakeProducer('b');
    o.addProducer(a);
    o.addProducer(b);
    talk(
      o,
      [
        [a, SPEECH],
        [b, ROOM],
      ],
      1000,
    );
    expect(notes).toEqual(['a']);
    o.removeProducer(a);
    expect(notes).toEqual(['a', 'b']);
    o.pause();
    o.addProducer(a);
    talk(
      o,
      [
        [a, SPEECH],
        [b, ROOM],
      ],
      3000,
    );
    expect(notes).toEqual(['a', 'b']);
    o.resume();
    talk(
      o,
      [
        [a, SPEECH],
        [b, ROOM],
      ],
      1000,
    );
    expect(notes).toEqual(['a', 'b', 'a']);
    o.close();
    talk(o, [[b, SPEECH]], 2000);
    expect(notes).toEqual(['a', 'b', 'a']);
  });

  it('a paused producer cannot take the floor until it resumes', () => {
    const { o, notes } = setup();
    const a = fakeProducer('a');
    const b = fakeProducer('b', 'audio', true);
    o.addProducer(a);
    o.addProducer(b);
    const voices: Array<[Producer, (t: number) => number]> = [
      [a, ROOM],
      [b, SPEECH],
    ];
    talk(o, voices, 2000);
    o.producerResumed(b);
    talk(o, voices, 1000);
    expect(notes).toEqual(['a', 'b']);
    o.close();
  });

  it('refuses a video producer (TypeError) and the same producer twice', () => {
    const { o } = setup();
    expect(() => o.addProducer(fakeProducer('v', 'video'))).toThrow(TypeError);
    const a = fakeProducer('a');
    o.addProducer(a);
    expect(() => o.addProducer(a)).toThrow('Producer already in map');
    o.close();
  });
});
