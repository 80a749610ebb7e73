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
