/**
 * The SVC layer rules on synthetic packet sequences: one row per packet
 * (spatial, temporal layer, keyframe / begin / end / switching-up flags),
 * what is forwarded and the current layers after it.
 */
import { describe, expect, it } from 'vitest';
import { SvcLayerFilter } from './svc-layer-filter.js';

/**
 * `S<sid>T<tid>` plus flags: k keyframe, b begin, e end, u switching up point to its own layer (VP9
 * U bit), a switching up point to all layers (AV1 temporal layer 0 frame).
 */
function run(f: SvcLayerFilter, packets: string[]): string[] {
  return packets.map((p) => {
    const m = /^S(\d)T(\d)([kbeua]*)$/.exec(p);
    if (!m) throw new Error(p);
    const flags = m[3];
    const ok = f.pass(
      Number(m[1]),
      Number(m[2]),
      flags.includes('k'),
      flags.includes('b'),
      flags.includes('e'),
      flags.includes('u') ? Number(m[2]) : flags.includes('a') ? f.temporalLayers - 1 : -1,
    );
    return `${p}:${ok ? (f.marker ? 'M' : '+') : '-'}@${f.currentSpatial}/${f.currentTemporal}`;
  });
}

/** One L3 picture of temporal layer `t`: three layer frames of one packet each. */
const picture = (t: number, flags = 'be', key = false) =>
  [0, 1, 2].map((s) => `S${s}T${t}${key && s === 0 ? 'k' : ''}${flags}`);

function filter(target: [number, number], layers: [number, number] = [3, 3]) {
  const f = new SvcLayerFilter(layers[0], layers[1]);
  f.targetSpatial = target[0];
  f.targetTemporal = target[1];
  return f;
}

/** On layer 0, target 2: a delta picture stays on 0 (marker on its layer 0), the keyframe goes up to 2. */
const UP_AT_KEYFRAME = [
  'S0T0be:M@0/0',
  'S1T0be:-@0/0',
  'S2T0be:-@0/0',
  'S0T0kbe:+@2/0',
  'S1T0be:+@2/0',
  'S2T0be:M@2/0',
];

