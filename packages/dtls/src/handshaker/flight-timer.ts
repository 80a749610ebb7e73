/**
 * When to resend a flight (RFC 6347 §4.2.4): a timer that starts at
 * `initialMs` for each new flight and doubles after each loss up to `maxMs`,
 * plus the rate limit on resends the peer's own retransmissions trigger.
 */
export class FlightTimer {
  private timer: NodeJS.Timeout | undefined;
  private currentMs: number;
  private lastSentAt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    /** Called when the timer fires; the caller resends, `backOff()`s and `arm()`s again. */
    private readonly onTimeout: () => void,
  ) {
    this.currentMs = initialMs;
  }

  /** The timeout the next `arm()` uses. */
  get timeoutMs(): number {
    return this.currentMs;
  }

  /** Whether a timeout is scheduled. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** A new flight went out: back to the initial timeout, and armed if that flight is resent on loss. */
  restart(arm: boolean): void {
    this.currentMs = this.initialMs;
    this.stop();
    if (arm) this.arm();
  }

  /** Doubles the timeout (a flight was lost), up to the ceiling. */
  backOff(): void {
    this.currentMs = Math.min(this.currentMs * 2, this.maxMs);
  }

  arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onTimeout();
    }, this.currentMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Notes that the flight was just (re)sent. */
  markSent(): void {
    this.lastSentAt = Date.now();
  }

  /** The peer resent its flight: ours may go again unless it went less than half the initial timeout ago. */
  allowsPeerTriggeredResend(): boolean {
    return Date.now() - this.lastSentAt >= this.initialMs / 2;
  }
}
