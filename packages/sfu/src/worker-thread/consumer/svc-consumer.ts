/**
 * A consumer of an SVC producer (one stream carrying spatial layers, e.g.
 * VP9 L3T3; mediasoup's SvcConsumer). Today it forwards every spatial
 * layer: it syncs at a keyframe as a simple consumer does and drops
 * temporal layers as every kind does; it keeps and reports the preferred
 * layers. Choosing spatial layers from the VP9 descriptor
 * (`RtpPacket.spatialLayer`) is what this class will add.
 */
import type { ConsumerDump, ConsumerLayers } from '../../types/consumer.js';
import { SimpleConsumer } from './simple-consumer.js';

export class SvcConsumer extends SimpleConsumer {
  override readonly type = 'svc';

  override get preferredLayers(): ConsumerLayers | undefined {
    return { spatialLayer: this.preferredSpatial, temporalLayer: this.preferredTemporal };
  }

  override setPreferredLayers(layers: ConsumerLayers, _nowMs: number): void {
    this.storePreferredLayers(layers);
  }

  override dump(): ConsumerDump {
    return {
      ...this.baseDump(),
      preferredSpatialLayer: this.preferredSpatial,
      targetSpatialLayer: -1,
      currentSpatialLayer: -1,
      preferredTemporalLayer: this.preferredTemporal,
      targetTemporalLayer: this.preferredTemporal,
      currentTemporalLayer: this.currentTemporal,
    };
  }
}
