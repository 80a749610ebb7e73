import { describe, expect, it } from 'vitest';
import { SeqNumMapper } from './seq-num-mapper.js';

/** One step of a scenario: forward `seq` and expect `out` (-1: not sent), or drop it. */
type Step = { fwd: number; out: number } | { drop: number } | { resync: true };

function run(steps: Step[], initialOutput = 1000, opts = {}): void {
  const m = new SeqNumMapper({ initialOutput, ...opts });
  steps.forEach((s, i) => {
    if ('fwd' in s) expect(m.map(s.fwd), `step ${i}: map(${s.fwd})`).toBe(s.out);
    else if ('drop' in s) m.drop(s.drop);
    else m.resync();
  });
}

describe('SeqNumMapper scenarios', () => {
  it('ordered input: output follows from the initial output', () => {
    run([
      { fwd: 500, out: 1000 },
      { fwd: 501, out: 1001 },
      { fwd: 502, out: 1002 },
    ]);
  });

  it('wrap-around of input and output', () => {
    run(
      [
        { fwd: 65534, out: 65533 },
        { fwd: 65535, out: 65534 },
        { fwd: 0, out: 65535 },
        { fwd: 1, out: 0 },
        { fwd: 2, out: 1 },
      ],
      65533,
    );
  });

  it('dropped inputs leave no gap', () => {
    run([
      { fwd: 10, out: 1000 },
      { drop: 11 },
      { drop: 12 },
      { fwd: 13, out: 1001 },
      { drop: 14 },
      { fwd: 15, out: 1002 },
    ]);
  });

  it('out-of-order input keeps its place, around drops too', () => {
    run([
      { fwd: 10, out: 1000 },
      { fwd: 12, out: 1002 }, // 11 missing so far: a gap for it
      { fwd: 11, out: 1001 }, // arrives late: fills it
      { drop: 14 }, // 13 not seen yet, 14 dropped
      { fwd: 15, out: 1004 },
      { fwd: 13, out: 1003 }, // late, before the drop: its own slot
      { fwd: 11, out: 1001 }, // a duplicate maps to the same output
    ]);
  });

  it('a late drop cannot move outputs already sent', () => {
    run([
      { fwd: 10, out: 1000 },
      { fwd: 12, out: 1002 },
      { drop: 11 }, // too late: 1001 stays a gap
      { fwd: 13, out: 1003 },
    ]);
  });

  it('a dropped input is never sent afterwards', () => {
    run([{ fwd: 10, out: 1000 }, { drop: 11 }, { fwd: 11, out: -1 }, { fwd: 12, out: 1001 }]);
  });

  it('drops across the input wrap', () => {
    run([{ fwd: 65534, out: 1000 }, { drop: 65535 }, { drop: 0 }, { fwd: 1, out: 1001 }]);
  });

  it('a large forward jump continues the output without a jump', () => {
    run([
      { fwd: 100, out: 1000 },
      { fwd: 101, out: 1001 },
      { fwd: 20000, out: 1002 },
      { fwd: 20001, out: 1003 },
      { fwd: 101, out: -1 }, // from before the jump
    ]);
  });

  it('a moderate forward gap (real loss) is kept', () => {
    run([
      { fwd: 100, out: 1000 },
      { fwd: 150, out: 1050 },
    ]);
  });

  it('a big backward jump is refused once, then taken as a restart', () => {
    run([
      { fwd: 30000, out: 1000 },
      { fwd: 30001, out: 1001 },
      { fwd: 5, out: -1 },
      { fwd: 6, out: 1002 },
      { fwd: 7, out: 1003 },
    ]);
  });

  it('packets older than the reorder window are refused', () => {
    run(
      [
        { fwd: 1000, out: 1000 },
        { fwd: 1100, out: 1100 },
        { fwd: 1049, out: -1 },
        { fwd: 1050, out: 1050 },
      ],
      1000,
      { maxReorder: 50 },
    );
  });

  it('a source switch continues right after the last output', () => {
    run([
      { fwd: 10, out: 1000 },
      { fwd: 11, out: 1001 },
      { resync: true },
      { fwd: 5000, out: 1002 }, // new source, unrelated numbering
      { fwd: 5001, out: 1003 },
      { fwd: 12, out: -1 }, // straggler of the old source (too far back)
      { fwd: 4999, out: -1 }, // older than the new source's first packet
      { resync: true },
      { drop: 77 }, // dropping before the first packet of the new source changes nothing
      { fwd: 78, out: 1004 },
    ]);
  });

  it('a switch after a reordered high output still never reuses an output', () => {
    run([
      { fwd: 10, out: 1000 },
      { fwd: 13, out: 1003 },
      { fwd: 11, out: 1001 },
      { resync: true },
      { fwd: 7, out: 1004 },
    ]);
  });

  it('drops that overflow the ring refuse old inputs instead of mis-mapping them', () => {
    const m = new SeqNumMapper({ initialOutput: 0, dropCapacity: 4 });
    expect(m.map(0)).toBe(0);
    expect(m.map(2)).toBe(2); // 1 still missing
    for (let s = 3; s <= 8; s++) m.drop(s); // 6 drops in a ring of 4: the 2 oldest folded
    expect(m.map(9)).toBe(3);
    expect(m.map(1)).toBe(-1); // older than a folded drop: refused
    expect(m.map(10)).toBe(4);
  });

  it('lastOutput reports the highest output sent', () => {
    const m = new SeqNumMapper({ initialOutput: 7 });
    expect(m.lastOutput).toBe(-1);
    m.map(100);
    m.map(102);
    m.map(101);
    expect(m.lastOutput).toBe(9);
  });

  it('outputs stay gapless and unique over a long run with random drops and a switch', () => {
    // Deterministic LCG so the run is reproducible.
    let x = 12345;
    const rnd = () => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x / 0x7fffffff;
    };
    const m = new SeqNumMapper({ initialOutput: 65000 });
    let seq = 60000;
    let expected = 65000;
    for (let i = 0; i < 20000; i++) {
      if (i === 10000) {
        m.resync();
        seq = 123;
      }
      if (rnd() < 0.3 && i !== 0 && i !== 10000) {
        expect(m.drop(seq)).toBe(true);
      } else {
        expect(m.map(seq)).toBe(expected);
        expected = (expected + 1) & 0xffff;
      }
      seq = (seq + 1) & 0xffff;
    }
  });
});
