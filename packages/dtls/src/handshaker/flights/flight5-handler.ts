import { AlertDescription } from '../../alert.js';
import { chooseSignatureScheme, signWithScheme } from '../../crypto/signature-scheme.js';
import type { FlightItem } from '../../flight/flight.js';
import { marshalCertificate } from '../../handshake/certificate.js';
import { marshalCertificateVerify } from '../../handshake/certificate-verify.js';
import { marshalClientKeyExchange } from '../../handshake/client-key-exchange.js';
import { marshalFinished } from '../../handshake/finished.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import type { HandshakeContext } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';
import type { FlightHandler, ParseResult } from './flight-handler.js';

/** CertificateVerify: our signature over the transcript so far, in a scheme the server accepts. */
function certificateVerify(ctx: HandshakeContext): FlightItem {
  const { certificate } = ctx.config;
  const scheme = chooseSignatureScheme(certificate.keyType, ctx.clientCertSchemes, certificate.curve);
  if (scheme === undefined)
    throw new HandshakeFailure('no signature scheme fits our certificate', AlertDescription.handshakeFailure);
  const signature = signWithScheme(scheme, certificate.privateKey, Buffer.concat(ctx.transcript));
  return ctx.message(
    HandshakeType.certificateVerify,
    marshalCertificateVerify({ signatureScheme: scheme, signature }),
  );
}

/**
 * Client flight 5: [Certificate], ClientKeyExchange, [CertificateVerify],
 * ChangeCipherSpec, Finished (epoch 1). The keys are derived after
 * ClientKeyExchange, whose transcript hash EMS binds.
 */
function generate(ctx: HandshakeContext): FlightItem[] {
  const { keyShare, preMasterSecret } = ctx;
  if (!keyShare || !preMasterSecret) throw new Error('flight 5 before the server key exchange');
  const items: FlightItem[] = [];
  if (ctx.certificateRequested) {
    const chain = [...ctx.config.certificate.chain];
    items.push(ctx.message(HandshakeType.certificate, marshalCertificate({ certificates: chain })));
  }
  items.push(
    ctx.message(HandshakeType.clientKeyExchange, marshalClientKeyExchange({ publicKey: keyShare.publicKey })),
  );
  ctx.deriveKeys(preMasterSecret);
  ctx.preMasterSecret = undefined;
  if (ctx.certificateRequested) items.push(certificateVerify(ctx));
  items.push({ kind: 'changeCipherSpec' });
  items.push(ctx.message(HandshakeType.finished, marshalFinished(ctx.verifyData(true)), 1));
  return items;
}

/** The server's flight 6: its Finished completes the handshake. */
function parse(ctx: HandshakeContext): ParseResult {
  const r = ctx.messages;
  const m = ctx.take(r.minSeq, HandshakeType.finished);
  if (!m) return undefined;
  r.consumeThrough(m.messageSeq);
  ctx.checkFinished(m, false);
  ctx.addToTranscript(m);
  return 'finished';
}

export const flight5: FlightHandler = { generate, parse };
