import { srtpProfileById } from '@tsfu/srtp';
import { AlertDescription } from '../../alert.js';
import { type CipherSuite, cipherSuiteById } from '../../cipher-suite/cipher-suite.js';
import { generateKeyShare, namedGroupName } from '../../crypto/named-group.js';
import { signatureSchemeKeyType, verifyWithScheme } from '../../crypto/signature-scheme.js';
import { ExtensionType, findExtension } from '../../extension/extension.js';
import { unmarshalRenegotiationInfo } from '../../extension/renegotiation-info.js';
import { unmarshalUseSrtp } from '../../extension/use-srtp.js';
import type { AssembledMessage } from '../../flight/handshake-reassembler.js';
import { unmarshalCertificateRequest } from '../../handshake/certificate-request.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { unmarshalServerHello } from '../../handshake/server-hello.js';
import { unmarshalServerHelloDone } from '../../handshake/server-hello-done.js';
import { marshalEcdheParams, unmarshalServerKeyExchange } from '../../handshake/server-key-exchange.js';
import { DTLS_1_2 } from '../../record/protocol-version.js';
import type { HandshakeContext } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';

/** The server's choices: version, a suite we offered, EMS, an SRTP profile we offered. */
function readServerHello(ctx: HandshakeContext, body: Uint8Array): CipherSuite {
  const sh = unmarshalServerHello(body);
  if (!sh) throw new HandshakeFailure('malformed ServerHello', AlertDescription.decodeError);
  if (sh.version !== DTLS_1_2)
    throw new HandshakeFailure(
      'server chose a version other than DTLS 1.2',
      AlertDescription.protocolVersion,
    );
  const suite = cipherSuiteById(sh.cipherSuite);
  if (!suite || !ctx.config.suiteIds.includes(sh.cipherSuite) || sh.compressionMethod !== 0) {
    throw new HandshakeFailure(
      'server chose a cipher suite we did not offer',
      AlertDescription.illegalParameter,
    );
  }
  ctx.suite = suite;
  ctx.remoteRandom = Buffer.from(sh.random);
  const reneg = findExtension(sh.extensions, ExtensionType.renegotiationInfo);
  if (reneg && !unmarshalRenegotiationInfo(reneg))
    throw new HandshakeFailure('bad renegotiation_info', AlertDescription.handshakeFailure);
  ctx.extendedMasterSecret = findExtension(sh.extensions, ExtensionType.extendedMasterSecret) !== undefined;
  const srtpExt = findExtension(sh.extensions, ExtensionType.useSrtp);
  if (srtpExt) {
    const v = unmarshalUseSrtp(srtpExt);
    if (v?.profiles.length !== 1 || !ctx.config.srtpProfileIds.includes(v.profiles[0])) {
      throw new HandshakeFailure(
        'server chose an SRTP profile we did not offer',
        AlertDescription.illegalParameter,
      );
    }
    ctx.srtpProfile = srtpProfileById(v.profiles[0]);
  }
  return suite;
}

/** Verifies the signed ECDHE parameters and computes the pre-master secret. */
function readServerKeyExchange(ctx: HandshakeContext, body: Uint8Array, suite: CipherSuite): void {
  const ske = unmarshalServerKeyExchange(body);
  if (!ske) throw new HandshakeFailure('malformed ServerKeyExchange', AlertDescription.decodeError);
  if (!ctx.config.groupIds.includes(ske.namedGroup))
    throw new HandshakeFailure('server chose a group we did not offer', AlertDescription.illegalParameter);
  if (signatureSchemeKeyType(ske.signatureScheme) !== suite.auth) {
    throw new HandshakeFailure(
      'ServerKeyExchange signature scheme does not fit the suite',
      AlertDescription.illegalParameter,
    );
  }
  const remoteRandom = ctx.remoteRandom ?? Buffer.alloc(0);
  const signed = Buffer.concat([
    ctx.localRandom,
    remoteRandom,
    marshalEcdheParams(ske.namedGroup, ske.publicKey),
  ]);
  if (!ctx.peerKey || !verifyWithScheme(ske.signatureScheme, ctx.peerKey, signed, ske.signature)) {
    throw new HandshakeFailure('ServerKeyExchange signature does not verify', AlertDescription.decryptError);
  }
  ctx.group = namedGroupName(ske.namedGroup);
  // generateKeyShare knows every group in config.groupIds (checked above).
  ctx.keyShare = generateKeyShare(ske.namedGroup);
  const preMaster = ctx.keyShare?.computeSecret(ske.publicKey);
  if (!preMaster)
    throw new HandshakeFailure('invalid server ECDHE public key', AlertDescription.illegalParameter);
  ctx.preMasterSecret = preMaster;
}

/**
 * Client, reading flight 4 (ServerHello, Certificate, ServerKeyExchange,
 * [CertificateRequest], ServerHelloDone): checks every choice and signature,
 * starts the transcript with our ClientHello, and leaves the pre-master
 * secret for flight 5.
 */
export function readServerFlight(ctx: HandshakeContext, msgs: AssembledMessage[]): void {
  const [shMsg, certMsg, skeMsg] = msgs;
  const crMsg = msgs.length === 5 ? msgs[3] : undefined;
  if (
    msgs.length < 4 ||
    certMsg.type !== HandshakeType.certificate ||
    skeMsg.type !== HandshakeType.serverKeyExchange ||
    (crMsg && crMsg.type !== HandshakeType.certificateRequest)
  ) {
    throw new HandshakeFailure('unexpected message in server flight', AlertDescription.unexpectedMessage);
  }
  const suite = readServerHello(ctx, shMsg.body);

  ctx.transcript = [];
  ctx.addToTranscript({
    type: HandshakeType.clientHello,
    messageSeq: ctx.nextSendMessageSeq - 1,
    body: ctx.clientHelloBody ?? Buffer.alloc(0),
  });
  for (const m of msgs) ctx.addToTranscript(m);

  ctx.acceptPeerCertificate(certMsg.body, suite.auth);
  readServerKeyExchange(ctx, skeMsg.body, suite);

  if (crMsg) {
    const cr = unmarshalCertificateRequest(crMsg.body);
    if (!cr) throw new HandshakeFailure('malformed CertificateRequest', AlertDescription.decodeError);
    ctx.certificateRequested = true;
    ctx.clientCertSchemes = cr.signatureSchemes;
  }
  const shd = msgs[msgs.length - 1];
  if (!unmarshalServerHelloDone(shd.body))
    throw new HandshakeFailure('malformed ServerHelloDone', AlertDescription.decodeError);
}
