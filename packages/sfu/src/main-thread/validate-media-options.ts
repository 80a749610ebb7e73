/**
 * The options of `produce()`, `consume()` and the consumer's layer and
 * priority setters beyond what mediasoup's Node layer checks: the fields its
 * worker reads as flatbuffers u8/u32 and booleans. TypeError naming the field.
 */
import type { ConsumerLayers } from '../types/consumer.js';
import { checkBoolean, checkInteger, isPlainObject, shown } from './validate-fields.js';

const U32_MAX = 2 ** 32 - 1;

/** `produce()`'s options besides `id`, `kind`, `appData` (checked in mediasoup's order by the caller). */
export function validateProduceOptions(o: Record<string, unknown>): void {
  if (!isPlainObject(o.rtpParameters)) {
    throw new TypeError(`rtpParameters is not an object [rtpParameters:${shown(o.rtpParameters)}]`);
  }
  // mediasoup-worker's Producer rejects it too, but only after the request.
  const { codecs } = o.rtpParameters;
  if (Array.isArray(codecs) && codecs.length === 0) throw new TypeError('empty rtpParameters.codecs');
  checkBoolean('paused', o.paused);
  checkInteger('keyFrameRequestDelay', o.keyFrameRequestDelay, 0, U32_MAX);
}

/** `consume()`'s options besides `producerId`, `mid`, `appData` (checked in mediasoup's order by the caller). */
export function validateConsumeOptions(o: Record<string, unknown>): void {
  if (!isPlainObject(o.rtpCapabilities)) {
    throw new TypeError(`rtpCapabilities is not an object [rtpCapabilities:${shown(o.rtpCapabilities)}]`);
  }
  for (const name of ['paused', 'ignoreDtx', 'enableRtx', 'pipe'] as const) checkBoolean(name, o[name]);
  if (o.preferredLayers !== undefined) validateLayers(o.preferredLayers, 'preferredLayers');
}

/**
 * Layers as mediasoup's `setPreferredLayers()` checks them (`spatialLayer must
 * be a number`, `if given, temporalLayer must be a number`), then as its worker
 * reads them (u8).
 */
export function validateLayers(layers: unknown, name: string): asserts layers is ConsumerLayers {
  if (!isPlainObject(layers)) throw new TypeError(`${name} must be an object [${name}:${shown(layers)}]`);
  const { spatialLayer, temporalLayer } = layers;
  if (typeof spatialLayer !== 'number')
    throw new TypeError(`spatialLayer must be a number [${name}.spatialLayer]`);
  if (temporalLayer != null && typeof temporalLayer !== 'number') {
    throw new TypeError(`if given, temporalLayer must be a number [${name}.temporalLayer]`);
  }
  checkInteger(`${name}.spatialLayer`, spatialLayer, 0, 255);
  checkInteger(`${name}.temporalLayer`, temporalLayer ?? undefined, 0, 255);
}

/** mediasoup's `priority must be a positive number`, then its worker's u8 above 0. */
export function validatePriority(priority: unknown): asserts priority is number {
  if (typeof priority !== 'number' || priority < 0) throw new TypeError('priority must be a positive number');
  if (!(priority >= 1 && priority <= 255)) {
    throw new TypeError(`wrong priority: ${priority} (must be from 1 to 255)`);
  }
}
