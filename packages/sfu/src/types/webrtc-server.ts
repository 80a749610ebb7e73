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

/** An IP and port a WebRtcServer listens on (`dump()`). */
export type IpPort = {
  ip: string;
  port: number;
};

/** A transport using the server, by its local ICE username fragment (`dump()`). */
export type IceUserNameFragment = {
  localIceUsernameFragment: string;
  webRtcTransportId: string;
};

/** What `webRtcServer.dump()` returns. */
export type WebRtcServerDump = {
  id: string;
  udpSockets: IpPort[];
  tcpServers: IpPort[];
  webRtcTransportIds: string[];
  localIceUsernameFragments: IceUserNameFragment[];
};

/** Events a WebRtcServer emits ('@'-prefixed ones are internal). */
export type WebRtcServerEvents = {
  workerclose: [];
  '@close': [];
};
