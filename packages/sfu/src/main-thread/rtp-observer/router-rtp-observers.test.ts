/** The RTP observers' option checks on the main thread: mediasoup's defaults, TypeError for bad values. */
import { describe, expect, it } from 'vitest';
import { activeSpeakerObserverSettings, audioLevelObserverSettings } from './router-rtp-observers.js';

describe('audioLevelObserverSettings', () => {
  it.each([
    [undefined, { maxEntries: 1, threshold: -80, interval: 1000 }],
    [{}, { maxEntries: 1, threshold: -80, interval: 1000 }],
    [
      { maxEntries: 65535, threshold: -127, interval: 10 },
      { maxEntries: 65535, threshold: -127, interval: 10 },
    ],
    [
      { threshold: 0, interval: 99999, appData: { a: 1 } },
      { maxEntries: 1, threshold: 0, interval: 99999 },
    ],
  ])('%j → %j', (options, expected) => {
    expect(audioLevelObserverSettings(options)).toEqual(expected);
  });

  it.each([
    { maxEntries: 0 },
    { maxEntries: -10 },
    { maxEntries: 2.5 },
    { maxEntries: 65536 },
    { maxEntries: Number.NaN },
    { threshold: 0.5 },
    { threshold: -127.5 },
    { threshold: Number.NaN },
    { threshold: 'foo' },
    { interval: false },
    { interval: Number.NaN },
    { interval: Number.NEGATIVE_INFINITY },
    { appData: 'NOT-AN-OBJECT' },
  ])('%j → TypeError', (options) => {
    expect(() => audioLevelObserverSettings(options as never)).toThrow(TypeError);
  });
});

describe('activeSpeakerObserverSettings', () => {
  it('defaults to 300 ms and keeps what it is given (the worker clamps)', () => {
    expect(activeSpeakerObserverSettings(undefined)).toEqual({ interval: 300 });
    expect(activeSpeakerObserverSettings({ interval: 50 })).toEqual({ interval: 50 });
  });

  it.each([{ interval: false }, { interval: Number.NaN }, { appData: 42 }])('%j → TypeError', (options) => {
    expect(() => activeSpeakerObserverSettings(options as never)).toThrow(TypeError);
  });
});
