/**
 * The pieces of the metrics: MonotonicSum keeps closed objects' counts,
 * Deadline bounds a stats call (fake timers), and the tests' exposition
 * reader rejects what Prometheus would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from './deadline.js';
import { parseExposition } from './exposition.test-util.js';
import { MonotonicSum } from './monotonic-sum.js';

describe('MonotonicSum', () => {
  it('sums live owners per label set and keeps a retired owner’s last value', () => {
    const sum = new MonotonicSum();
    const a = {};
    const b = {};
    sum.set(a, { kind: 'audio' }, 10);
    sum.set(b, { kind: 'audio' }, 5);
    sum.set(b, { kind: 'video' }, 7);
    sum.set(a, { kind: 'audio' }, 12); // a's newer value replaces its older one
    expect(sum.totals()).toEqual([
      { labels: { kind: 'audio' }, value: 17 },
      { labels: { kind: 'video' }, value: 7 },
    ]);
    sum.retire(b);
    sum.retire(b); // twice is once
    expect(sum.get(b, { kind: 'audio' })).toBeUndefined();
    expect(sum.totals()).toEqual([
      { labels: { kind: 'audio' }, value: 17 },
      { labels: { kind: 'video' }, value: 7 },
    ]);
    sum.set({}, { kind: 'video' }, 1); // a new owner adds to what closed ones left
    expect(sum.totals()[1]).toEqual({ labels: { kind: 'video' }, value: 8 });
  });

  it('treats label sets with the same pairs in another order as one series', () => {
    const sum = new MonotonicSum();
    sum.set({}, { a: '1', b: '2' }, 1);
    sum.set({}, { b: '2', a: '1' }, 2);
    expect(sum.totals()).toEqual([{ labels: { a: '1', b: '2' }, value: 3 }]);
  });
});

describe('Deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers, failures and calls past the deadline', async () => {
    vi.useFakeTimers();
    const deadline = new Deadline(1000);
    const never = deadline.race(new Promise<number>(() => {}));
    await expect(deadline.race(Promise.resolve(7))).resolves.toBe(7);
    await expect(deadline.race(Promise.reject(new Error('closed')))).resolves.toBeUndefined();
    let settled = false;
    void never.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(never).resolves.toBeUndefined();
    expect(deadline.timedOut).toBe(1); // the failure is not a timeout
    deadline.clear();
  });
});

describe('parseExposition (the tests’ reader)', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\na_total{x="2"} Nan\n';

  it('reads samples and types', () => {
    const e = parseExposition(ok);
    expect(e.types.get('a_total')).toBe('counter');
    expect(e.samples.map((s) => [s.labels.x, s.value])).toEqual([
      ['1', 3],
      ['2', Number.NaN],
    ]);
  });

  const histogram = (b1: number, b2: number, inf: number, count: number) =>
    `# TYPE h histogram\nh_bucket{le="1"} ${b1}\nh_bucket{le="2"} ${b2}\nh_bucket{le="+Inf"} ${inf}\nh_sum 3\nh_count ${count}\n`;

  it.each([
    ['no final newline', ok.trimEnd(), /end with a newline/],
    ['a sample before its TYPE', 'b 1\n# TYPE b gauge\n', /before its TYPE/],
    ['a family typed twice', '# TYPE b gauge\n# TYPE b gauge\n', /TYPE twice/],
    ['a duplicate series', '# TYPE b gauge\nb{x="1"} 1\nb{x="1"} 2\n', /duplicate series/],
    ['a bad value', '# TYPE b gauge\nb one\n', /bad value/],
    ['an unquoted label', '# TYPE b gauge\nb{x=1} 1\n', /bad sample line/],
    ['a bad metric name', '# TYPE 1b gauge\n', /bad metric name/],
    ['non-cumulative buckets', histogram(2, 1, 2, 2), /not cumulative/],
    ['+Inf bucket ≠ count', histogram(1, 2, 2, 3), /\+Inf bucket must equal _count/],
  ])('rejects %s', (_name, text, error) => {
    expect(() => parseExposition(text)).toThrow(error);
  });

  it('accepts a well-formed histogram', () => {
    expect(parseExposition(histogram(1, 2, 2, 2)).samples).toHaveLength(5);
  });
});
