/** mediasoup 3.27's RTP stream statistics (what producers and consumers report in `getStats()`). */

/** Counters common to received and sent RTP streams. */
export type BaseRtpStreamStats = {
  timestamp: number;
  ssrc: number;
  rtxSsrc?: number;
  rid?: string;
  kind: string;
  mimeType: string;
  packetsLost: number;
  fractionLost: number;
  jitter: number;
  packetsDiscarded: number;
  packetsRetransmitted: number;
  packetsRepaired: number;
  nackCount: number;
  nackPacketCount: number;
  pliCount: number;
  firCount: number;
  roundTripTime?: number;
  rtxPacketsDiscarded?: number;
  score: number;
};

/** A received RTP stream (a producer's): type 'inbound-rtp'. */
export type RtpStreamRecvStats = BaseRtpStreamStats & {
  type: string;
  packetCount: number;
  byteCount: number;
  bitrate: number;
  bitrateByLayer: BitrateByLayer;
};

/** A sent RTP stream (a consumer's): type 'outbound-rtp'. */
export type RtpStreamSendStats = BaseRtpStreamStats & {
  type: string;
  packetCount: number;
  byteCount: number;
  bitrate: number;
};

/** Bitrate per 'spatial.temporal' layer key. */
export type BitrateByLayer = {
  [key: string]: number;
};
