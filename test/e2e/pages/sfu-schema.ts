/** Signalling and steps of the SFU page (the scenarios in sfu-*.test.ts). */
import type {
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
  SctpStreamParameters,
} from 'mediasoup-client/types';
import type { TransportInfo } from './capabilities-schema.js';

export interface SfuSchema {
  pageRequests: {
    getRouterRtpCapabilities: { request: null; response: RtpCapabilities };
    createWebRtcTransport: {
      request: { direction: 'send' | 'recv' };
      /** `sctpParameters` when the room enables SCTP (data channels). */
      response: TransportInfo & { sctpParameters?: SctpParameters };
    };
    connectWebRtcTransport: {
      request: { transportId: string; dtlsParameters: TransportInfo['dtlsParameters'] };
      response: null;
    };
    produce: {
      request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters };
      response: { id: string };
    };
    consume: {
      request: { transportId: string; producerId: string; rtpCapabilities: RtpCapabilities };
      response: { id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters };
    };
    produceData: {
      request: {
        transportId: string;
        sctpStreamParameters: SctpStreamParameters;
        label: string;
        protocol: string;
      };
      response: { id: string };
    };
    consumeData: {
      /** `subchannels` of the DataConsumer (mediasoup's subchannel filter). */
      request: { transportId: string; dataProducerId: string; subchannels?: number[] };
      response: {
        id: string;
        dataProducerId: string;
        sctpStreamParameters: SctpStreamParameters;
        label: string;
        protocol: string;
      };
    };
  };
  serverRequests: Record<string, never>;
  pageNotifications: Record<string, never>;
  serverNotifications: Record<string, never>;
}

export interface ProduceSpec {
  audio: boolean;
  video: boolean;
  /** Video codec MIME type (default VP8). */
  codec?: 'video/VP8' | 'video/VP9' | 'video/H264' | 'video/AV1';
  /** Three simulcast encodings (r0, r1, r2). */
  simulcast?: boolean;
  /** One encoding with this scalability mode (SVC, e.g. `L3T3_KEY` with VP9 or AV1). */
  scalabilityMode?: string;
  /** Camera size (default 640×480) and frame rate (default 30). */
  width?: number;
  height?: number;
  frameRate?: number;
}

export interface SfuPageApi {
  [step: string]: (arg: never) => unknown;
  /** Loads the Device; returns its receive capabilities. */
  load(arg: null): Promise<RtpCapabilities>;
  /** Produces the fake microphone and/or camera on a send transport. */
  produce(spec: ProduceSpec): Promise<Array<{ id: string; kind: string }>>;
  /** Consumes the producers on a receive transport (created on first use). */
  consume(producerIds: string[]): Promise<Array<{ id: string; kind: string; trackState: string }>>;
  close(arg: null): Promise<void>;
}
