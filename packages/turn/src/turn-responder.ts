/**
 * Builds and sends answers to STUN requests into one reused writer: errors
 * with their reason phrases, signed (MESSAGE-INTEGRITY or -SHA256, as the
 * request was) once the sender is authenticated, always with FINGERPRINT.
 */
import { StunAttr, StunClass, type StunMessageView, StunMessageWriter } from '@tsfu/ice-lite';
import type { TurnClient } from './turn-client.js';
import { type TurnError, TurnErrorReason } from './turn-constants.js';
import type { TurnServerStats } from './turn-stats.js';

/** Who signed a request, and how its answer is signed. */
export interface TurnAuth {
  username: string;
  key: Buffer;
  /** The request carried MESSAGE-INTEGRITY-SHA256: answer with it too (RFC 8489 §9.2.4). */
  sha256: boolean;
}

export class TurnResponder {
  /** Big enough for a Data indication with a full UDP payload. */
  readonly writer = new StunMessageWriter(new Uint8Array(65535 + 128));

  constructor(
    private readonly stats: TurnServerStats,
    private readonly software: string | undefined,
  ) {}

  /** Starts a success response to `request`. */
  success(request: StunMessageView): StunMessageWriter {
    this.stats.successResponses++;
    return this.writer.begin(request.method, StunClass.SuccessResponse, request.buf, 8);
  }

  /** Starts an error response to `request` with ERROR-CODE. */
  error(request: StunMessageView, code: TurnError): StunMessageWriter {
    return this.errorTo(request.method, request.buf, 8, code);
  }

  /** A success response by method and transaction id (after an await, when the view has moved on). */
  successTo(method: number, txId: Uint8Array): StunMessageWriter {
    this.stats.successResponses++;
    return this.writer.begin(method, StunClass.SuccessResponse, txId, 0);
  }

  errorTo(method: number, txId: Uint8Array, txIdOffset: number, code: TurnError): StunMessageWriter {
    this.stats.errorResponses[code] = (this.stats.errorResponses[code] ?? 0) + 1;
    return this.writer
      .begin(method, StunClass.ErrorResponse, txId, txIdOffset)
      .addErrorCode(code, TurnErrorReason[code]);
  }

  /** Signs (when `auth`), fingerprints and sends what the writer holds; returns the bytes sent. */
  send(client: TurnClient, auth: TurnAuth | undefined): Buffer {
    const w = this.writer;
    if (this.software !== undefined) w.addString(StunAttr.Software, this.software);
    if (auth !== undefined) {
      if (auth.sha256) w.addIntegritySha256(auth.key);
      else w.addIntegrity(auth.key);
    }
    w.addFingerprint();
    const out = w.toBuffer();
    client.send(out);
    return out;
  }

  /** An unsigned error (before authentication, or for a request that cannot be answered signed). */
  sendError(client: TurnClient, request: StunMessageView, code: TurnError, auth?: TurnAuth): void {
    this.error(request, code);
    this.send(client, auth);
  }
}
