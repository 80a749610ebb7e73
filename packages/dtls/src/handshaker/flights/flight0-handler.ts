import { AlertDescription } from '../../alert.js';
import { generateKeyShare, namedGroupName } from '../../crypto/named-group.js';
import { unmarshalClientHello } from '../../handshake/client-hello.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { DTLS_1_2 } from '../../record/protocol-version.js';
import type { HandshakeContext } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';
import type { FlightHandler, ParseResult } from './flight-handler.js';
import { negotiateClientHello } from './negotiate-client-hello.js';

/**
 * Server, waiting (flight 0): the ClientHello that brought a valid cookie
 * back (flight 2 checked it). Negotiates, makes our ECDHE share and starts
 * the transcript (→ flight 4).
 */
function parse(ctx: HandshakeContext): ParseResult {
  const r = ctx.messages;
  const m = ctx.take(r.minSeq, HandshakeType.clientHello);
  if (!m) return undefined;
  r.consumeThrough(m.messageSeq);
  const ch = unmarshalClientHello(m.body);
  if (!ch) throw new HandshakeFailure('malformed ClientHello', AlertDescription.decodeError);
  // DTLS versions count down: 0xfefd (1.2) < 0xfeff (1.0).
  if (ch.version > DTLS_1_2) {
    throw new HandshakeFailure('client does not offer DTLS 1.2', AlertDescription.protocolVersion);
  }
  if (!ch.compressionMethods.includes(0))
    throw new HandshakeFailure('no null compression', AlertDescription.illegalParameter);
  ctx.remoteRandom = Buffer.from(ch.random);
  const choice = negotiateClientHello(ctx, ch);
  ctx.serverChoice = choice;
  ctx.group = namedGroupName(choice.group);
  ctx.keyShare = generateKeyShare(choice.group);
  ctx.transcript = [];
  ctx.addToTranscript(m);
  return 4;
}

export const flight0: FlightHandler = { generate: () => undefined, parse };
