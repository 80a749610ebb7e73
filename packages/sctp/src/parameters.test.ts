import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_SCTP_MESSAGE_SIZE,
  defaultSctpCapabilities,
  sendOptionsFor,
  streamParametersOf,
  validateSctpStreamParameters,
} from './parameters.js';

describe('mediasoup SCTP parameter shapes', () => {
  it('defaults match mediasoup (numSctpStreams 1024/1024, maxSctpMessageSize 262144)', () => {
    expect(defaultSctpCapabilities()).toEqual({ numStreams: { OS: 1024, MIS: 1024 } });
    expect(DEFAULT_MAX_SCTP_MESSAGE_SIZE).toBe(262144);
  });
  it.each([
    { p: { streamId: 0 }, err: undefined },
    { p: { streamId: 65534, ordered: false, maxRetransmits: 2 }, err: undefined },
    { p: { streamId: 65535 }, err: 'invalid streamId' },
    { p: { streamId: -1 }, err: 'invalid streamId' },
    {
      p: { streamId: 1, maxRetransmits: 1, maxPacketLifeTime: 1 },
      err: 'cannot provide both maxPacketLifeTime and maxRetransmits',
    },
    {
      p: { streamId: 1, ordered: true, maxRetransmits: 1 },
      err: 'cannot be ordered with maxPacketLifeTime or maxRetransmits',
    },
  ])('validate $p', ({ p, err }) => {
    expect(validateSctpStreamParameters(p)).toBe(err);
  });
  it.each([
    {
      p: { streamId: 1 },
      want: { unordered: false, maxRetransmits: undefined, maxPacketLifeTimeMs: undefined },
    },
    {
      p: { streamId: 1, maxRetransmits: 3 },
      want: { unordered: true, maxRetransmits: 3, maxPacketLifeTimeMs: undefined },
    },
    {
      p: { streamId: 1, maxPacketLifeTime: 500, ordered: false },
      want: { unordered: true, maxRetransmits: undefined, maxPacketLifeTimeMs: 500 },
    },
  ])('send options for $p', ({ p, want }) => {
    expect(sendOptionsFor(p)).toEqual(want);
  });
  it('stream parameters of a data channel', () => {
    expect(streamParametersOf(4, { ordered: false, maxPacketLifeTime: 100 })).toEqual({
      streamId: 4,
      ordered: false,
      maxPacketLifeTime: 100,
    });
  });
});
