/**
 * Packet groups and their deltas (draft-ietf-rmcat-gcc-02 §5.2, libwebrtc's
 * InterArrival): packets sent within 5 ms of the group's first form one
 * group; when a group completes, the send-time and arrival-time deltas to
 * the previous group come out. A packet arriving within 5 ms of the group's
 * last with a smaller arrival-minus-send delta belongs to it too (a burst
 * the network delivered at once).
 */
const GROUP_LENGTH_MS = 5;
const BURST_DELTA_MS = 5;
/** An arrival gap this much larger than the send gap means the clocks jumped: start over. */
const ARRIVAL_JUMP_MS = 3000;

export class InterArrival {
  // Current group.
  private curFirstSend = -1;
  private curLastSend = 0;
  private curLastArrival = 0;
  private curSize = 0;
  // Previous (complete) group.
  private prevLastSend = -1;
  private prevLastArrival = 0;
  private prevSize = 0;
  /** The deltas of the last completed group pair (valid after `add` returned true). */
  sendDeltaMs = 0;
  arrivalDeltaMs = 0;
  sizeDelta = 0;
  /** Arrival time of the completed group's last packet. */
  groupArrivalMs = 0;

  /** One packet (send and arrival times in ms, size in bytes); true when a delta pair is ready. */
  add(sendMs: number, arrivalMs: number, size: number): boolean {
    if (this.curFirstSend < 0) {
      this.startGroup(sendMs, arrivalMs, size);
      return false;
    }
    if (sendMs < this.curFirstSend) return false; // reordered from an older group
    if (this.belongsToGroup(sendMs, arrivalMs)) {
      if (sendMs > this.curLastSend) this.curLastSend = sendMs;
      if (arrivalMs > this.curLastArrival) this.curLastArrival = arrivalMs;
      this.curSize += size;
      return false;
    }
    let ready = false;
    if (this.prevLastSend >= 0) {
      this.sendDeltaMs = this.curLastSend - this.prevLastSend;
      this.arrivalDeltaMs = this.curLastArrival - this.prevLastArrival;
      this.sizeDelta = this.curSize - this.prevSize;
      this.groupArrivalMs = this.curLastArrival;
      if (this.arrivalDeltaMs - this.sendDeltaMs > ARRIVAL_JUMP_MS || this.arrivalDeltaMs < 0) {
        this.reset();
        this.startGroup(sendMs, arrivalMs, size);
        return false;
      }
      ready = true;
    }
    this.prevLastSend = this.curLastSend;
    this.prevLastArrival = this.curLastArrival;
    this.prevSize = this.curSize;
    this.startGroup(sendMs, arrivalMs, size);
    return ready;
  }

  reset(): void {
    this.curFirstSend = -1;
    this.prevLastSend = -1;
  }

  private belongsToGroup(sendMs: number, arrivalMs: number): boolean {
    if (sendMs - this.curFirstSend <= GROUP_LENGTH_MS) return true;
    // A burst: arrived close to the group's last packet, and the queue did not grow for it.
    const arrivalDelta = arrivalMs - this.curLastArrival;
    const propagationDelta = arrivalDelta - (sendMs - this.curLastSend);
    return propagationDelta < 0 && arrivalDelta <= BURST_DELTA_MS;
  }

  private startGroup(sendMs: number, arrivalMs: number, size: number): void {
    this.curFirstSend = sendMs;
    this.curLastSend = sendMs;
    this.curLastArrival = arrivalMs;
    this.curSize = size;
  }
}
