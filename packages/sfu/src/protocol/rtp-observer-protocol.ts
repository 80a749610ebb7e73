/**
 * The RTP observers' part of the worker protocol (`worker-protocol.ts`
 * merges these tables into `WorkerMethods` and `WorkerNotifications`): the
 * router creates and closes them, the observer itself is addressed by its id.
 */
import type { Method } from './channel.js';

type RouterIds = { routerId: string; rtpObserverId: string };
type ObserverId = { rtpObserverId: string };

/** `router.createAudioLevelObserver` (options validated on the main thread; the worker clamps `interval`). */
export interface CreateAudioLevelObserverRequest extends RouterIds {
  maxEntries: number;
  threshold: number;
  interval: number;
}

export interface CreateActiveSpeakerObserverRequest extends RouterIds {
  interval: number;
}

export type RtpObserverMethods = {
  'router.createAudioLevelObserver': Method<CreateAudioLevelObserverRequest>;
  'router.createActiveSpeakerObserver': Method<CreateActiveSpeakerObserverRequest>;
  'router.closeRtpObserver': Method<RouterIds>;
  'rtpObserver.pause': Method<ObserverId>;
  'rtpObserver.resume': Method<ObserverId>;
  /** TypeError for a non-audio producer; NotFoundError for an unknown one. */
  'rtpObserver.addProducer': Method<ObserverId & { producerId: string }>;
  'rtpObserver.removeProducer': Method<ObserverId & { producerId: string }>;
};

/** Notifications, targeted at the observer's id. */
export type RtpObserverNotifications = {
  /** Loudest first; `volume` in dBov (-127…0), averaged over the interval. */
  'audiolevelobserver.volumes': Array<{ producerId: string; volume: number }>;
  'audiolevelobserver.silence': undefined;
  'activespeakerobserver.dominantspeaker': { producerId: string };
};
