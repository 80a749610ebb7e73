import type { FlightItem } from '../../flight/flight.js';
import type { FlightOutcome } from '../flight-table.js';
import type { HandshakeContext } from '../handshake-context.js';

/**
 * What reading the peer's answer gave: the next flight or 'finished'; 'stay'
 * when part of it was used (keys derived, Finished still to come); undefined
 * when more must arrive first.
 */
export type ParseResult = FlightOutcome | 'stay' | undefined;

/** One flight of one side (pion's flightNHandler): its messages, and how the answer to it is read. */
export interface FlightHandler {
  /** The flight's messages, numbered and in the transcript; undefined if it sends nothing. */
  generate(ctx: HandshakeContext): FlightItem[] | undefined;
  /** Reads the peer's answer from `ctx.messages`; throws `HandshakeFailure`. */
  parse(ctx: HandshakeContext): ParseResult;
}
