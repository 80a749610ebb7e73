import { AlertDescription } from '../../alert.js';
import type { AssembledMessage } from '../../flight/handshake-reassembler.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { unmarshalHelloVerifyRequest } from '../../handshake/hello-verify-request.js';
import type { HandshakeContext } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';
import { clientHelloFlight } from './client-hello-flight.js';
import type { FlightHandler, ParseResult } from './flight-handler.js';
import { readServerFlight } from './read-server-flight.js';

/** ServerHello … ServerHelloDone holds at most five messages (CertificateRequest optional). */
const MAX_SERVER_FLIGHT = 5;

/**
 * Client, answer to flight 1 or 3: a HelloVerifyRequest (→ flight 3 with its
 * cookie) or the server's flight 4 once all of it is here (→ flight 5).
 */
export function parseServerAnswer(ctx: HandshakeContext): ParseResult {
  const r = ctx.messages;
  const first = r.lowestComplete();
  if (!first) return undefined;
  if (first.type === HandshakeType.helloVerifyRequest) {
    const hvr = unmarshalHelloVerifyRequest(first.body);
    if (!hvr || hvr.cookie.length === 0)
      throw new HandshakeFailure('malformed HelloVerifyRequest', AlertDescription.decodeError);
    r.consumeThrough(first.messageSeq);
    ctx.cookie = hvr.cookie;
    return 3;
  }
  if (first.type !== HandshakeType.serverHello) return undefined;
  const msgs: AssembledMessage[] = [first];
  for (let seq = first.messageSeq + 1; ; seq++) {
    const m = r.get(seq);
    if (!m) return undefined;
    msgs.push(m);
    if (m.type === HandshakeType.serverHelloDone) break;
    if (msgs.length > MAX_SERVER_FLIGHT)
      throw new HandshakeFailure('unexpected message in server flight', AlertDescription.unexpectedMessage);
  }
  r.consumeThrough(msgs[msgs.length - 1].messageSeq);
  readServerFlight(ctx, msgs);
  return 5;
}

/** Client flight 3: the ClientHello again, now with the server's cookie. */
export const flight3: FlightHandler = {
  generate: clientHelloFlight,
  parse: parseServerAnswer,
};
