/**
 * Arrival times of the packets carrying the transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01), kept in typed arrays
 * and turned into one feedback packet per interval. Recording allocates
 * nothing; building the feedback (every ~100 ms) does.
 */
import type { TwccReceivedPacket } from '@tsfu/rtp';

const CAPACITY = 4096;
/** At most this many sequence numbers per feedback packet. */
const MAX_PACKETS = 2000;

export interface TransportCcFeedback {
  baseSequenceNumber: number;
  /** 24-bit reference time in 64 ms units. */
  referenceTime: number;
  /** Sequence numbers described from `baseSequenceNumber` on. */
  packetStatusCount: number;
  /** The received ones (offset from `baseSequenceNumber`), in order. */
  received: TwccReceivedPacket[];
}

export class TransportCcRecorder {
  private readonly seqs = new Float64Array(CAPACITY);
  private readonly times = new Float64Array(CAPACITY);
  private count = 0;
  private lastExt = -1;
  /** Highest extended sequence number already reported (feedback starts after it). */
  private reportedUpTo = -1;

  /** Records one arrival (`seq` 16-bit, `nowMs` monotonic ms). */
  record(seq: number, nowMs: number): void {
    let ext: number;
    if (this.lastExt < 0) ext = seq;
    else {
      const last16 = this.lastExt & 0xffff;
      let d = (seq - last16) & 0xffff;
      if (d >= 0x8000) d -= 0x10000;
      ext = this.lastExt + d;
    }
    if (ext > this.lastExt) this.lastExt = ext;
    if (this.count >= CAPACITY) return;
    this.seqs[this.count] = ext;
    this.times[this.count] = nowMs;
    this.count++;
  }

  get pending(): number {
    return this.count;
  }

  /** The feedback for everything recorded since the last call, or undefined when nothing arrived. */
  takeFeedback(): TransportCcFeedback | undefined {
    if (this.count === 0) return undefined;
    const arrival = new Map<number, number>();
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const s = this.seqs[i];
      if (s <= this.reportedUpTo - 0x4000) continue;
      if (!arrival.has(s)) arrival.set(s, this.times[i]);
      if (s < min) min = s;
      if (s > max) max = s;
    }
    this.count = 0;
    if (arrival.size === 0) return undefined;
    // Continue from the last reported one so losses in between are reported as such.
    if (this.reportedUpTo >= 0 && this.reportedUpTo + 1 < min && min - this.reportedUpTo < 200)
      min = this.reportedUpTo + 1;
    if (max - min + 1 > MAX_PACKETS) min = max - MAX_PACKETS + 1;
    if (max > this.reportedUpTo) this.reportedUpTo = max;
    let firstTime = Infinity;
    for (let s = min; s <= max; s++) {
      const t = arrival.get(s);
      if (t !== undefined) {
        firstTime = t;
        break;
      }
    }
    // Reference time: 64 ms units; deltas: 250 µs ticks from rounded absolute times (no drift).
    const ref = Math.floor(firstTime / 64);
    let prevTick = ref * 256;
    const received: TwccReceivedPacket[] = [];
    for (let s = min; s <= max; s++) {
      const t = arrival.get(s);
      if (t === undefined) continue;
      const tick = Math.round(t * 4);
      let d = tick - prevTick;
      if (d > 32767) d = 32767;
      if (d < -32768) d = -32768;
      prevTick += d;
      received.push({ offset: s - min, deltaUs: d * 250 });
    }
    return {
      baseSequenceNumber: min & 0xffff,
      referenceTime: ref & 0xffffff,
      packetStatusCount: max - min + 1,
      received,
    };
  }
}
