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

  it('exports the ortc namespace with mediasoup function names', () => {
    for (const name of [
      'validateRtpCapabilities',
      'validateRtpParameters',
      'validateSctpStreamParameters',
      'generateRouterRtpCapabilities',
      'getProducerRtpParametersMapping',
      'getConsumableRtpParameters',
      'canConsume',
      'getConsumerRtpParameters',
      'getPipeConsumerRtpParameters',
    ]) {
      expect(typeof (sfu.ortc as Record<string, unknown>)[name], name).toBe('function');
    }
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
});
