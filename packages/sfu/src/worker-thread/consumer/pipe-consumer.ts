/**
 * Planned: a pipe consumer (mediasoup's PipeConsumer) forwards every stream
 * of its producer unchanged (no layer choice, no keyframe sync), with the
 * producer's SSRCs mapped, to a PipeTransport that joins two routers. It
 * lands with `transport/pipe-transport.ts`. Until then `consume({ pipe: true })`
 * creates the consumer of the producer's kind (see `create-consumer.ts`), as
 * tsfu always did; constructing this class says so.
 */
import { UnsupportedError } from '../../errors.js';

export class PipeConsumer {
  readonly type = 'pipe';

  constructor() {
    throw new UnsupportedError('pipe consumers come with PipeTransport (not implemented yet)');
  }
}
