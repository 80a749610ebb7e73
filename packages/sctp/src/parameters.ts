/**
 * mediasoup v3's SCTP parameter shapes, so the sfu layer can expose
 * DataProducer / DataConsumer with the same objects mediasoup-client sends.
 */
import type { DataChannelInit } from './data-channel.js';
import type { SendOptions } from './sctp-association.js';

/** Stream counts: OS (outgoing) and MIS (max incoming). */
export interface NumSctpStreams {
  OS: number;
  MIS: number;
}

export interface SctpCapabilities {
  numStreams: NumSctpStreams;
}

export interface SctpParameters {
  /** Always 5000 in WebRTC. */
  port: number;
  OS: number;
  MIS: number;
  maxMessageSize: number;
}

export interface SctpStreamParameters {
  streamId: number;
  /** Default true. */
  ordered?: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
}

/** mediasoup's defaults: `numSctpStreams` 1024/1024, `maxSctpMessageSize` 262144. */
export const DEFAULT_NUM_SCTP_STREAMS: NumSctpStreams = { OS: 1024, MIS: 1024 };
export const DEFAULT_MAX_SCTP_MESSAGE_SIZE = 262144;
export const SCTP_PORT = 5000;

export function defaultSctpCapabilities(): SctpCapabilities {
  return { numStreams: { ...DEFAULT_NUM_SCTP_STREAMS } };
}

/** Checks stream parameters the way mediasoup does; returns an error text or undefined. */
export function validateSctpStreamParameters(p: SctpStreamParameters): string | undefined {
  if (!Number.isInteger(p.streamId) || p.streamId < 0 || p.streamId > 65534) return 'invalid streamId';
  if (p.maxPacketLifeTime !== undefined && p.maxRetransmits !== undefined) {
    return 'cannot provide both maxPacketLifeTime and maxRetransmits';
  }
  if (p.ordered === true && (p.maxPacketLifeTime !== undefined || p.maxRetransmits !== undefined)) {
    return 'cannot be ordered with maxPacketLifeTime or maxRetransmits';
  }
  return undefined;
}

/** The per-message send options that stream parameters imply. */
export function sendOptionsFor(p: SctpStreamParameters): SendOptions {
  return {
    // mediasoup: ordered defaults to true unless a partial reliability field is given.
    unordered:
      p.ordered === false ||
      (p.ordered === undefined && (p.maxPacketLifeTime !== undefined || p.maxRetransmits !== undefined)),
    maxRetransmits: p.maxRetransmits,
    maxPacketLifeTimeMs: p.maxPacketLifeTime,
  };
}

/** Stream parameters of a data channel (for signalling it as a DataProducer). */
export function streamParametersOf(id: number, init: DataChannelInit): SctpStreamParameters {
  const out: SctpStreamParameters = { streamId: id, ordered: init.ordered ?? true };
  if (init.maxPacketLifeTime !== undefined) out.maxPacketLifeTime = init.maxPacketLifeTime;
  if (init.maxRetransmits !== undefined) out.maxRetransmits = init.maxRetransmits;
  return out;
}
