/** mediasoup 3.27's Producer types. */
import type { AppData } from './app-data.js';
import type { MediaKind, RtpParameters } from './rtp-parameters.js';
import type { RtpStreamRecvStats } from './rtp-stream-stats.js';

/** Options of `transport.produce()`. */
export type ProducerOptions<ProducerAppData extends AppData = AppData> = {
  /** Producer id (just for `router.pipeToRouter()`). */
  id?: string;
  /** Media kind ('audio' or 'video'). */
  kind: MediaKind;
  /** RTP parameters defining what the endpoint is sending. */
  rtpParameters: RtpParameters;
  /** Whether the producer must start paused. Default false. */
  paused?: boolean;
  /**
   * Just for video. Time (in ms) before asking the sender for a new key frame
   * after having asked a previous one. Default 0.
   */
  keyFrameRequestDelay?: number;
  /**
   * Add mediasoup's custom 'urn:mediasoup:params:rtp-hdrext:packet-id' header
   * extension to RTP packets received from the sender endpoint.
   */
  enableMediasoupPacketIdHeaderExtension?: boolean;
  /** Custom application data. */
  appData?: ProducerAppData;
};

/** Producer type: one stream, several (simulcast) or one layered (SVC). */
export type ProducerType = 'simple' | 'simulcast' | 'svc';

/** Score of one RTP stream of a producer. */
export type ProducerScore = {
  /** Index of the RTP stream in `rtpParameters.encodings`. */
  encodingIdx: number;
  /** SSRC of the RTP stream. */
  ssrc: number;
  /** RID of the RTP stream. */
  rid?: string;
  /** The score of the RTP stream (0–10). */
  score: number;
};

/** Video orientation (from the urn:3gpp:video-orientation extension). */
export type ProducerVideoOrientation = {
  /** Whether the source is a video camera. */
  camera: boolean;
  /** Whether the video source is flipped. */
  flip: boolean;
  /** Rotation degrees (0, 90, 180 or 270). */
  rotation: number;
};

/** What `producer.dump()` returns. */
export type ProducerDump = {
  id: string;
  kind: string;
  type: ProducerType;
  rtpParameters: RtpParameters;
  rtpMapping: unknown;
  rtpStreams: unknown;
  traceEventTypes: string[];
  paused: boolean;
};

/** One entry of `producer.getStats()`. */
export type ProducerStat = RtpStreamRecvStats;

/** Valid types for a producer's 'trace' event. */
export type ProducerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'sr';

/** Data of a producer's 'trace' event. */
export type ProducerTraceEventData = {
  /** Trace type. */
  type: ProducerTraceEventType;
  /** Event timestamp. */
  timestamp: number;
  /** Event direction. */
  direction: 'in' | 'out';
  /** Per type information. */
  info: Record<string, unknown>;
};

/** Events a Producer emits ('@'-prefixed ones are internal). */
export type ProducerEvents = {
  transportclose: [];
  score: [ProducerScore[]];
  videoorientationchange: [ProducerVideoOrientation];
  trace: [ProducerTraceEventData];
  '@close': [];
};

/** Events of `producer.observer`. */
export type ProducerObserverEvents = {
  close: [];
  pause: [];
  resume: [];
  score: [ProducerScore[]];
  videoorientationchange: [ProducerVideoOrientation];
  trace: [ProducerTraceEventData];
};
