/**
 * Dominant speaker identification (I. Volfin, I. Cohen, "Dominant Speaker
 * Identification for Multipoint Videoconferencing", IEEE 2012), on RFC 6464
 * audio levels instead of decoded audio — the variant Jitsi's
 * DominantSpeakerIdentification and mediasoup's ActiveSpeakerObserver run,
 * with their constants, so a room switches as it would on mediasoup.
 *
 * Each speaker keeps its last second of levels (one per 20 ms). Three time
 * scales score its speech activity: *immediate* (the newest level, quantized
 * into N1 sub-bands), *medium* (how many of the newest 5 immediates are
 * loud) and *long* (how many of the last 10 mediums are busy). A challenger
 * replaces the dominant speaker only when it beats it on all three scales
 * by the margins C1, C2, C3: a cough moves the immediate score but not the
 * long one, so it does not switch. Levels near the speaker's own noise floor
 * (tracked per speaker) count as silence, so a loud but steady background
 * never scores.
 *
 * Pure: time comes in as arguments, nothing is scheduled here.
 */

/** Margins (log of score ratios) a challenger must exceed: immediate, medium, long. */
const C1 = 3;
const C2 = 2;
const C3 = 0;
/** Sub-bands of the immediate scale; immediates per medium; mediums per long. */
const N1 = 13;
const N2 = 5;
const N3 = 10;
const MAX_LEVEL = 127;
const MIN_LEVEL = 0;
/** The algorithm expects one level per 20 ms. */
const SAMPLE_MS = 20;
/** A speaker with no level for this long gets silence filled in. */
const LEVEL_IDLE_TIMEOUT_MS = 40;
/** A non-dominant speaker with no level for this long stops competing. */
const SPEAKER_IDLE_TIMEOUT_MS = 60 * 60 * 1000;
const MEDIUM_THRESHOLD = 7;
const LONG_THRESHOLD = 4;
/** Samples (15 s) over which the noise floor may rise. */
const MIN_LEVEL_WINDOW_LEN = (15 * 1000) / SAMPLE_MS;
const SUBUNIT_LENGTH_N1 = Math.floor((MAX_LEVEL - MIN_LEVEL + N1 - 1) / N1);
const IMMEDIATES_LEN = N3 * N2;
const MEDIUMS_LEN = N3;
const LEVELS_LEN = N3 * N2;
const MIN_ACTIVITY_SCORE = 1e-10;

function binomialCoefficient(n: number, r: number): number {
  const k = Math.max(r, n - r);
  let t = 1;
  for (let i = n, j = 1; i > k; i--, j++) t = (t * i) / j;
  return t;
}

/** The log-likelihood of speech given `vL` active sub-units of `nR` (the paper's eq. for each scale). */
export function activityScore(vL: number, nR: number, p: number, lambda: number): number {
  const score =
    Math.log(binomialCoefficient(nR, vL)) +
    vL * Math.log(p) +
    (nR - vL) * Math.log(1 - p) -
    Math.log(lambda) +
    lambda * vL;
  return Math.max(score, MIN_ACTIVITY_SCORE);
}

/** Counts, for each big, the littles in its slice above `threshold`; whether any big changed. */
function computeBigs(littles: Uint8Array, bigs: Uint8Array, threshold: number): boolean {
  const perBig = littles.length / bigs.length;
  let changed = false;
  for (let b = 0, l = 0; b < bigs.length; b++) {
    let sum = 0;
    for (const end = l + perBig; l < end; l++) if (littles[l] > threshold) sum++;
    if (bigs[b] !== sum) {
      bigs[b] = sum;
      changed = true;
    }
  }
  return changed;
}

/** One speaker's levels, noise floor and activity scores. */
class Speaker {
  paused: boolean;
  lastLevelAtMs: number;
  /** Scores on the immediate, medium and long scales. */
  readonly scores = [MIN_ACTIVITY_SCORE, MIN_ACTIVITY_SCORE, MIN_ACTIVITY_SCORE];
  private readonly levels = new Uint8Array(LEVELS_LEN);
  private nextLevel = 0;
  /** Newest first. */
  private readonly immediates = new Uint8Array(IMMEDIATES_LEN);
  private readonly mediums = new Uint8Array(MEDIUMS_LEN);
  private readonly longs = new Uint8Array(1);
  private minLevel = MIN_LEVEL;
  private nextMinLevel = MIN_LEVEL;
  private nextMinLevelWindowLen = 0;

  constructor(nowMs: number, paused: boolean) {
    this.lastLevelAtMs = nowMs;
    this.paused = paused;
  }

  /** A level (0 silence … 127 loudest); a gap since the last one repeats it once per 20 ms missed. */
  levelChanged(level: number, nowMs: number): void {
    if (nowMs < this.lastLevelAtMs) return;
    const elapsedMs = nowMs - this.lastLevelAtMs;
    this.lastLevelAtMs = nowMs;
    const b = Math.min(MAX_LEVEL, Math.max(MIN_LEVEL, level | 0));
    const samples = Math.min(Math.max(Math.floor(elapsedMs / SAMPLE_MS), 1), LEVELS_LEN);
    for (let i = 0; i < samples; i++) {
      this.levels[this.nextLevel] = b;
      this.nextLevel = (this.nextLevel + 1) % LEVELS_LEN;
    }
    this.updateMinLevel(b);
  }

  evalActivityScores(): void {
    if (!this.computeImmediates()) return;
    this.scores[0] = activityScore(this.immediates[0], N1, 0.5, 0.78);
    if (!computeBigs(this.immediates, this.mediums, MEDIUM_THRESHOLD)) return;
    this.scores[1] = activityScore(this.mediums[0], N2, 0.5, 24);
    if (!computeBigs(this.mediums, this.longs, LONG_THRESHOLD)) return;
    this.scores[2] = activityScore(this.longs[0], N3, 0.5, 47);
  }

