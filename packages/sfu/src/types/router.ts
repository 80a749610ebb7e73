/** mediasoup 3.27's Router types. */
import type { AppData } from './app-data.js';
import type { RouterRtpCodecCapability } from './rtp-parameters.js';

/** Options of `worker.createRouter()`. */
export type RouterOptions<RouterAppData extends AppData = AppData> = {
  /** Router media codecs. */
  mediaCodecs?: RouterRtpCodecCapability[];
  /** Custom application data. */
  appData?: RouterAppData;
};

/** What `router.dump()` returns. */
export type RouterDump = {
  id: string;
  transportIds: string[];
  rtpObserverIds: string[];
  mapProducerIdConsumerIds: { key: string; values: string[] }[];
  mapConsumerIdProducerId: { key: string; value: string }[];
  mapProducerIdObserverIds: { key: string; values: string[] }[];
  mapDataProducerIdDataConsumerIds: { key: string; values: string[] }[];
  mapDataConsumerIdDataProducerId: { key: string; value: string }[];
};

/** Events a Router emits ('@'-prefixed ones are internal). */
export type RouterEvents = {
  workerclose: [];
  '@close': [];
};
