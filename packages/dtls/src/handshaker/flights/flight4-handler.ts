import { AlertDescription } from '../../alert.js';
import {
  SUPPORTED_SIGNATURE_SCHEMES,
  signWithScheme,
  verifyWithScheme,
} from '../../crypto/signature-scheme.js';
import type { FlightItem } from '../../flight/flight.js';
import type { AssembledMessage } from '../../flight/handshake-reassembler.js';
import { marshalCertificate, unmarshalCertificate } from '../../handshake/certificate.js';
import { ClientCertificateType, marshalCertificateRequest } from '../../handshake/certificate-request.js';
import { unmarshalCertificateVerify } from '../../handshake/certificate-verify.js';
import { unmarshalClientKeyExchange } from '../../handshake/client-key-exchange.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { marshalServerHello } from '../../handshake/server-hello.js';
import { marshalServerHelloDone } from '../../handshake/server-hello-done.js';
import { marshalEcdheParams, marshalServerKeyExchange } from '../../handshake/server-key-exchange.js';
import { DTLS_1_2 } from '../../record/protocol-version.js';
import type { HandshakeContext } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';
import type { FlightHandler, ParseResult } from './flight-handler.js';

/** ServerKeyExchange: our ECDHE share, signed over both randoms. */
function serverKeyExchange(ctx: HandshakeContext, group: number, scheme: number): FlightItem {
  const publicKey = ctx.keyShare?.publicKey;
  if (!publicKey || !ctx.remoteRandom) throw new Error('flight 4 before the ClientHello');
  const params = marshalEcdheParams(group, publicKey);
  const signed = Buffer.concat([ctx.remoteRandom, ctx.localRandom, params]);
  const signature = signWithScheme(scheme, ctx.config.certificate.privateKey, signed);
  return ctx.message(
    HandshakeType.serverKeyExchange,
    marshalServerKeyExchange({ namedGroup: group, publicKey, signatureScheme: scheme, signature }),
  );
}

/** Server flight 4: ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone. */
function generate(ctx: HandshakeContext): FlightItem[] {
  const choice = ctx.serverChoice;
  if (!choice) throw new Error('flight 4 before the ClientHello');
  const { config } = ctx;
  const serverHello = marshalServerHello({
    version: DTLS_1_2,
    random: ctx.localRandom,
    sessionId: new Uint8Array(0),
    cipherSuite: ctx.cipherSuite.id,
    compressionMethod: 0,
    extensions: choice.extensions,
  });
  const items = [
    ctx.message(HandshakeType.serverHello, serverHello),
    ctx.message(
      HandshakeType.certificate,
      marshalCertificate({ certificates: [...config.certificate.chain] }),
    ),
    serverKeyExchange(ctx, choice.group, choice.signatureScheme),
  ];
  if (config.requestClientCertificate) {
    ctx.certificateRequested = true;
    const request = marshalCertificateRequest({
      certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
      signatureSchemes: [...SUPPORTED_SIGNATURE_SCHEMES],
    });
    items.push(ctx.message(HandshakeType.certificateRequest, request));
  }
  items.push(ctx.message(HandshakeType.serverHelloDone, marshalServerHelloDone()));
  return items;
}

/** The client's [Certificate], ClientKeyExchange, [CertificateVerify] once all are here; undefined before. */
function takeKeyExchange(ctx: HandshakeContext) {
  let seq = ctx.messages.minSeq;
  let certMsg: AssembledMessage | undefined;
  if (ctx.certificateRequested) {
    certMsg = ctx.take(seq, HandshakeType.certificate);
    if (!certMsg) return undefined;
    seq++;
  }
  const ckeMsg = ctx.take(seq, HandshakeType.clientKeyExchange);
  if (!ckeMsg) return undefined;
  let certificates: Uint8Array[] = [];
  if (certMsg) {
    const c = unmarshalCertificate(certMsg.body);
    if (!c) throw new HandshakeFailure('malformed client Certificate', AlertDescription.decodeError);
    certificates = c.certificates;
  }
  let cvMsg: AssembledMessage | undefined;
  if (certificates.length > 0) {
    cvMsg = ctx.take(seq + 1, HandshakeType.certificateVerify);
    if (!cvMsg) return undefined;
  }
  ctx.messages.consumeThrough((cvMsg ?? ckeMsg).messageSeq);
  return { certMsg, hasCertificate: certificates.length > 0, ckeMsg, cvMsg };
}

/** First part of the client's flight 5: its certificate, the pre-master secret and keys, its signature. */
function readKeyExchange(ctx: HandshakeContext): ParseResult {
  const got = takeKeyExchange(ctx);
  if (!got) return undefined;
  const { certMsg, ckeMsg, cvMsg } = got;
  if (certMsg) ctx.addToTranscript(certMsg);
  if (certMsg && got.hasCertificate) {
    ctx.acceptPeerCertificate(certMsg.body, undefined);
  } else if (ctx.remoteFingerprints) {
    throw new HandshakeFailure('client sent no certificate', AlertDescription.handshakeFailure);
  }
  const cke = unmarshalClientKeyExchange(ckeMsg.body);
  if (!cke) throw new HandshakeFailure('malformed ClientKeyExchange', AlertDescription.decodeError);
  ctx.addToTranscript(ckeMsg);
  const preMaster = ctx.keyShare?.computeSecret(cke.publicKey);
  if (!preMaster)
    throw new HandshakeFailure('invalid client ECDHE public key', AlertDescription.illegalParameter);
  ctx.deriveKeys(preMaster);
  if (cvMsg) {
    const cv = unmarshalCertificateVerify(cvMsg.body);
    if (!cv) throw new HandshakeFailure('malformed CertificateVerify', AlertDescription.decodeError);
    if (
      !ctx.peerKey ||
      !verifyWithScheme(cv.signatureScheme, ctx.peerKey, Buffer.concat(ctx.transcript), cv.signature)
    ) {
      throw new HandshakeFailure('CertificateVerify does not verify', AlertDescription.decryptError);
    }
    ctx.addToTranscript(cvMsg);
  }
  return 'stay';
}

/** Last part of the client's flight 5: its Finished (epoch 1, so only once the keys exist) → flight 6. */
function readFinished(ctx: HandshakeContext): ParseResult {
  const r = ctx.messages;
  const m = ctx.take(r.minSeq, HandshakeType.finished);
  if (!m) return undefined;
  r.consumeThrough(m.messageSeq);
  ctx.checkFinished(m, true);
  ctx.addToTranscript(m);
  return 6;
}

/** Server flight 4; the answer is read in two parts, as its Finished needs the keys the first part makes. */
export const flight4: FlightHandler = {
  generate,
  parse: (ctx) => (ctx.masterSecret ? readFinished(ctx) : readKeyExchange(ctx)),
};
