/**
 * The outbound queue's byte counts, kept as running totals so that every
 * question is O(1): per stream, application bytes queued or unacknowledged
 * (a data channel's `bufferedAmount`) and never sent yet (`unsentAmount`);
 * for the association, every chunk's bytes queued or unacknowledged. Also the
 * per-stream `bufferedAmountLow` thresholds and the streams that crossed
 * theirs, for the send path to announce once a SACK is processed.
 */
export class OutboundAmounts {
  /** All chunks' bytes from the queue's head on (DCEP included). */
  total = 0;
  private readonly buffered: Float64Array;
  private readonly unsent: Float64Array;
  private readonly lowThreshold: Float64Array;
  /** Streams whose buffered amount fell to their threshold (taken by `takeLowStreams`). */
  private lowStreams: number[] = [];

  constructor(streams: number) {
    this.buffered = new Float64Array(streams);
    this.unsent = new Float64Array(streams);
    this.lowThreshold = new Float64Array(streams);
  }

  /** A chunk was queued; `counted`: application data (not DCEP). */
  queued(streamId: number, bytes: number, counted: boolean): void {
    this.total += bytes;
    if (!counted) return;
    this.buffered[streamId] += bytes;
    this.unsent[streamId] += bytes;
  }

  /** A chunk left the never-sent part of the queue (sent for the first time, or abandoned unsent). */
  leftUnsent(streamId: number, bytes: number, counted: boolean): void {
    if (counted) this.unsent[streamId] -= bytes;
  }

  /** A chunk left the queue (acknowledged). */
  released(streamId: number, bytes: number, counted: boolean): void {
    this.total -= bytes;
    if (!counted) return;
    const before = this.buffered[streamId];
    const after = before - bytes;
    this.buffered[streamId] = after;
    const t = this.lowThreshold[streamId];
    if (before > t && after <= t) this.lowStreams.push(streamId);
  }

  bufferedAmount(streamId: number): number {
    return this.buffered[streamId] ?? 0;
  }

  unsentAmount(streamId: number): number {
    return this.unsent[streamId] ?? 0;
  }

  setLowThreshold(streamId: number, bytes: number): void {
    if (streamId >= 0 && streamId < this.lowThreshold.length)
      this.lowThreshold[streamId] = Math.max(0, bytes);
  }

  /** The streams that fell to their threshold since the last call (empty array: none). */
  takeLowStreams(): number[] {
    if (this.lowStreams.length === 0) return this.lowStreams;
    const ids = this.lowStreams;
    this.lowStreams = [];
    return ids;
  }
}
