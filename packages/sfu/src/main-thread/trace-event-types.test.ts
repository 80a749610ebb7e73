import { describe, expect, it } from 'vitest';
import { traceEventTypes } from './trace-event-types.js';

describe("traceEventTypes (enableTraceEvent()'s argument, as mediasoup reads it)", () => {
  const known = ['rtp', 'keyframe', 'nack', 'pli', 'fir'] as const;

  it('keeps the known names in their fixed order, drops unknown ones and duplicates', () => {
    expect(traceEventTypes(['nack', 'FOO', 'fir', 'nack'], known)).toEqual(['nack', 'fir']);
    expect(traceEventTypes(['fir', 'rtp'], known)).toEqual(['rtp', 'fir']);
    expect(traceEventTypes([], known)).toEqual([]);
  });

  it.each([
    ['a number', 123],
    ['a string', 'rtp'],
    ['an array with a non-string', ['fir', 123.123]],
  ])('rejects %s with TypeError', (_name, types) => {
    expect(() => traceEventTypes(types, known)).toThrow(TypeError);
  });
});
