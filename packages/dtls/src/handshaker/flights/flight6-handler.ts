import type { FlightItem } from '../../flight/flight.js';
import { marshalFinished } from '../../handshake/finished.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import type { HandshakeContext } from '../handshake-context.js';
import type { FlightHandler } from './flight-handler.js';

/** Server flight 6: ChangeCipherSpec and our Finished (epoch 1). The last flight: nothing answers it. */
function generate(ctx: HandshakeContext): FlightItem[] {
  const fin = ctx.message(HandshakeType.finished, marshalFinished(ctx.verifyData(false)), 1);
  return [{ kind: 'changeCipherSpec' }, fin];
}

export const flight6: FlightHandler = { generate, parse: () => undefined };
