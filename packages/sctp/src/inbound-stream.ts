/**
 * Receive-side state of one SCTP stream: the next expected SSN and the fragments
 * waiting for their message to complete (RFC 9260 §6.5, §6.9). Ordered
 * fragments wait by SSN; unordered ones by TSN, since only TSN contiguity joins
 * the fragments of an unordered message.
 */
import { DataFlag } from './data-chunk.js';
import { ssnLt, tsnAdd, tsnLt, tsnLte } from './serial-number.js';

/** One received DATA chunk that could not be delivered at once. */
export interface Fragment {
  tsn: number;
  flags: number;
  ssn: number;
  ppid: number;
  data: Buffer;
}

/** Called with each complete message, in delivery order. */
export type MessageSink = (streamId: number, ppid: number, data: Buffer, unordered: boolean) => void;

export class InboundStream {
  /** Next SSN to deliver on the ordered side. */
  nextSsn = 0;
  /** Ordered fragments by SSN, each list sorted by TSN. */
  readonly ordered = new Map<number, Fragment[]>();
  /** Unordered fragments sorted by TSN. */
  unordered: Fragment[] = [];
  /** Bytes held in both queues (for the advertised receive window). */
  bufferedBytes = 0;

  constructor(readonly streamId: number) {}

  /** True when `ssn` is the next to deliver and nothing older is waiting. */
  canDeliverNow(ssn: number): boolean {
    return ssn === this.nextSsn;
  }

  /** Stores an ordered fragment and delivers every message that became complete. */
  addOrdered(f: Fragment, sink: MessageSink, maxMessageSize: number): number {
    let list = this.ordered.get(f.ssn);
    if (!list) {
      list = [];
      this.ordered.set(f.ssn, list);
    }
    insertByTsn(list, f);
    this.bufferedBytes += f.data.length;
    return this.deliverOrdered(sink, maxMessageSize);
  }

  /** Delivers messages from `nextSsn` on while complete; returns how many were dropped as oversize. */
  deliverOrdered(sink: MessageSink, maxMessageSize: number): number {
    let oversize = 0;
    for (;;) {
      const list = this.ordered.get(this.nextSsn);
      if (!list || !isComplete(list, 0, list.length - 1)) return oversize;
      this.ordered.delete(this.nextSsn);
      this.nextSsn = (this.nextSsn + 1) & 0xffff;
      const data = join(list, 0, list.length);
      this.bufferedBytes -= data.length;
      if (data.length > maxMessageSize) oversize++;
      else sink(this.streamId, list[0].ppid, data, false);
    }
  }

  /** Stores an unordered fragment; delivers its message if that became complete. */
  addUnordered(f: Fragment, sink: MessageSink, maxMessageSize: number): number {
    const list = this.unordered;
    const i = insertByTsn(list, f);
    this.bufferedBytes += f.data.length;
    // Walk back to a B fragment and forward to an E one over consecutive TSNs.
    let s = i;
    while (!(list[s].flags & DataFlag.BEGINNING)) {
      if (s === 0 || list[s - 1].tsn !== tsnAdd(list[s].tsn, -1) || list[s - 1].flags & DataFlag.END)
        return 0;
      s--;
    }
    let e = i;
    while (!(list[e].flags & DataFlag.END)) {
      if (
        e === list.length - 1 ||
        list[e + 1].tsn !== tsnAdd(list[e].tsn, 1) ||
        list[e + 1].flags & DataFlag.BEGINNING
      )
        return 0;
      e++;
    }
    const data = join(list, s, e + 1);
    const ppid = list[s].ppid;
    list.splice(s, e - s + 1);
    this.bufferedBytes -= data.length;
    if (data.length > maxMessageSize) return 1;
    sink(this.streamId, ppid, data, true);
    return 0;
  }

  /**
   * FORWARD TSN (RFC 3758 §3.6): drops fragments at or below `newCumTsn`; for an
   * ordered stream, `ssn` (when given) is the last skipped SSN.
   */
  skip(newCumTsn: number, ssn: number | undefined): void {
    if (ssn !== undefined) {
      for (const [k, list] of this.ordered) {
        if (k === ssn || ssnLt(k, ssn)) {
          for (const f of list) this.bufferedBytes -= f.data.length;
          this.ordered.delete(k);
        }
      }
      if (!ssnLt(ssn, this.nextSsn)) this.nextSsn = (ssn + 1) & 0xffff;
    }
    if (this.unordered.length > 0) {
      const keep: Fragment[] = [];
      for (const f of this.unordered) {
        if (tsnLte(f.tsn, newCumTsn)) this.bufferedBytes -= f.data.length;
        else keep.push(f);
      }
      this.unordered = keep;
    }
  }

  /** Stream reset (RFC 6525 §5.2.2): the next ordered message has SSN 0. */
  reset(): void {
    for (const list of this.ordered.values()) for (const f of list) this.bufferedBytes -= f.data.length;
    this.ordered.clear();
    this.nextSsn = 0;
  }
}

function insertByTsn(list: Fragment[], f: Fragment): number {
  let i = list.length;
  while (i > 0 && tsnLt(f.tsn, list[i - 1].tsn)) i--;
  list.splice(i, 0, f);
  return i;
}

function isComplete(list: Fragment[], s: number, e: number): boolean {
  if (!(list[s].flags & DataFlag.BEGINNING) || !(list[e].flags & DataFlag.END)) return false;
  for (let i = s + 1; i <= e; i++) if (list[i].tsn !== tsnAdd(list[i - 1].tsn, 1)) return false;
  return true;
}

function join(list: Fragment[], s: number, e: number): Buffer {
  if (e - s === 1) return list[s].data;
  let total = 0;
  for (let i = s; i < e; i++) total += list[i].data.length;
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = s; i < e; i++) {
    list[i].data.copy(out, p);
    p += list[i].data.length;
  }
  return out;
}
