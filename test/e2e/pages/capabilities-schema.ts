/**
 * What the capabilities page and its test say to each other: the signalling
 * schema (mediasoup-client's wire shapes) and the page's step API.
 */
import type { RtpCapabilities, RtpParameters, TransportOptions } from 'mediasoup-client/types';

/** The send transport's parameters as a mediasoup server returns them from `createWebRtcTransport`. */
export type TransportInfo = Pick<
  TransportOptions,
  'id' | 'iceParameters' | 'iceCandidates' | 'dtlsParameters' | 'iceServers' | 'iceTransportPolicy'
>;

/** What the server concluded about the device's capabilities. */
export interface DeviceCapabilitiesVerdict {
  /** `ortc.canConsume(consumable params of a VP8 producer, device caps)`. */
  canConsumeVp8: boolean;
  /** Same for an opus producer. */
  canConsumeOpus: boolean;
}

export interface CapabilitiesSchema {
  pageRequests: {
    getRouterRtpCapabilities: { request: null; response: RtpCapabilities };
    setDeviceRtpCapabilities: {
      request: { recvRtpCapabilities: RtpCapabilities; sendRtpCapabilities: RtpCapabilities };
      response: DeviceCapabilitiesVerdict;
    };
    createWebRtcTransport: { request: null; response: TransportInfo };
    connectWebRtcTransport: {
      request: { transportId: string; dtlsParameters: TransportInfo['dtlsParameters'] };
      response: null;
    };
    produce: {
      request: {
        transportId: string;
        kind: 'audio' | 'video';
        rtpParameters: RtpParameters;
        appData: { label?: string };
      };
      response: { id: string };
    };
  };
  serverRequests: Record<string, never>;
  pageNotifications: Record<string, never>;
  serverNotifications: Record<string, never>;
}

/** One `transport.produce()` the test asks for. */
export interface ProduceSpec {
  label: string;
  kind: 'audio' | 'video';
  /** Pick the device's codec with this MIME type (and these parameters, when given). */
  codecMimeType?: string;
  codecParameters?: Record<string, string | number>;
  /** Request simulcast with this many encodings (scaleResolutionDownBy 4, 2, 1). */
  simulcastEncodings?: number;
}

export interface LoadDeviceResult {
  loaded: boolean;
  handlerName: string;
  canProduceAudio: boolean;
  canProduceVideo: boolean;
  recvRtpCapabilities: RtpCapabilities;
  sendRtpCapabilities: RtpCapabilities;
  verdict: DeviceCapabilitiesVerdict;
}

export interface ProduceResult {
  label: string;
  producerId: string;
  /** `producer.rtpParameters` as the page sees them. */
  rtpParameters: RtpParameters;
  /** The track's settings, for the record. */
  trackSettings: { width?: number; height?: number; frameRate?: number; sampleRate?: number };
}

/** The page's steps (`window.e2e`). */
export interface CapabilitiesPageApi {
  [step: string]: (arg: never) => unknown;
  loadDevice(arg: null): Promise<LoadDeviceResult>;
  produce(specs: ProduceSpec[]): Promise<ProduceResult[]>;
  /** Transport states seen, for the record. */
  transportEvents(arg: null): Promise<string[]>;
  close(arg: null): Promise<void>;
}
