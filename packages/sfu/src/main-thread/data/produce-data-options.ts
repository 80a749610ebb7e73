/** `transport.produceData()`'s option checks, as mediasoup 3.27's Transport.produceData(). */
import * as ortc from '../../ortc/ortc.js';
import type { AppData } from '../../types/app-data.js';
import type { DataProducerOptions, DataProducerType } from '../../types/data-producer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';
import { checkOptions } from '../validate-fields.js';

export type NormalizedDataProducerOptions = {
  type: DataProducerType;
  sctpStreamParameters: SctpStreamParameters | undefined;
  label: string;
  protocol: string;
  paused: boolean;
};

/** A DirectTransport's data producers are 'direct' (no SCTP stream); every other kind's are 'sctp'. */
export function normalizeDataProducerOptions<A extends AppData>(
  options: DataProducerOptions<A>,
  direct: boolean,
): NormalizedDataProducerOptions {
  checkOptions('options', options);
  const { sctpStreamParameters, label = '', protocol = '', paused = false, appData } = options;
  if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
  if (typeof label !== 'string') throw new TypeError('if given, label must be a string');
  if (typeof protocol !== 'string') throw new TypeError('if given, protocol must be a string');
  if (direct)
    return { type: 'direct', sctpStreamParameters: undefined, label, protocol, paused: paused === true };
  const params = structuredClone(sctpStreamParameters) as SctpStreamParameters;
  ortc.validateAndNormalizeSctpStreamParameters(params);
  return { type: 'sctp', sctpStreamParameters: params, label, protocol, paused: paused === true };
}
