import { clientHelloFlight } from './client-hello-flight.js';
import type { FlightHandler } from './flight-handler.js';
import { parseServerAnswer } from './flight3-handler.js';

/** Client flight 1: the first ClientHello (no cookie); the answer is read as flight 3's is. */
export const flight1: FlightHandler = {
  generate: clientHelloFlight,
  parse: parseServerAnswer,
};
