import { describe, expect, it } from 'vitest';
import { isPortInUse, portChoice, portsToTry } from './listen-ports.js';

const worker = { min: 10000, max: 59999 };

describe('portChoice (mediasoup: port, else portRange, else rtcMinPort..rtcMaxPort)', () => {
  it.each([
    ['a fixed port', { port: 4000 }, 4000],
    ['a port range', { portRange: { min: 2000, max: 3000 } }, { min: 2000, max: 3000 }],
    [
      'a range wins over a port',
      { port: 4000, portRange: { min: 2000, max: 2000 } },
      { min: 2000, max: 2000 },
    ],
    ['neither: the worker range', {}, worker],
    ['port 0: the worker range', { port: 0 }, worker],
    ['an empty range object: the worker range', { portRange: { min: 0, max: 0 } }, worker],
  ])('%s', (_name, extra, want) => {
    expect(portChoice({ protocol: 'udp', ip: '127.0.0.1', ...extra }, worker)).toEqual(want);
  });

  it.each([
    ['a reversed range', { portRange: { min: 4000, max: 3000 } }],
    ['a range above 65535', { portRange: { min: 4000, max: 70000 } }],
    ['a range with one end 0', { portRange: { min: 0, max: 3000 } }],
    ['a port above 65535', { port: 70000 }],
  ])('rejects %s with TypeError', (_name, extra) => {
    expect(() => portChoice({ protocol: 'udp', ip: '127.0.0.1', ...extra }, worker)).toThrow(TypeError);
  });
});

describe('portsToTry', () => {
  it('yields every port of the range once, wrapping from a random start', () => {
    const starts = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const ports = [...portsToTry({ min: 100, max: 109 })];
      expect([...ports].sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
      // Consecutive, wrapping from 109 to 100.
      for (let j = 1; j < ports.length; j++)
        expect(ports[j]).toBe(ports[j - 1] === 109 ? 100 : ports[j - 1] + 1);
      starts.add(ports[0]);
    }
    expect(starts.size).toBeGreaterThan(1);
  });

  it('a one-port range yields that port', () => {
    expect([...portsToTry({ min: 5000, max: 5000 })]).toEqual([5000]);
  });
});

describe('isPortInUse', () => {
  it.each([
    ['bind EADDRINUSE 127.0.0.1:4000', true],
    ['listen EADDRINUSE: address already in use 127.0.0.1:4000', true],
    ['udp 127.0.0.1:4000 is in use by a transport (EADDRINUSE)', true],
    ['bind EACCES 0.0.0.0:80', true],
    ['bind EADDRNOTAVAIL 1.2.3.4:4000', false],
  ])('%s → %s', (message, want) => {
    expect(isPortInUse(new Error(message))).toBe(want);
  });
});
