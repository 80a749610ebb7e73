import type { CookieGenerator } from '../../cookie.js';
import type { DtlsTransportStats } from '../../dtls-state.js';
import { peekClientHelloCookie } from '../../handshake/client-hello.js';
import { type HandshakeHeader, wrapHandshakeMessage } from '../../handshake/handshake-header.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { marshalHelloVerifyRequest } from '../../handshake/hello-verify-request.js';
import { ContentType } from '../../record/content-type.js';
import { DTLS_1_0 } from '../../record/protocol-version.js';
import type { RecordLayer } from '../../record/record-layer.js';

export interface CookieExchange {
  readonly cookies: CookieGenerator;
  readonly cookieContext: string;
  readonly records: RecordLayer;
  readonly stats: DtlsTransportStats;
}

/**
 * Server flight 2, stateless: reads the client random and cookie from the
 * first fragment of a ClientHello (no reassembly, so a fragmented hello is
 * answered too). Returns true when the cookie verifies; otherwise answers
 * with a HelloVerifyRequest (or drops what is not a ClientHello's first
 * fragment) and keeps nothing. Never resent: the client's retransmission
 * brings a new one.
 */
export function verifyCookieOrAnswer(
  x: CookieExchange,
  h: HandshakeHeader,
  fragment: Uint8Array,
  recordSeq: number,
): boolean {
  if (h.type !== HandshakeType.clientHello || h.fragmentOffset !== 0) {
    x.stats.droppedRecords++;
    return false;
  }
  const peek = peekClientHelloCookie(fragment);
  if (!peek) {
    x.stats.droppedRecords++;
    return false;
  }
  const random = fragment.subarray(peek.randomOffset, peek.randomOffset + 32);
  const cookie = fragment.subarray(peek.cookieOffset, peek.cookieOffset + peek.cookieLength);
  if (peek.cookieLength > 0 && x.cookies.verify(cookie, random, x.cookieContext)) return true;
  const hvr = marshalHelloVerifyRequest({
    version: DTLS_1_0,
    cookie: x.cookies.generate(random, x.cookieContext),
  });
  const payload = wrapHandshakeMessage(HandshakeType.helloVerifyRequest, 0, hvr);
  // RFC 6347 §4.2.1: echo the ClientHello's record sequence number.
  x.records.sendStateless(ContentType.handshake, recordSeq, payload, DTLS_1_0);
  x.stats.helloVerifyRequestsSent++;
  return false;
}
