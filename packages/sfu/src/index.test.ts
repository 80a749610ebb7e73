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

  it('exports the packet ring', () => {
    const sab = sfu.createPacketRingBuffer({ capacity: 4096 });
    const writer = new sfu.PacketRingWriter(sab);
    const reader = new sfu.PacketRingReader(sab);
    writer.tryWrite(Uint8Array.from([9]), 1, 3);
    writer.publish();
    expect(reader.next()).toBe(true);
    expect([reader.meta, reader.data[reader.offset]]).toEqual([3, 9]);
  });

  it('exports the module-level API of mediasoup 3.27 that part 1 covers', () => {
    expect(typeof sfu.createWorker).toBe('function');
    expect(typeof sfu.setLogEventListeners).toBe('function');
    expect(sfu.version).toMatch(/^3\.27\.1/);
    expect(sfu.observer).toBeInstanceOf(sfu.EnhancedEventEmitter);
    for (const cls of [sfu.Worker, sfu.WebRtcServer, sfu.Router, sfu.WebRtcTransport]) {
      expect(typeof cls).toBe('function');
    }
  });

  it('EnhancedEventEmitter.safeEmit reports a throwing listener as listenererror', () => {
    const e = new sfu.EnhancedEventEmitter<{ x: [number]; listenererror: [string, Error] }>();
    const seen: unknown[] = [];
    e.on('listenererror', (name, error) => seen.push(name, error.message));
    e.on('x', () => {
      throw new Error('boom');
    });
    expect(() => e.safeEmit('x', 1)).not.toThrow();
    expect(seen).toEqual(['x', 'boom']);
  });
});
