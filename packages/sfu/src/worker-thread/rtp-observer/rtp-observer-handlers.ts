/**
 * The worker thread's handlers of the RTP observer requests
 * (`RtpObserverMethods`), spread into its handler table. An observer is
 * found by id in whichever router holds it; mediasoup's ids are unique in a
 * worker.
 */
import { NotFoundError } from '../../errors.js';
import type { RequestHandlers } from '../../protocol/channel.js';
import type { RtpObserverMethods } from '../../protocol/rtp-observer-protocol.js';
import type { NotifyMain } from '../../protocol/worker-protocol.js';
import type { Router } from '../router.js';
import { ActiveSpeakerObserver } from './active-speaker-observer.js';
import { AudioLevelObserver } from './audio-level-observer.js';
import type { RtpObserver } from './rtp-observer.js';

export interface RtpObserverHandlerContext {
  /** The router by id (NotFoundError when unknown). */
  router(routerId: string): Router;
  routers(): Iterable<Router>;
  notify: NotifyMain;
}

export function rtpObserverHandlers(ctx: RtpObserverHandlerContext): RequestHandlers<RtpObserverMethods> {
  const find = (id: string): { router: Router; observer: RtpObserver } => {
    for (const router of ctx.routers()) {
      const observer = router.rtpObservers.observers.get(id);
      if (observer) return { router, observer };
    }
    throw new NotFoundError(`RtpObserver not found [rtpObserverId:${id}]`);
  };
  const unique = (id: string): void => {
    for (const router of ctx.routers())
      if (router.rtpObservers.observers.has(id))
        throw new Error('an RtpObserver with same id already exists');
  };
  return {
    'router.createAudioLevelObserver': (d) => {
      const router = ctx.router(d.routerId);
      unique(d.rtpObserverId);
      router.rtpObservers.add(
        new AudioLevelObserver({
          id: d.rtpObserverId,
          notify: ctx.notify,
          maxEntries: d.maxEntries,
          threshold: d.threshold,
          intervalMs: d.interval,
        }),
      );
    },
    'router.createActiveSpeakerObserver': (d) => {
      const router = ctx.router(d.routerId);
      unique(d.rtpObserverId);
      router.rtpObservers.add(
        new ActiveSpeakerObserver({ id: d.rtpObserverId, notify: ctx.notify, intervalMs: d.interval }),
      );
    },
    'router.closeRtpObserver': (d) => ctx.router(d.routerId).rtpObservers.close(d.rtpObserverId),
    'rtpObserver.pause': (d) => find(d.rtpObserverId).observer.pause(),
    'rtpObserver.resume': (d) => find(d.rtpObserverId).observer.resume(),
    'rtpObserver.addProducer': (d) => {
      const { router, observer } = find(d.rtpObserverId);
      router.rtpObservers.addProducer(observer, router.getProducer(d.producerId));
    },
    'rtpObserver.removeProducer': (d) => {
      const { router, observer } = find(d.rtpObserverId);
      router.rtpObservers.removeProducer(observer, router.getProducer(d.producerId));
    },
  };
}
