/**
 * The worker half of an ActiveSpeakerObserver (mediasoup's
 * RTC::ActiveSpeakerObserver): feeds each watched producer's level to
 * `DominantSpeakerIdentification` and reports `dominantspeaker` when the
 * dominant one changes, deciding every interval.
 */
import type { Producer } from '../producer.js';
import { DominantSpeakerIdentification } from './dominant-speaker.js';
import { RtpObserver, type RtpObserverOptions } from './rtp-observer.js';

const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 5000;

export interface ActiveSpeakerObserverOptions extends RtpObserverOptions {
  intervalMs: number;
}

export class ActiveSpeakerObserver extends RtpObserver {
  private readonly dsi = new DominantSpeakerIdentification<Producer>();

  constructor(o: ActiveSpeakerObserverOptions) {
    super(o);
    this.startTimer(Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, o.intervalMs || 0)));
  }

  protected onAddProducer(producer: Producer): void {
    if (this.dsi.has(producer)) throw new Error('Producer already in map');
    this.dsi.addSpeaker(producer, this.now(), producer.paused);
  }

  removeProducer(producer: Producer): void {
    // The dominant speaker left: choose another at once, as mediasoup does.
    if (this.dsi.removeSpeaker(producer)) this.update();
  }

  receiveAudioLevel(producer: Producer, level: number, nowMs: number): void {
    if (this.paused) return;
    this.dsi.levelChanged(producer, 127 - level, nowMs);
  }

  producerPaused(producer: Producer): void {
    this.dsi.setPaused(producer, true);
  }

  producerResumed(producer: Producer): void {
    this.dsi.setPaused(producer, false);
  }

  protected onPaused(): void {}

  protected update(): void {
    const dominant = this.dsi.update(this.now());
    if (dominant !== undefined)
      this.notify('activespeakerobserver.dominantspeaker', this.id, { producerId: dominant.id });
  }
}
