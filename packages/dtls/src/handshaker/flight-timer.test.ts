import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlightTimer } from './flight-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A timer whose handler resends as the handshaker does: back off, then arm again. */
function backingOff(initialMs: number, maxMs: number) {
  const fired: number[] = [];
  const start = Date.now();
  const timer: FlightTimer = new FlightTimer(initialMs, maxMs, () => {
    fired.push(Date.now() - start);
    timer.backOff();
    timer.arm();
  });
  return { timer, fired };
}

describe('FlightTimer (RFC 6347 §4.2.4 back-off)', () => {
  it('fires after the initial timeout, then doubles up to the ceiling', () => {
    const { timer, fired } = backingOff(100, 1000);
    timer.restart(true);
    vi.advanceTimersByTime(5000);
    // 100, +200, +400, +800, then +1000 each (the ceiling)
    expect(fired).toEqual([100, 300, 700, 1500, 2500, 3500, 4500]);
    expect(timer.timeoutMs).toBe(1000);
    timer.stop();
  });

  it('restart() goes back to the initial timeout and replaces a pending timeout', () => {
    const { timer, fired } = backingOff(100, 3000);
    timer.restart(true);
    vi.advanceTimersByTime(350); // fired at 100 and 300; next due at 700
    expect(fired).toEqual([100, 300]);
    expect(timer.timeoutMs).toBe(400);
    timer.restart(true); // a new flight at 350
    expect(timer.timeoutMs).toBe(100);
    vi.advanceTimersByTime(400);
    expect(fired).toEqual([100, 300, 450, 650]);
    timer.stop();
  });

  it('restart(false) and stop() leave nothing scheduled', () => {
    const { timer, fired } = backingOff(100, 3000);
    timer.restart(true);
    expect(timer.armed).toBe(true);
    timer.restart(false); // a last flight: no timer
    expect(timer.armed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    timer.arm();
    timer.stop();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('allows a peer-triggered resend only once half the initial timeout has passed since the last send', () => {
    const timer = new FlightTimer(100, 3000, () => {});
    timer.markSent();
    expect(timer.allowsPeerTriggeredResend()).toBe(false);
    vi.advanceTimersByTime(49);
    expect(timer.allowsPeerTriggeredResend()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(timer.allowsPeerTriggeredResend()).toBe(true);
    timer.markSent();
    expect(timer.allowsPeerTriggeredResend()).toBe(false);
  });
});
