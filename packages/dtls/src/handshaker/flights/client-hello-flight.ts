import { SUPPORTED_SIGNATURE_SCHEMES } from '../../crypto/signature-scheme.js';
import { marshalEcPointFormats } from '../../extension/ec-point-formats.js';
import { marshalExtendedMasterSecret } from '../../extension/extended-master-secret.js';
import { ExtensionType, type RawExtension } from '../../extension/extension.js';
import { marshalRenegotiationInfo } from '../../extension/renegotiation-info.js';
import { marshalSignatureAlgorithms } from '../../extension/signature-algorithms.js';
import { marshalSupportedGroups } from '../../extension/supported-groups.js';
import { marshalUseSrtp } from '../../extension/use-srtp.js';
import type { FlightItem } from '../../flight/flight.js';
import { marshalClientHello } from '../../handshake/client-hello.js';
import { HandshakeType } from '../../handshake/handshake-type.js';
import { DTLS_1_2 } from '../../record/protocol-version.js';
import type { HandshakeContext } from '../handshake-context.js';

/** The extensions we offer, with `clientHelloOverrides` applied (replaced by type, or appended). */
function clientHelloExtensions(ctx: HandshakeContext): RawExtension[] {
  const { config } = ctx;
  const exts: RawExtension[] = [
    { type: ExtensionType.supportedGroups, data: marshalSupportedGroups(config.groupIds) },
    { type: ExtensionType.ecPointFormats, data: marshalEcPointFormats() },
    {
      type: ExtensionType.signatureAlgorithms,
      data: marshalSignatureAlgorithms(SUPPORTED_SIGNATURE_SCHEMES),
    },
    { type: ExtensionType.extendedMasterSecret, data: marshalExtendedMasterSecret() },
    { type: ExtensionType.renegotiationInfo, data: marshalRenegotiationInfo() },
  ];
  if (config.srtpProfileIds.length > 0) {
    exts.push({
      type: ExtensionType.useSrtp,
      data: marshalUseSrtp({ profiles: config.srtpProfileIds, mki: new Uint8Array(0) }),
    });
  }
  for (const e of config.clientHelloOverrides?.extensions ?? []) {
    const i = exts.findIndex((x) => x.type === e.type);
    if (i >= 0) exts[i] = e;
    else exts.push(e);
  }
  return exts;
}

/**
 * Flights 1 and 3: a ClientHello carrying `ctx.cookie` (empty in flight 1).
 * Not in the transcript yet: that starts with the ClientHello the server answers.
 */
export function clientHelloFlight(ctx: HandshakeContext): FlightItem[] {
  ctx.clientHelloBody = marshalClientHello({
    version: DTLS_1_2,
    random: ctx.localRandom,
    sessionId: new Uint8Array(0),
    cookie: ctx.cookie,
    cipherSuites: ctx.config.clientHelloOverrides?.cipherSuites ?? ctx.config.suiteIds,
    compressionMethods: [0],
    extensions: clientHelloExtensions(ctx),
  });
  const messageSeq = ctx.nextSendMessageSeq++;
  return [
    { kind: 'handshake', epoch: 0, type: HandshakeType.clientHello, messageSeq, body: ctx.clientHelloBody },
  ];
}
