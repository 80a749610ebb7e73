import { describe, expect, it } from 'vitest';
import { activityScore, DominantSpeakerIdentification } from './dominant-speaker.js';

/** A level (0 silence … 127 loudest) per 20 ms frame, by time. */
type Voice = (tMs: number) => number;

const SILENT: Voice = () => 0;
/** A mic's room noise, no speech. */
const ROOM: Voice = () => 30;
/** Speech: 200 ms syllables near 95–101, 60 ms dips to the room's noise between them. */
const SPEECH: Voice = (t) => (t % 260 < 200 ? 95 + ((t / 20) % 3) * 3 : 30);
/** A loud steady background (fan, music bed) with a little jitter and no pauses. */
const STEADY_NOISE: Voice = (t) => 100 + ((t / 20) % 2);

const during =
  (from: number, to: number, inside: Voice, outside: Voice): Voice =>
  (t) =>
    t >= from && t < to ? inside(t) : outside(t);

interface Scenario {
  name: string;
  /** In insertion order: the first one holds the floor until someone beats it. */
  speakers: Record<string, Voice>;
  durationMs: number;
  /** Expected dominant-speaker changes, in order, each by a deadline. */
  expected: Array<{ speaker: string; byMs: number; notBeforeMs?: number }>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'one talker among silent mics takes the floor',
    speakers: { a: SILENT, b: SPEECH, c: ROOM },
    durationMs: 6000,
    // It beats the first mic at the first decision.
    expected: [{ speaker: 'b', byMs: 600 }],
  },
  {
    name: 'a talker taking over switches once the first one stops',
    speakers: { a: during(0, 5000, SPEECH, ROOM), b: during(5000, 10000, SPEECH, ROOM), c: ROOM },
    durationMs: 10000,
    expected: [
      { speaker: 'a', byMs: 300 },
      { speaker: 'b', notBeforeMs: 5000, byMs: 6500 },
    ],
  },
  {
    name: 'a short cough does not take the floor from a talker',
    speakers: { a: SPEECH, b: during(5000, 5200, () => 110, ROOM), c: ROOM },
    durationMs: 8000,
    expected: [{ speaker: 'a', byMs: 300 }],
  },
  {
    name: 'a loud steady background never wins over a quieter talker',
    speakers: { noise: STEADY_NOISE, talker: (t) => Math.max(0, SPEECH(t) - 10), c: ROOM },
    durationMs: 20000,
    expected: [{ speaker: 'talker', byMs: 600 }],
  },
  {
    name: 'a loud steady background alone with silent mics does not take over from the first',
    speakers: { a: ROOM, noise: STEADY_NOISE },
    durationMs: 20000,
    expected: [{ speaker: 'a', byMs: 300 }],
  },
  {
    name: 'the floor goes back and forth in a conversation',
    speakers: {
      a: (t) => (Math.floor(t / 4000) % 2 === 0 ? SPEECH(t) : 30),
      b: (t) => (Math.floor(t / 4000) % 2 === 1 ? SPEECH(t) : 30),
    },
    durationMs: 16000,
    expected: [
      { speaker: 'a', byMs: 300 },
      { speaker: 'b', notBeforeMs: 4000, byMs: 5500 },
      { speaker: 'a', notBeforeMs: 8000, byMs: 9500 },
      { speaker: 'b', notBeforeMs: 12000, byMs: 13500 },
    ],
  },
];

/** Feeds 20 ms frames and decides every `intervalMs`, as the observer does; returns the changes. */
function run(s: Scenario, intervalMs = 300): Array<{ speaker: string; atMs: number }> {
  const dsi = new DominantSpeakerIdentification<string>();
  const t0 = 1_000_000;
  for (const key of Object.keys(s.speakers)) dsi.addSpeaker(key, t0);
  const changes: Array<{ speaker: string; atMs: number }> = [];
  for (let t = 0; t <= s.durationMs; t += 20) {
    for (const [key, voice] of Object.entries(s.speakers)) dsi.levelChanged(key, voice(t), t0 + t);
    if (t > 0 && t % intervalMs === 0) {
      const next = dsi.update(t0 + t);
      if (next !== undefined) changes.push({ speaker: next, atMs: t });
    }
  }
  return changes;
}

