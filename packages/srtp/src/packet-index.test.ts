import { describe, expect, it } from 'vitest';
import { estimateSrtpIndex } from './packet-index.js';

describe('RFC 3711 §3.3.1 index estimation', () => {
  const R = 0x10000;
  // [case, highest index so far (ROC * 2^16 + s_l), received SEQ, expected index]
  const rows: [string, number, number, number][] = [
    ['next in order', 100, 101, 101],
    ['reordered, same ROC', 100, 50, 50],
    ['s_l low, SEQ far above: previous ROC', 3 * R + 10, 65530, 2 * R + 65530],
    ['s_l low, SEQ exactly 2^15 above: same ROC', 3 * R + 10, 10 + 0x8000, 3 * R + 10 + 0x8000],
    ['s_l high, SEQ small: next ROC (the wrap)', 65535, 0, R],
    ['s_l high, SEQ just after wrap', 2 * R + 65500, 5, 3 * R + 5],
    ['s_l high, SEQ exactly s_l - 2^15: same ROC', 2 * R + 40000, 40000 - 0x8000, 2 * R + 40000 - 0x8000],
    ['s_l high, SEQ one below that: next ROC', 2 * R + 40000, 40000 - 0x8000 - 1, 3 * R + 40000 - 0x8000 - 1],
    ['ROC 0 and a SEQ from before the stream start', 10, 65000, -1],
    ['ROC 2^32 - 1 wraps to 0', 0xffffffff * R + 65535, 0, 0],
  ];
  for (const [name, maxIndex, seq, want] of rows) {
    it(name, () => expect(estimateSrtpIndex(maxIndex, seq)).toBe(want));
  }
});
