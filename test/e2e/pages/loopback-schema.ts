/** Signalling and steps of the loopback page (see loopback-media.test.ts). */
import type { RtpCapabilities, RtpParameters } from 'mediasoup-client/types';
import type { TransportInfo } from './capabilities-schema.js';

export interface LoopbackSchema {
  pageRequests: {
    getRouterRtpCapabilities: { request: null; response: RtpCapabilities };
    createWebRtcTransport: { request: { direction: 'send' | 'recv' }; response: TransportInfo };
    connectWebRtcTransport: {
      request: { transportId: string; dtlsParameters: TransportInfo['dtlsParameters'] };
      response: null;
    };
    produce: {
      request: { transportId: string; kind: 'audio' | 'video'; rtpParameters: RtpParameters };
      response: { id: string };
    };
  };
  serverRequests: Record<string, never>;
  pageNotifications: Record<string, never>;
  serverNotifications: Record<string, never>;
}

/** What `transport.consume()` takes, as a server sends it. */
export interface ConsumeSpec {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: RtpParameters;
}

export interface LoopbackPageApi {
  [step: string]: (arg: never) => unknown;
  /** Loads the Device; returns its receive capabilities. */
  load(arg: null): Promise<RtpCapabilities>;
  /** Produces the fake microphone and camera (VP8) on a send transport. */
  produce(arg: null): Promise<Array<{ id: string; kind: string }>>;
  /** Consumes on a receive transport; returns the consumers' ids and track states. */
  consume(specs: ConsumeSpec[]): Promise<Array<{ id: string; kind: string; trackState: string }>>;
  close(arg: null): Promise<void>;
}
