import { AlertDescription } from '../alert.js';

/** Ends the handshake: the transport fails with `message` and sends `alert` (fatal). */
export class HandshakeFailure extends Error {
  constructor(
    message: string,
    readonly alert: number = AlertDescription.handshakeFailure,
  ) {
    super(message);
  }
}
