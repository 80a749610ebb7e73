/** mediasoup 3.27's RtpObserver, AudioLevelObserver and ActiveSpeakerObserver types. */
import type { Producer } from '../main-thread/producer.js';
import type { AppData } from './app-data.js';

export type RtpObserverType = 'audiolevel' | 'activespeaker';

/** Events every RtpObserver emits ('@'-prefixed ones are internal). */
export type RtpObserverEvents = {
  routerclose: [];
  listenererror: [string, Error];
  '@close': [];
};

export type RtpObserverObserverEvents = {
  close: [];
  pause: [];
  resume: [];
  addproducer: [Producer];
  removeproducer: [Producer];
};

/** Options of `router.createAudioLevelObserver()`. */
export type AudioLevelObserverOptions<AudioLevelObserverAppData extends AppData = AppData> = {
  /** Maximum number of entries in the 'volumes' event. Default 1. */
  maxEntries?: number;
  /** Minimum average volume (dBov, -127…0) for entries in the 'volumes' event. Default -80. */
  threshold?: number;
  /** Interval in ms for checking audio volumes (250…5000, clamped). Default 1000. */
  interval?: number;
  appData?: AudioLevelObserverAppData;
};

export type AudioLevelObserverVolume = {
  /** The audio Producer. */
  producer: Producer;
  /** Its average volume (dBov, -127…0) over the last interval. */
  volume: number;
};

export type AudioLevelObserverEvents = RtpObserverEvents & {
  volumes: [AudioLevelObserverVolume[]];
  silence: [];
};

export type AudioLevelObserverObserverEvents = RtpObserverObserverEvents & {
  volumes: [AudioLevelObserverVolume[]];
  silence: [];
};

/** Options of `router.createActiveSpeakerObserver()`. */
export type ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData extends AppData = AppData> = {
  /** Interval in ms between decisions (100…5000, clamped). Default 300. */
  interval?: number;
  appData?: ActiveSpeakerObserverAppData;
};

export type ActiveSpeakerObserverDominantSpeaker = {
  /** The audio Producer. */
  producer: Producer;
};

export type ActiveSpeakerObserverEvents = RtpObserverEvents & {
  dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};

export type ActiveSpeakerObserverObserverEvents = RtpObserverObserverEvents & {
  dominantspeaker: [ActiveSpeakerObserverDominantSpeaker];
};
