import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as sfu from './index.js';

// The module-level names a mediasoup application uses that exist in this part.
describe('public entry', () => {
  it('exports the error classes under errors, as mediasoup does', () => {
    expect(Object.keys(sfu.errors).sort()).toEqual([
      'NotFoundError',
      'UnsupportedError',
      'WorkerClosedError',
    ]);
    expect(new sfu.errors.UnsupportedError('x')).toBeInstanceOf(sfu.UnsupportedError);
  });

  it("exports the ortc namespace with exactly mediasoup 3.27.1's functions", () => {
    // mediasoup's serializeRtpMapping() (flatbuffers for its C++ worker) is left out on purpose.
    expect(Object.keys(sfu.ortc).sort()).toEqual([
      'canConsume',
      'generateRouterRtpCapabilities',
      'getConsumableRtpParameters',
      'getConsumerRtpParameters',
      'getPipeConsumerRtpParameters',
      'getProducerRtpParametersMapping',
      'validateAndNormalizeRtpCapabilities',
      'validateAndNormalizeRtpParameters',
      'validateAndNormalizeSctpStreamParameters',
    ]);
    for (const fn of Object.values(sfu.ortc)) expect(typeof fn).toBe('function');
  });

  it('exports parseScalabilityMode and getSupportedRtpCapabilities', () => {
    expect(sfu.parseScalabilityMode('L2T3')).toEqual({ spatialLayers: 2, temporalLayers: 3, ksvc: false });
    expect(sfu.getSupportedRtpCapabilities().codecs?.[0].mimeType).toBe('audio/opus');
  });

  it('keeps the packet ring and h264 out of the main entry, in @tsfu/sfu/internal', async () => {
    expect('PacketRingReader' in sfu).toBe(false);
    expect('h264' in sfu).toBe(false);
    const internal = await import('./internal.js');
    const sab = internal.createPacketRingBuffer({ capacity: 4096 });
    const writer = new internal.PacketRingWriter(sab);
    const reader = new internal.PacketRingReader(sab);
    writer.tryWrite(Uint8Array.from([9]), 1, 3);
    writer.publish();
    expect(reader.next()).toBe(true);
    expect([reader.meta, reader.data[reader.offset]]).toEqual([3, 9]);
    expect(typeof internal.h264.parseProfileLevelId).toBe('function');
  });

  it("exports mediasoup 3.27's module-level API, also as the default export", async () => {
    expect(typeof sfu.createWorker).toBe('function');
    expect(typeof sfu.setLogEventListeners).toBe('function');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(sfu.version).toBe(pkg.version);
    expect(sfu.mediasoupApiVersion).toBe('3.27.1');
    expect(sfu.observer).toBeInstanceOf(sfu.extras.EnhancedEventEmitter);
    expect(sfu.workerBin).toMatch(/worker-thread\.js$/);
    expect(existsSync(sfu.workerBin)).toBe(true);
    // The classes are types only (as mediasoup's …Impl classes are not exported).
    expect('Worker' in sfu).toBe(false);
    expect('EnhancedEventEmitter' in sfu).toBe(false);
    expect(sfu.default).toMatchObject({
      version: sfu.version,
      observer: sfu.observer,
      workerBin: sfu.workerBin,
      setLogEventListeners: sfu.setLogEventListeners,
      createWorker: sfu.createWorker,
      getSupportedRtpCapabilities: sfu.getSupportedRtpCapabilities,
      parseScalabilityMode: sfu.parseScalabilityMode,
      ortc: sfu.ortc,
      errors: sfu.errors,
      extras: sfu.extras,
    });
    expect(sfu.default.createWorker).toBe(sfu.createWorker);
  });

  it('extras.enhancedOnce resolves with the next emission of an event', async () => {
    const e = new sfu.extras.EnhancedEventEmitter<{ x: [number, string] }>();
    const next = sfu.extras.enhancedOnce(e, 'x');
    e.safeEmit('x', 1, 'a');
    await expect(next).resolves.toEqual([1, 'a']);
  });

  it('EnhancedEventEmitter.safeEmit reports a throwing listener as listenererror', () => {
    const e = new sfu.extras.EnhancedEventEmitter<{ x: [number]; listenererror: [string, Error] }>();
    const seen: unknown[] = [];
    e.on('listenererror', (name, error) => seen.push(name, error.message));
    e.on('x', () => {
      throw new Error('boom');
    });
    expect(() => e.safeEmit('x', 1)).not.toThrow();
    expect(seen).toEqual(['x', 'boom']);
  });
});
