import { describe, expect, it } from 'vitest';
import { parseScalabilityMode } from './scalability-mode.js';

describe('parseScalabilityMode', () => {
  const rows: { mode: string | undefined; want: [number, number, boolean] }[] = [
    { mode: 'L1T3', want: [1, 3, false] },
    { mode: 'L3T3', want: [3, 3, false] },
    { mode: 'L3T3_KEY', want: [3, 3, true] },
    { mode: 'S2T3', want: [2, 3, false] }, // independent spatial layers (simulcast-like)
    { mode: 'L10T12', want: [10, 12, false] }, // two digits each
    { mode: 'L1T3h', want: [1, 3, false] }, // suffixes after the match are ignored, as in mediasoup
    // Anything else is one layer of each.
    { mode: undefined, want: [1, 1, false] },
    { mode: '', want: [1, 1, false] },
    { mode: 'foo', want: [1, 1, false] },
    { mode: 'L0T3', want: [1, 1, false] },
    { mode: 'L1T0', want: [1, 1, false] },
    { mode: 'T3', want: [1, 1, false] },
    { mode: 'l1t3', want: [1, 1, false] },
    { mode: 'L100T1', want: [1, 1, false] },
  ];
  for (const { mode, want } of rows) {
    it(`${mode} → L${want[0]}T${want[1]}${want[2] ? '_KEY' : ''}`, () => {
      expect(parseScalabilityMode(mode)).toEqual({
        spatialLayers: want[0],
        temporalLayers: want[1],
        ksvc: want[2],
      });
    });
  }
});
