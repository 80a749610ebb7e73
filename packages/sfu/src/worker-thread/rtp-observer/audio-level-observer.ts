/**
 * The worker half of an AudioLevelObserver (mediasoup's
 * RTC::AudioLevelObserver): averages each watched producer's RFC 6464 level
 * over the interval and reports the loudest `maxEntries` at or above the
 * threshold (`volumes`), or `silence` once when none is.
 */
import type { Producer } from '../producer.js';
import { RtpObserver, type RtpObserverOptions } from './rtp-observer.js';

/** Fewer packets than this in an interval say too little to report a volume (mediasoup's rule). */
const MIN_PACKETS = 10;
const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 5000;

export interface AudioLevelObserverOptions extends RtpObserverOptions {
  maxEntries: number;
  /** dBov, -127…0. */
  threshold: number;
  intervalMs: number;
}

interface LevelSum {
  sum: number;
  count: number;
}

export class AudioLevelObserver extends RtpObserver {
  readonly maxEntries: number;
  readonly threshold: number;
  /** Watched producers that are not paused; a paused producer is left out of reports. */
  private readonly levels = new Map<Producer, LevelSum>();
  private silence = true;

  constructor(o: AudioLevelObserverOptions) {
    super(o);
    if (!Number.isFinite(o.threshold) || o.threshold > 0 || o.threshold < -127)
      throw new TypeError(`invalid threshold value ${o.threshold}`);
    if (!Number.isFinite(o.maxEntries) || o.maxEntries < 1)
      throw new TypeError(`invalid maxEntries value ${o.maxEntries}`);
    this.maxEntries = Math.floor(o.maxEntries);
    this.threshold = o.threshold;
    this.startTimer(Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, o.intervalMs || 0)));
  }

  protected onAddProducer(producer: Producer): void {
    if (!producer.paused && !this.levels.has(producer)) this.levels.set(producer, { sum: 0, count: 0 });
  }

  removeProducer(producer: Producer): void {
    this.levels.delete(producer);
  }

  receiveAudioLevel(producer: Producer, level: number): void {
    if (this.paused) return;
    const entry = this.levels.get(producer);
    if (entry === undefined) return;
    entry.sum += level;
    entry.count++;
  }

  producerPaused(producer: Producer): void {
    this.levels.delete(producer);
  }

  producerResumed(producer: Producer): void {
    this.onAddProducer(producer);
  }

  protected onPaused(): void {
    this.reset();
    this.reportSilence();
  }

  protected update(): void {
    const loud: Array<{ producerId: string; volume: number }> = [];
    for (const [producer, { sum, count }] of this.levels) {
      if (count < MIN_PACKETS) continue;
      const volume = -Math.round(sum / count);
      if (volume >= this.threshold) loud.push({ producerId: producer.id, volume });
    }
    this.reset();
    if (loud.length === 0) {
      this.reportSilence();
      return;
    }
    this.silence = false;
    loud.sort((a, b) => b.volume - a.volume);
    this.notify('audiolevelobserver.volumes', this.id, loud.slice(0, this.maxEntries));
  }

  private reportSilence(): void {
    if (this.silence) return;
    this.silence = true;
    this.notify('audiolevelobserver.silence', this.id);
  }

  private reset(): void {
    for (const entry of this.levels.values()) {
      entry.sum = 0;
      entry.count = 0;
    }
  }
}