  /** Quantizes the levels (newest first) into sub-bands; levels near the noise floor are silence. */
  private computeImmediates(): boolean {
    const floor = this.minLevel + SUBUNIT_LENGTH_N1;
    let changed = false;
    for (let i = 0; i < IMMEDIATES_LEN; i++) {
      const idx = (this.nextLevel - i - 1 + LEVELS_LEN) % LEVELS_LEN;
      const level = this.levels[idx] < floor ? MIN_LEVEL : this.levels[idx];
      const immediate = Math.floor(level / SUBUNIT_LENGTH_N1);
      if (this.immediates[i] !== immediate) {
        this.immediates[i] = immediate;
        changed = true;
      }
    }
    return changed;
  }

  /** The noise floor: the lowest non-silent level, allowed to rise (geometric mean) every 15 s. */
  private updateMinLevel(level: number): void {
    if (level === MIN_LEVEL) return;
    if (this.minLevel === MIN_LEVEL || this.minLevel > level) {
      this.minLevel = level;
      this.nextMinLevel = MIN_LEVEL;
      this.nextMinLevelWindowLen = 0;
      return;
    }
    if (this.nextMinLevel === MIN_LEVEL) {
      this.nextMinLevel = level;
      this.nextMinLevelWindowLen = 1;
      return;
    }
    this.nextMinLevel = Math.min(this.nextMinLevel, level);
    if (++this.nextMinLevelWindowLen < MIN_LEVEL_WINDOW_LEN) return;
    const newMin = Math.sqrt(this.minLevel * this.nextMinLevel);
    this.minLevel = Math.trunc(Math.min(MAX_LEVEL, Math.max(MIN_LEVEL, newMin)));
    this.nextMinLevel = MIN_LEVEL;
    this.nextMinLevelWindowLen = 0;
  }
}

/** The speakers of one observer, keyed by `K` (a producer), and which of them dominates. */
export class DominantSpeakerIdentification<K> {
  private readonly speakers = new Map<K, Speaker>();
  private dominant: K | undefined;
  private lastIdleCheckMs = 0;

  get dominantSpeaker(): K | undefined {
    return this.dominant;
  }

  get size(): number {
    return this.speakers.size;
  }

  has(key: K): boolean {
    return this.speakers.has(key);
  }

  /** A new speaker, silent so far; a paused one is heard but cannot take over. */
  addSpeaker(key: K, nowMs: number, paused = false): void {
    if (!this.speakers.has(key)) this.speakers.set(key, new Speaker(nowMs, paused));
  }

  /** Forgets `key`; true when it was the dominant speaker (a new one may be chosen at the next update). */
  removeSpeaker(key: K): boolean {
    if (!this.speakers.delete(key)) return false;
    if (this.dominant !== key) return false;
    this.dominant = undefined;
    return true;
  }

  setPaused(key: K, paused: boolean): void {
    const s = this.speakers.get(key);
    if (s) s.paused = paused;
  }

  /** A level of `key`: 0 (silence) … 127 (loudest), i.e. 127 minus RFC 6464's -dBov. */
  levelChanged(key: K, level: number, nowMs: number): void {
    this.speakers.get(key)?.levelChanged(level, nowMs);
  }

  /** One decision round; returns the dominant speaker when it changed, else undefined. */
  update(nowMs: number): K | undefined {
    if (nowMs - this.lastIdleCheckMs >= LEVEL_IDLE_TIMEOUT_MS) {
      if (this.lastIdleCheckMs !== 0) this.timeoutIdleLevels(nowMs);
      this.lastIdleCheckMs = nowMs;
    }
    if (this.speakers.size === 0) return undefined;
    const next = this.calculate();
    if (next === undefined || next === this.dominant) return undefined;
    this.dominant = next;
    return next;
  }

  private calculate(): K | undefined {
    if (this.speakers.size === 1) return this.speakers.keys().next().value;
    let dominantKey = this.dominant;
    let newDominant: K | undefined;
    let dominant = dominantKey === undefined ? undefined : this.speakers.get(dominantKey);
    if (dominant === undefined) {
      // No dominant speaker yet: the first one holds the floor until someone beats it.
      const first = this.speakers.entries().next().value as [K, Speaker];
      [dominantKey, dominant] = first;
      newDominant = dominantKey;
    }
    dominant.evalActivityScores();
    let bestC2 = C2;
    for (const [key, speaker] of this.speakers) {
      if (key === dominantKey || speaker.paused) continue;
      speaker.evalActivityScores();
      const c1 = Math.log(speaker.scores[0] / dominant.scores[0]);
      const c2 = Math.log(speaker.scores[1] / dominant.scores[1]);
      const c3 = Math.log(speaker.scores[2] / dominant.scores[2]);
      if (c1 > C1 && c2 > C2 && c3 > C3 && c2 > bestC2) {
        bestC2 = c2;
        newDominant = key;
      }
    }
    return newDominant;
  }

  /** Silence for speakers whose packets stopped (DTX, loss); long-idle challengers stop competing. */
  private timeoutIdleLevels(nowMs: number): void {
    for (const [key, speaker] of this.speakers) {
      const idleMs = nowMs - speaker.lastLevelAtMs;
      if (idleMs > SPEAKER_IDLE_TIMEOUT_MS && key !== this.dominant) speaker.paused = true;
      else if (idleMs > LEVEL_IDLE_TIMEOUT_MS) speaker.levelChanged(MIN_LEVEL, nowMs);
    }
  }
}
