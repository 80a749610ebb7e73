/** mediasoup 3.27's WebRtcServer types. */
import type { AppData } from './app-data.js';
import type { TransportListenInfo } from './transport.js';

/** Options of `worker.createWebRtcServer()`. */
export type WebRtcServerOptions<WebRtcServerAppData extends AppData = AppData> = {
  /** Listen infos. */
  listenInfos: TransportListenInfo[];
  /** Custom application data. */
  appData?: WebRtcServerAppData;
};

/** @deprecated Use `TransportListenInfo`. */
export type WebRtcServerListenInfo = TransportListenInfo;

/** A transport using the server, by ICE username fragment and by tuple (`dump()`). */
export type WebRtcServerIceUsernameFragment = {
  localIceUsernameFragment: string;
  webRtcTransportId: string;
};

export type WebRtcServerTupleHash = {
  tupleHash: number;
  webRtcTransportId: string;
};