describe('SvcLayerFilter', () => {
  it('waits for a keyframe, then forwards up to the target spatial layer, marking its frame end', () => {
    const f = filter([1, 0]);
    expect(run(f, [...picture(0), ...picture(0, 'be', true), ...picture(0)])).toEqual([
      'S0T0be:-@-1/-1',
      'S1T0be:-@-1/-1',
      'S2T0be:-@-1/-1',
      'S0T0kbe:+@1/0',
      'S1T0be:M@1/0',
      'S2T0be:-@1/0',
      'S0T0be:+@1/0',
      'S1T0be:M@1/0',
      'S2T0be:-@1/0',
    ]);
  });

  it('goes up a spatial layer only at a keyframe; asks for one meanwhile', () => {
    const f = filter([0, 0]);
    run(f, picture(0, 'be', true));
    f.targetSpatial = 2;
    expect(f.needsKeyFrame).toBe(true);
    expect(run(f, [...picture(0), ...picture(0, 'be', true)])).toEqual(UP_AT_KEYFRAME);
    expect(f.needsKeyFrame).toBe(false);
  });

  it('full SVC goes down at the end of a frame of the target layer, no keyframe', () => {
    const f = filter([2, 0]);
    run(f, picture(0, 'be', true));
    f.targetSpatial = 0;
    expect(f.needsKeyFrame).toBe(false);
    // Layer frames of two packets: the switch happens at S0's last packet, mid-picture.
    expect(run(f, ['S0T0b', 'S0T0e', 'S1T0b', 'S1T0e', 'S2T0be'])).toEqual([
      'S0T0b:+@2/0',
      'S0T0e:M@0/0',
      'S1T0b:-@0/0',
      'S1T0e:-@0/0',
      'S2T0be:-@0/0',
    ]);
  });

  it('K-SVC (L3T3_KEY) goes down the same way: at the end of a target-layer frame, no keyframe asked', () => {
    // After the keyframe each layer references only its own earlier frames, which the receiver has.
    const f = filter([2, 0]);
    run(f, picture(0, 'be', true));
    f.targetSpatial = 1;
    expect(f.needsKeyFrame).toBe(false);
    expect(run(f, [...picture(0), ...picture(0)])).toEqual([
      'S0T0be:+@2/0',
      'S1T0be:M@1/0',
      'S2T0be:-@1/0',
      'S0T0be:+@1/0',
      'S1T0be:M@1/0',
      'S2T0be:-@1/0',
    ]);
    f.targetSpatial = 0;
    expect(f.needsKeyFrame).toBe(false);
    expect(run(f, picture(0))).toEqual(['S0T0be:M@0/0', 'S1T0be:-@0/0', 'S2T0be:-@0/0']);
    // Up again only at a keyframe.
    f.targetSpatial = 2;
    expect(f.needsKeyFrame).toBe(true);
    expect(run(f, [...picture(0), ...picture(0, 'be', true)])).toEqual(UP_AT_KEYFRAME);
  });

  it('temporal: up at a switching point at a frame start, down at the end of a target-layer frame', () => {
    const f = filter([0, 0], [1, 3]);
    // L1T3 pattern 0 2 1 2: T1/T2 are switching up points except the marked ones.
    const seq = ['S0T0kbe', 'S0T2be', 'S0T1be', 'S0T2be', 'S0T0be'];
    expect(run(f, seq)).toEqual([
      'S0T0kbe:M@0/0',
      'S0T2be:-@0/0',
      'S0T1be:-@0/0',
      'S0T2be:-@0/0',
      'S0T0be:M@0/0',
    ]);
    f.targetTemporal = 2;
    // Not a switching up point: stays; then T1 with U: up to 1; T2 with U: up to 2.
    expect(run(f, ['S0T2be', 'S0T1ube', 'S0T2ube', 'S0T0be'])).toEqual([
      'S0T2be:-@0/0',
      'S0T1ube:M@0/1',
      'S0T2ube:M@0/2',
      'S0T0be:M@0/2',
    ]);
    f.targetTemporal = 0;
    // Down at the end of a T0 frame; from then T1/T2 are dropped.
    expect(run(f, ['S0T2be', 'S0T0b', 'S0T0e', 'S0T1be'])).toEqual([
      'S0T2be:M@0/2',
      'S0T0b:+@0/2',
      'S0T0e:M@0/0',
      'S0T1be:-@0/0',
    ]);
  });

  it('AV1: a temporal layer 0 frame opens every layer up to the target at once', () => {
    const f = filter([0, 0], [1, 3]);
    run(f, ['S0T0kbea']);
    f.targetTemporal = 1;
    // No T0 frame start yet: T2 and T1 stay dropped; at the T0 frame start up to the target (1), not 2.
    expect(run(f, ['S0T2be', 'S0T1be', 'S0T0bea', 'S0T2be', 'S0T1be'])).toEqual([
      'S0T2be:-@0/0',
      'S0T1be:-@0/0',
      'S0T0bea:M@0/1',
      'S0T2be:-@0/1',
      'S0T1be:M@0/1',
    ]);
    f.targetTemporal = 2;
    // Mid-frame (no begin) it does not switch.
    expect(run(f, ['S0T0ea', 'S0T2be', 'S0T0bea', 'S0T2be'])).toEqual([
      'S0T0ea:M@0/1',
      'S0T2be:-@0/1',
      'S0T0bea:M@0/2',
      'S0T2be:M@0/2',
    ]);
  });

  it('drops layers beyond the stream (bad descriptor) and everything without a target', () => {
    const f = filter([2, 2]);
    run(f, picture(0, 'be', true));
    expect(run(f, ['S3T0be', 'S0T3be'])).toEqual(['S3T0be:-@2/0', 'S0T3be:-@2/0']);
    f.targetSpatial = -1;
    expect(run(f, ['S0T0be'])).toEqual(['S0T0be:-@2/0']);
    f.targetSpatial = 2;
    f.reset();
    expect(run(f, ['S0T0be', 'S0T0kbe'])).toEqual(['S0T0be:-@-1/-1', 'S0T0kbe:+@2/0']);
  });
});
