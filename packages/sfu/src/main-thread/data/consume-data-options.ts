/** `transport.consumeData()`'s option checks and stream parameters, as mediasoup 3.27's Transport.consumeData(). */
import type { AppData } from '../../types/app-data.js';
import type { DataConsumerOptions } from '../../types/data-consumer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';
import { checkOptions } from '../validate-fields.js';

export function checkDataConsumerOptions<A extends AppData>(options: DataConsumerOptions<A>): void {
  checkOptions('options', options);
  const { dataProducerId, appData } = options;
  if (!dataProducerId || typeof dataProducerId !== 'string') throw new TypeError('missing dataProducerId');
  if (appData && typeof appData !== 'object') throw new TypeError('if given, appData must be an object');
}

/**
 * An 'sctp' consumer's stream parameters (without its stream id): the data
 * producer's reliability unless the options override it (an ordered stream
 * has no partial-reliability limit; the two limits exclude each other).
 */
export function consumerSctpStreamParameters<A extends AppData>(
  options: DataConsumerOptions<A>,
  producerParams: SctpStreamParameters | undefined,
): Omit<SctpStreamParameters, 'streamId'> {
  const p: Omit<SctpStreamParameters, 'streamId'> = producerParams
    ? { ...producerParams }
    : { ordered: true };
  delete (p as Partial<SctpStreamParameters>).streamId;
  const { ordered, maxPacketLifeTime, maxRetransmits } = options;
  if (ordered !== undefined) {
    p.ordered = ordered;
    if (ordered) {
      delete p.maxPacketLifeTime;
      delete p.maxRetransmits;
    }
  }
  if (maxPacketLifeTime !== undefined && !p.ordered) {
    p.maxPacketLifeTime = maxPacketLifeTime;
    delete p.maxRetransmits;
  } else if (maxRetransmits !== undefined && !p.ordered) {
    p.maxRetransmits = maxRetransmits;
    delete p.maxPacketLifeTime;
  }
  return p;
}
