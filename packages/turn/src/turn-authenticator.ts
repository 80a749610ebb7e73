/**
 * The long-term credential mechanism (RFC 8489 §9.2.4) as a TURN server runs
 * it on every request but Binding: no integrity → 401 with REALM and NONCE;
 * integrity without USERNAME, REALM or NONCE → 400; a nonce that is not ours or
 * has expired → 438 with a fresh one; an unknown user or a bad HMAC → 401.
 */
import {
  StunAttr,
  type StunMessageView,
  verifyStunIntegrity,
  verifyStunIntegritySha256,
} from '@tsfu/ice-lite';
import type { NonceIssuer } from './nonce.js';
import type { TurnClient } from './turn-client.js';
import { TurnError } from './turn-constants.js';
import type { TurnCredentials } from './turn-credentials.js';
import type { TurnAuth, TurnResponder } from './turn-responder.js';

export class TurnAuthenticator {
  constructor(
    private readonly credentials: TurnCredentials,
    private readonly nonces: NonceIssuer,
    private readonly responder: TurnResponder,
  ) {}

  /** The signer of `request`, or undefined once it has been answered with an error. */
  authenticate(request: StunMessageView, client: TurnClient): TurnAuth | undefined {
    const sha256 = request.integritySha256Offset >= 0;
    if (!sha256 && request.integrityOffset < 0)
      return this.challenge(request, client, TurnError.Unauthenticated);
    const username = request.username;
    const nonce = request.nonce;
    if (username === undefined || request.realmOffset < 0 || nonce === undefined) {
      this.responder.sendError(client, request, TurnError.BadRequest);
      return undefined;
    }
    if (!this.nonces.isValid(nonce)) return this.challenge(request, client, TurnError.StaleNonce);
    for (const key of this.credentials.keysFor(username)) {
      const ok = sha256 ? verifyStunIntegritySha256(request, key) : verifyStunIntegrity(request, key);
      if (ok) return { username, key, sha256 };
    }
    return this.challenge(request, client, TurnError.Unauthenticated);
  }

  private challenge(request: StunMessageView, client: TurnClient, code: TurnError): undefined {
    this.responder
      .error(request, code)
      .addString(StunAttr.Realm, this.credentials.realm)
      .addString(StunAttr.Nonce, this.nonces.issue());
    this.responder.send(client, undefined);
    return undefined;
  }
}
