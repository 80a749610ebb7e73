import { describe, expect, it } from 'vitest';
import { NACK_MAX_LIST, NackGenerator } from './nack-generator.js';

describe('NackGenerator', () => {
  // Each row: packets fed as [seq, keyframe], then what is due at t=0 and after retries.
  const rows: Array<{
    name: string;
    feed: Array<[number, boolean]>;
    due: number[] | undefined;
    recovered: number;
  }> = [
    {
      name: 'in order: nothing missing',
      feed: [
        [1, false],
        [2, false],
        [3, false],
      ],
      due: undefined,
      recovered: 0,
    },
    {
      name: 'one gap',
      feed: [
        [1, false],
        [2, false],
        [5, false],
      ],
      due: [3, 4],
      recovered: 0,
    },
    {
      name: 'gap filled late (reordering)',
      feed: [
        [1, false],
        [3, false],
        [2, false],
      ],
      due: undefined,
      recovered: 1,
    },
    {
      name: 'gap across the 16-bit wrap',
      feed: [
        [65534, false],
        [1, false],
      ],
      due: [65535, 0],
      recovered: 0,
    },
    {
      name: 'keyframe gives up older losses',
      feed: [
        [1, false],
        [4, false],
        [6, true],
      ],
      due: undefined,
      recovered: 0,
    },
    {
      name: 'duplicate and old packets ignored',
      feed: [
        [10, false],
        [10, false],
        [9, false],
        [12, false],
      ],
      due: [11],
      recovered: 0,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const g = new NackGenerator();
      for (const [seq, kf] of r.feed) expect(g.onPacket(seq, kf)).toBe(true);
      expect(g.due(0)).toEqual(r.due);
      expect(g.recovered).toBe(r.recovered);
    });
  }

  it('retries each loss after the retry interval, up to maxRetries, then gives up', () => {
    const g = new NackGenerator(3);
    g.retryIntervalMs = 20;
    g.onPacket(1, false);
    g.onPacket(3, false);
    expect(g.due(0)).toEqual([2]);
    expect(g.due(10)).toBeUndefined(); // within the interval
    expect(g.due(20)).toEqual([2]);
    expect(g.due(40)).toEqual([2]);
    expect(g.due(60)).toBeUndefined(); // three tries done: given up
    expect(g.size).toBe(0);
    expect(g.givenUp).toBe(1);
  });

  it('a gap larger than the list clears it and reports an overflow (ask for a keyframe)', () => {
    const g = new NackGenerator();
    g.onPacket(1, false);
    expect(g.onPacket(1 + NACK_MAX_LIST + 2, false)).toBe(false);
    expect(g.size).toBe(0);
    expect(g.onPacket(1 + NACK_MAX_LIST + 3, false)).toBe(true);
  });

  it('isMissing(): a loss until it arrives (then a second copy is not one)', () => {
    const g = new NackGenerator();
    for (const seq of [1, 2, 4]) g.onPacket(seq, false);
    expect([1, 2, 3, 4].map((s) => g.isMissing(s))).toEqual([false, false, true, false]);
    g.onPacket(3, false);
    expect(g.isMissing(3)).toBe(false);
    expect(g.recovered).toBe(1);
  });
});
