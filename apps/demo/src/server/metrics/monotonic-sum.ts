/**
 * A Prometheus counter made of many objects' own counters (each transport's
 * bytes, each producer's packets): the sum over live objects plus what closed
 * ones had reached when last seen, so the total never goes down when an
 * object closes (what a closed object counted after its last scrape is lost).
 */

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  /** Closed objects' last values. */
  retired: number;
}

export class MonotonicSum {
  private readonly series = new Map<string, Series>();
  /** Per live object: series key → its last value. */
  private readonly live = new Map<object, Map<string, number>>();

  /** Records `owner`'s current value for the series `labels`. */
  set(owner: object, labels: Labels, value: number): void {
    const key = keyOf(labels);
    if (!this.series.has(key)) this.series.set(key, { labels, retired: 0 });
    let values = this.live.get(owner);
    if (!values) {
      values = new Map();
      this.live.set(owner, values);
    }
    values.set(key, value);
  }

  /** `owner`'s last value for the series `labels`, if it has one. */
  get(owner: object, labels: Labels): number | undefined {
    return this.live.get(owner)?.get(keyOf(labels));
  }

  /** `owner` closed: its last values stay in the totals. */
  retire(owner: object): void {
    const values = this.live.get(owner);
    if (!values) return;
    this.live.delete(owner);
    for (const [key, value] of values) {
      const s = this.series.get(key);
      if (s) s.retired += value;
    }
  }

  /** Every series with its total (retired plus live). */
  totals(): Array<{ labels: Labels; value: number }> {
    const sums = new Map<string, number>();
    for (const [key, s] of this.series) sums.set(key, s.retired);
    for (const values of this.live.values()) {
      for (const [key, value] of values) sums.set(key, (sums.get(key) ?? 0) + value);
    }
    return [...this.series].map(([key, s]) => ({ labels: s.labels, value: sums.get(key) ?? 0 }));
  }
}

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