describe('DominantSpeakerIdentification', () => {
  it.each(SCENARIOS)('$name', (s) => {
    const changes = run(s);
    expect(changes.map((c) => c.speaker)).toEqual(s.expected.map((e) => e.speaker));
    changes.forEach((c, i) => {
      expect(c.atMs).toBeLessThanOrEqual(s.expected[i].byMs);
      expect(c.atMs).toBeGreaterThanOrEqual(s.expected[i].notBeforeMs ?? 0);
    });
  });

  it('scores more activity higher on each scale, and silence at the floor', () => {
    expect(activityScore(0, 13, 0.5, 0.78)).toBe(1e-10);
    expect(activityScore(10, 13, 0.5, 0.78)).toBeGreaterThan(activityScore(8, 13, 0.5, 0.78));
    expect(activityScore(5, 5, 0.5, 24)).toBeGreaterThan(activityScore(1, 5, 0.5, 24));
    expect(activityScore(10, 10, 0.5, 47)).toBeGreaterThan(activityScore(2, 10, 0.5, 47));
  });

  it('one speaker is dominant at once; removing the dominant one hands the floor on', () => {
    const dsi = new DominantSpeakerIdentification<string>();
    dsi.addSpeaker('a', 1000);
    expect(dsi.update(1300)).toBe('a');
    expect(dsi.update(1600)).toBeUndefined();
    dsi.addSpeaker('b', 1600);
    expect(dsi.removeSpeaker('b')).toBe(false);
    dsi.addSpeaker('b', 1600);
    expect(dsi.removeSpeaker('a')).toBe(true);
    expect(dsi.dominantSpeaker).toBeUndefined();
    expect(dsi.update(1900)).toBe('b');
    expect(dsi.removeSpeaker('b')).toBe(true);
    expect(dsi.update(2200)).toBeUndefined();
    expect(dsi.size).toBe(0);
  });

  it('a paused challenger cannot take the floor', () => {
    const dsi = new DominantSpeakerIdentification<string>();
    dsi.addSpeaker('a', 0);
    dsi.addSpeaker('b', 0, true);
    const changes: string[] = [];
    for (let t = 20; t <= 3000; t += 20) {
      dsi.levelChanged('a', 30, t);
      dsi.levelChanged('b', SPEECH(t), t);
      if (t % 300 === 0) {
        const c = dsi.update(t);
        if (c) changes.push(c);
      }
    }
    expect(changes).toEqual(['a']);
    dsi.setPaused('b', false);
    for (let t = 3020; t <= 4500; t += 20) {
      dsi.levelChanged('a', 30, t);
      dsi.levelChanged('b', SPEECH(t), t);
      if (t % 300 === 0) {
        const c = dsi.update(t);
        if (c) changes.push(c);
      }
    }
    expect(changes).toEqual(['a', 'b']);
  });

  it('a speaker whose packets stop is heard as silent (DTX), so a talker takes over', () => {
    const dsi = new DominantSpeakerIdentification<string>();
    dsi.addSpeaker('a', 0);
    dsi.addSpeaker('b', 0);
    const changes: string[] = [];
    for (let t = 20; t <= 6000; t += 20) {
      if (t < 3000) dsi.levelChanged('a', SPEECH(t), t);
      else dsi.levelChanged('b', SPEECH(t), t); // a sends nothing from 3 s on
      if (t < 3000) dsi.levelChanged('b', 30, t);
      if (t % 300 === 0) {
        const c = dsi.update(t);
        if (c) changes.push(c);
      }
    }
    expect(changes).toEqual(['a', 'b']);
  });
});
