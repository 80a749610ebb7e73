/** mediasoup's AudioLevelObserver: `volumes` (loudest first) and `silence`, from its worker half. */
import type { AppData } from '../../types/app-data.js';
import type {
  AudioLevelObserverEvents,
  AudioLevelObserverObserverEvents,
  AudioLevelObserverVolume,
} from '../../types/rtp-observer.js';
import { Logger } from '../logger.js';
import type { WorkerNotification } from '../worker-channel.js';
import { type RtpObserverContext, RtpObserverImpl } from './rtp-observer.js';

const logger = new Logger('AudioLevelObserver');

/** mediasoup's `AudioLevelObserver` type (an interface there; here the class itself). */
export type AudioLevelObserver<T extends AppData = AppData> = AudioLevelObserverImpl<T>;

export class AudioLevelObserverImpl<
  AudioLevelObserverAppData extends AppData = AppData,
> extends RtpObserverImpl<
  AudioLevelObserverAppData,
  AudioLevelObserverEvents,
  AudioLevelObserverObserverEvents
> {
  /** @internal created by `router.createAudioLevelObserver()`. */
  constructor(ctx: RtpObserverContext, appData?: AudioLevelObserverAppData) {
    super(ctx, appData);
  }

  get type(): 'audiolevel' {
    return 'audiolevel';
  }

  protected handleNotification(n: WorkerNotification): void {
    switch (n.event) {
      case 'audiolevelobserver.volumes': {
        // A producer closed meanwhile is left out (as mediasoup).
        const volumes: AudioLevelObserverVolume[] = [];
        for (const { producerId, volume } of n.data) {
          const producer = this.getProducerById(producerId);
          if (producer) volumes.push({ producer, volume });
        }
        if (volumes.length === 0) break;
        this.safeEmit('volumes', volumes);
        this.observer.safeEmit('volumes', volumes);
        break;
      }
      case 'audiolevelobserver.silence':
        this.safeEmit('silence');
        this.observer.safeEmit('silence');
        break;
      default:
        logger.error(`ignoring unknown event "${n.event}"`);
    }
  }
}
