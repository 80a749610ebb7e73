/**
 * A ufrag → owner table for the thread that demultiplexes a shared port:
 * `lookup` finds the owner of a STUN Binding Request from the bytes of its
 * USERNAME without building a string, so routing an unknown 5-tuple's check
 * allocates nothing.
 */
import { localUfragRange, ufragEquals, ufragRangeLength, ufragRangeOffset } from './stun-username.js';

interface Entry<T> {
  ufrag: string;
  value: T;
}

/** FNV-1a over char codes; ufrags are ASCII ice-chars, so bytes and char codes agree. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hashBytes(buf: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = offset; i < offset + length; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

export class IceUfragTable<T> {
  // Hash → entries with that hash (almost always one).
  private readonly buckets = new Map<number, Entry<T>[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Registers (or replaces) the owner of `ufrag`. */
  set(ufrag: string, value: T): void {
    const h = hashString(ufrag);
    const bucket = this.buckets.get(h);
    if (!bucket) {
      this.buckets.set(h, [{ ufrag, value }]);
      this.count++;
      return;
    }
    for (const e of bucket) {
      if (e.ufrag === ufrag) {
        e.value = value;
        return;
      }
    }
    bucket.push({ ufrag, value });
    this.count++;
  }

  get(ufrag: string): T | undefined {
    const bucket = this.buckets.get(hashString(ufrag));
    if (!bucket) return undefined;
    for (const e of bucket) if (e.ufrag === ufrag) return e.value;
    return undefined;
  }

  /** Forgets `ufrag` (after an ICE restart or when its transport closes). */
  delete(ufrag: string): boolean {
    const h = hashString(ufrag);
    const bucket = this.buckets.get(h);
    if (!bucket) return false;
    const i = bucket.findIndex((e) => e.ufrag === ufrag);
    if (i < 0) return false;
    bucket.splice(i, 1);
    if (bucket.length === 0) this.buckets.delete(h);
    this.count--;
    return true;
  }

  /**
   * The owner of the STUN request in `buf[0..length)`, found by the local
   * ufrag of its USERNAME, or undefined (not a request, no USERNAME, unknown
   * ufrag). No integrity check: the owner does that. Allocates nothing.
   */
  lookup(buf: Uint8Array, length: number = buf.length): T | undefined {
    const range = localUfragRange(buf, length);
    if (range < 0) return undefined;
    const offset = ufragRangeOffset(range);
    const len = ufragRangeLength(range);
    const bucket = this.buckets.get(hashBytes(buf, offset, len));
    if (!bucket) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      if (ufragEquals(buf, offset, len, bucket[i].ufrag)) return bucket[i].value;
    }
    return undefined;
  }
}
