/** mediasoup's ActiveSpeakerObserver: `dominantspeaker`, from its worker half. */
import type { AppData } from '../../types/app-data.js';
import type {
  ActiveSpeakerObserverEvents,
  ActiveSpeakerObserverObserverEvents,
} from '../../types/rtp-observer.js';
import { Logger } from '../logger.js';
import type { WorkerNotification } from '../worker-channel.js';
import { type RtpObserverContext, RtpObserverImpl } from './rtp-observer.js';

const logger = new Logger('ActiveSpeakerObserver');

/** mediasoup's `ActiveSpeakerObserver` type (an interface there; here the class itself). */
export type ActiveSpeakerObserver<T extends AppData = AppData> = ActiveSpeakerObserverImpl<T>;

export class ActiveSpeakerObserverImpl<
  ActiveSpeakerObserverAppData extends AppData = AppData,
> extends RtpObserverImpl<
  ActiveSpeakerObserverAppData,
  ActiveSpeakerObserverEvents,
  ActiveSpeakerObserverObserverEvents
> {
  /** @internal created by `router.createActiveSpeakerObserver()`. */
  constructor(ctx: RtpObserverContext, appData?: ActiveSpeakerObserverAppData) {
    super(ctx, appData);
  }

  get type(): 'activespeaker' {
    return 'activespeaker';
  }

  protected handleNotification(n: WorkerNotification): void {
    if (n.event !== 'activespeakerobserver.dominantspeaker') {
      logger.error(`ignoring unknown event "${n.event}"`);
      return;
    }
    const producer = this.getProducerById(n.data.producerId);
    if (!producer) return;
    const dominantSpeaker = { producer };
    this.safeEmit('dominantspeaker', dominantSpeaker);
    this.observer.safeEmit('dominantspeaker', dominantSpeaker);
  }
}
