/**
 * Packets the I/O thread routed by a tuple id this worker does not know yet:
 * it binds a tuple as soon as a worker asks, and can route the tuple's next
 * packets before the worker has read the bind answer. Over TCP nothing is
 * retransmitted (losing the nominating check would stall the connection), so
 * a few such packets are kept and replayed once the answer arrives. At most
 * `max` are held (more are dropped and counted: `dropped`); what no bind
 * claims within `ttlMs` is dropped (reported through `onExpire`).
 */
export class ParkedPackets {
  private readonly byTuple = new Map<number, Buffer[]>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Packets refused because `max` were held already. */
  dropped = 0;

  constructor(
    private readonly max: number,
    private readonly onExpire: (count: number) => void,
    private readonly ttlMs = 1000,
  ) {}

  /** Packets held now. */
  get size(): number {
    return this.count;
  }

  /** Keeps a copy of `data[offset, offset + length)` for `tupleId`; false (counted) when full. */
  park(tupleId: number, data: Buffer, offset: number, length: number): boolean {
    if (this.count >= this.max) {
      this.dropped++;
      return false;
    }
    this.count++;
    const copy = Buffer.from(data.subarray(offset, offset + length));
    const list = this.byTuple.get(tupleId);
    if (list) list.push(copy);
    else this.byTuple.set(tupleId, [copy]);
    this.armTimer();
    return true;
  }

  /** The packets held for `tupleId`, oldest first, now released. */
  take(tupleId: number): Buffer[] | undefined {
    const list = this.byTuple.get(tupleId);
    if (list === undefined) return undefined;
    this.byTuple.delete(tupleId);
    this.count -= list.length;
    return list;
  }

  /** Drops everything held (the worker closes). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.byTuple.clear();
    this.count = 0;
  }

  private armTimer(): void {
    if (this.timer !== undefined) return;
    // Packets of tuples that never bind here (a transport closing): drop them soon.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const expired = this.count;
      this.byTuple.clear();
      this.count = 0;
      if (expired > 0) this.onExpire(expired);
    }, this.ttlMs);
    this.timer.unref();
  }
}
