/**
 * RtoEstimator against the RFC 4960 §6.3.1 formulas worked by hand:
 *   first R:      SRTT = R, RTTVAR = R/2
 *   next R':      RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, then SRTT = 7/8 SRTT + 1/8 R'
 *   always:       RTO = clamp(SRTT + 4 RTTVAR, RTO.Min, RTO.Max)
 *   expiry (E2):  RTO = min(2 RTO, RTO.Max)
 */
import { describe, expect, it } from 'vitest';
import { RtoEstimator } from './rto-estimator.js';

/** A step: an RTT sample in ms, or 'expire' for one timer back-off. */
type Step = number | 'expire';

interface Row {
  name: string;
  /** RTO.Initial, RTO.Min, RTO.Max (ms). */
  limits: [number, number, number];
  steps: Step[];
  want: { srtt: number; rttvar: number; rto: number };
}

const rfcDefaults: [number, number, number] = [3000, 1000, 60_000];

const rows: Row[] = [
  {
    name: 'before any sample: RTO.Initial',
    limits: rfcDefaults,
    steps: [],
    want: { srtt: 0, rttvar: 0, rto: 3000 },
  },
  {
    name: 'first sample: SRTT = R, RTTVAR = R/2, RTO = 3R',
    limits: [3000, 100, 60_000],
    steps: [400],
    want: { srtt: 400, rttvar: 200, rto: 1200 },
  },
  {
    name: 'first sample below RTO.Min: RTO rounded up to RTO.Min (C6)',
    limits: rfcDefaults,
    steps: [100],
    want: { srtt: 100, rttvar: 50, rto: 1000 },
  },
  {
    name: 'first sample above RTO.Max: RTO capped (C7)',
    limits: rfcDefaults,
    steps: [30_000],
    want: { srtt: 30_000, rttvar: 15_000, rto: 60_000 },
  },
  {
    // RTTVAR = 0.75*200 + 0.25*|400-200| = 200; SRTT = 0.875*400 + 0.125*200 = 375.
    name: 'second sample: RTTVAR from the old SRTT, then SRTT',
    limits: [3000, 100, 60_000],
    steps: [400, 200],
    want: { srtt: 375, rttvar: 200, rto: 1175 },
  },
  {
    // RTTVAR = 0.75*200 + 0.25*|400-600| = 200; SRTT = 350 + 75 = 425.
    name: 'a slower sample raises SRTT by 1/8 of the difference',
    limits: [3000, 100, 60_000],
    steps: [400, 600],
    want: { srtt: 425, rttvar: 200, rto: 1225 },
  },
  {
    // RTTVAR 200 -> 150 -> 112.5 ; SRTT stays 400: RTO = 400 + 450 = 850.
    name: 'steady samples shrink RTTVAR by 3/4 each',
    limits: [3000, 100, 60_000],
    steps: [400, 400, 400],
    want: { srtt: 400, rttvar: 112.5, rto: 850 },
  },
  {
    name: 'back-off doubles RTO.Initial',
    limits: rfcDefaults,
    steps: ['expire'],
    want: { srtt: 0, rttvar: 0, rto: 6000 },
  },
  {
    name: 'back-off doubles up to RTO.Max and stays there',
    limits: rfcDefaults,
    steps: ['expire', 'expire', 'expire', 'expire', 'expire', 'expire'],
    want: { srtt: 0, rttvar: 0, rto: 60_000 },
  },
  {
    name: 'back-off doubles a measured RTO',
    limits: [3000, 100, 60_000],
    steps: [400, 'expire', 'expire'],
    want: { srtt: 400, rttvar: 200, rto: 4800 },
  },
  {
    // The backed-off 2400 is replaced: RTTVAR = 150, SRTT = 400, RTO = 1000.
    name: 'a new sample after back-off recomputes RTO from SRTT and RTTVAR',
    limits: [3000, 100, 60_000],
    steps: [400, 'expire', 400],
    want: { srtt: 400, rttvar: 150, rto: 1000 },
  },
  {
    name: 'a 0 ms sample: RTO.Min',
    limits: rfcDefaults,
    steps: [0],
    want: { srtt: 0, rttvar: 0, rto: 1000 },
  },
  {
    // SRTT 0 means "no sample yet": a 0 ms sample (same-host peer) leaves the next one as the first.
    name: 'a 0 ms sample gives RTO.Min and leaves the next sample as the first',
    limits: rfcDefaults,
    steps: [0, 80],
    want: { srtt: 80, rttvar: 40, rto: 1000 },
  },
];

describe('RtoEstimator (RFC 4960 §6.3.1, §6.3.3 E2)', () => {
  it.each(rows)('$name', ({ limits, steps, want }) => {
    const e = new RtoEstimator(...limits);
    for (const s of steps) {
      if (s === 'expire') e.backOff();
      else e.measure(s);
    }
    expect({ srtt: e.srtt, rttvar: e.rttvar, rto: e.rto }).toEqual(want);
  });
});
