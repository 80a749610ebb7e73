/**
 * The worker half of an RtpObserver (mediasoup's RTC::RtpObserver): the
 * producers it watches, pause/resume, and a periodic timer on which it
 * reports. The router (`RouterRtpObservers`) hands it the audio level of
 * each packet of a watched producer, already read from the header.
 */
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { Producer } from '../producer.js';

export interface RtpObserverOptions {
  id: string;
  notify: NotifyMain;
  /** Milliseconds, the clock the router's packet times use (tests pass a fake one). */
  now?: () => number;
}

export abstract class RtpObserver {
  readonly id: string;
  protected readonly notify: NotifyMain;
  protected readonly now: () => number;
  private pausedValue = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private intervalMsValue = 0;
  closed = false;

  protected constructor(o: RtpObserverOptions) {
    this.id = o.id;
    this.notify = o.notify;
    this.now = o.now ?? (() => performance.now());
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  get intervalMs(): number {
    return this.intervalMsValue;
  }

  pause(): void {
    if (this.pausedValue || this.closed) return;
    this.pausedValue = true;
    this.stopTimer();
    this.onPaused();
  }

  resume(): void {
    if (!this.pausedValue || this.closed) return;
    this.pausedValue = false;
    this.startTimer(this.intervalMsValue);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
  }

  /** Starts watching `producer` (TypeError when it is not audio). */
  addProducer(producer: Producer): void {
    if (producer.kind !== 'audio') throw new TypeError('not an audio Producer');
    this.onAddProducer(producer);
  }

  abstract removeProducer(producer: Producer): void;
  /** A packet of a watched producer: `level` is RFC 6464's, in -dBov (0 loudest … 127 silence). */
  abstract receiveAudioLevel(producer: Producer, level: number, nowMs: number): void;
  abstract producerPaused(producer: Producer): void;
  abstract producerResumed(producer: Producer): void;

  protected abstract onAddProducer(producer: Producer): void;
  protected abstract onPaused(): void;
  /** One report (every `intervalMs` while not paused). */
  protected abstract update(): void;

  protected startTimer(intervalMs: number): void {
    this.intervalMsValue = intervalMs;
    this.stopTimer();
    this.timer = setInterval(() => this.update(), intervalMs);
    // The worker thread lives on its channel, not on observer timers.
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
