/**
 * The consumer kind for a producer, as mediasoup picks it: simple for one
 * stream, simulcast for several, SVC for one stream with spatial layers.
 * A `pipe` consumer (on a PipeTransport, or `consume({ pipe: true })`)
 * forwards every stream: `pipe-consumer.ts`.
 */
import type { Consumer, ConsumerOptions } from './consumer.js';
import { PipeConsumer } from './pipe-consumer.js';
import { SimpleConsumer } from './simple-consumer.js';
import { SimulcastConsumer } from './simulcast-consumer.js';
import { SvcConsumer } from './svc-consumer.js';

export function createConsumer(o: ConsumerOptions): Consumer {
  if (o.pipe) return new PipeConsumer(o);
  switch (o.producer.type) {
    case 'simulcast':
      return new SimulcastConsumer(o);
    case 'svc':
      return new SvcConsumer(o);
    default:
      return new SimpleConsumer(o);
  }
}
