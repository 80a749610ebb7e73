/** mediasoup 3.27's DirectTransport types (RTP and RTCP to and from this Node process, no sockets). */
import type { AppData } from './app-data.js';
import type { BaseTransportDump, BaseTransportStats } from './transport.js';
import type { TransportMediaCounters } from './webrtc-transport.js';

/** Options of `router.createDirectTransport()`. */
export type DirectTransportOptions<DirectTransportAppData extends AppData = AppData> = {
  /** Maximum allowed size for messages sent by DataConsumers (in bytes). Default 262144. */
  maxSendMessageSize?: number;
  /** Maximum allowed size for messages received by DataProducers (in bytes). Default 262144. */
  maxReceiveMessageSize?: number;
  /** @deprecated mediasoup < 3.20's name: sets both sizes above. */
  maxMessageSize?: number;
  /** Custom application data. */
  appData?: DirectTransportAppData;
};

/** What `directTransport.dump()` returns. */
export type DirectTransportDump = BaseTransportDump;

/** What `directTransport.getStats()` returns (one entry, `type: 'direct-transport'`). */
export type DirectTransportStat = BaseTransportStats & { type: string };

/** Our counters beyond mediasoup's stats (`getStats()[0].tsfuCounters`). */
export interface DirectTransportCounters {
  /**
   * `producer.send()` packets dropped, by reason (malformed, unknown SSRC or payload type, another
   * producer's SSRC), and the other media-plane drops.
   */
  media: TransportMediaCounters;
  /** Bytes held for retransmissions (producers' kept packets and consumers' sent-packet logs). */
  retransmissionBufferBytes: number;
}

/** `getStats()` entry with `tsfuCounters`. */
export type DirectTransportStatWithCounters = DirectTransportStat & { tsfuCounters: DirectTransportCounters };
