import { srtpProfileById } from '@tsfu/srtp';
import { AlertDescription } from '../../alert.js';
import { cipherSuiteById } from '../../cipher-suite/cipher-suite.js';
import { chooseSignatureScheme, SUPPORTED_SIGNATURE_SCHEMES } from '../../crypto/signature-scheme.js';
import {
  EC_POINT_FORMAT_UNCOMPRESSED,
  marshalEcPointFormats,
  unmarshalEcPointFormats,
} from '../../extension/ec-point-formats.js';
import {
  marshalExtendedMasterSecret,
  unmarshalExtendedMasterSecret,
} from '../../extension/extended-master-secret.js';
import { ExtensionType, findExtension, type RawExtension } from '../../extension/extension.js';
import {
  EMPTY_RENEGOTIATION_INFO_SCSV,
  marshalRenegotiationInfo,
  unmarshalRenegotiationInfo,
} from '../../extension/renegotiation-info.js';
import { unmarshalSignatureAlgorithms } from '../../extension/signature-algorithms.js';
import { unmarshalSupportedGroups } from '../../extension/supported-groups.js';
import { marshalUseSrtp, unmarshalUseSrtp } from '../../extension/use-srtp.js';
import type { ClientHello } from '../../handshake/client-hello.js';
import type { HandshakeContext, ServerChoice } from '../handshake-context.js';
import { HandshakeFailure } from '../handshake-failure.js';

// Unknown extensions, groups and schemes (DTLS 1.3 key shares, PQ hybrids…) are skipped throughout.

/** Our first group the client lists (any of ours if it sends no supported_groups). */
function chooseGroup(ctx: HandshakeContext, ch: ClientHello): number {
  const groupsExt = findExtension(ch.extensions, ExtensionType.supportedGroups);
  const clientGroups = groupsExt ? unmarshalSupportedGroups(groupsExt) : undefined;
  if (groupsExt && !clientGroups)
    throw new HandshakeFailure('malformed supported_groups', AlertDescription.decodeError);
  const group = ctx.config.groupIds.find((g) => !clientGroups || clientGroups.includes(g));
  if (group === undefined)
    throw new HandshakeFailure('no common ECDHE group', AlertDescription.handshakeFailure);
  return group;
}

/** ec_point_formats, if sent, must allow uncompressed points; returns whether it was sent. */
function checkPointFormats(ch: ClientHello): boolean {
  const pfExt = findExtension(ch.extensions, ExtensionType.ecPointFormats);
  if (!pfExt) return false;
  const formats = unmarshalEcPointFormats(pfExt);
  if (!formats?.includes(EC_POINT_FORMAT_UNCOMPRESSED))
    throw new HandshakeFailure('no uncompressed points', AlertDescription.illegalParameter);
  return true;
}

/** A signature scheme for our certificate among those the client accepts. */
function chooseScheme(ctx: HandshakeContext, ch: ClientHello): number {
  const sigExt = findExtension(ch.extensions, ExtensionType.signatureAlgorithms);
  const clientSchemes = sigExt ? unmarshalSignatureAlgorithms(sigExt) : undefined;
  if (sigExt && !clientSchemes)
    throw new HandshakeFailure('malformed signature_algorithms', AlertDescription.decodeError);
  const { certificate } = ctx.config;
  const scheme = chooseSignatureScheme(
    certificate.keyType,
    clientSchemes ?? SUPPORTED_SIGNATURE_SCHEMES,
    certificate.curve,
  );
  if (scheme === undefined)
    throw new HandshakeFailure('no signature scheme fits our certificate', AlertDescription.handshakeFailure);
  return scheme;
}

/** Our first suite the client offers that our certificate can authenticate. */
function chooseSuite(ctx: HandshakeContext, ch: ClientHello): void {
  const keyType = ctx.config.certificate.keyType;
  const suiteId = ctx.config.suiteIds.find(
    (id) => ch.cipherSuites.includes(id) && cipherSuiteById(id)?.auth === keyType,
  );
  const suite = suiteId === undefined ? undefined : cipherSuiteById(suiteId);
  if (!suite) throw new HandshakeFailure('no common cipher suite', AlertDescription.handshakeFailure);
  ctx.suite = suite;
}

/** ServerHello extensions: renegotiation_info, EMS and use_srtp answered as the client asked. */
function serverHelloExtensions(
  ctx: HandshakeContext,
  ch: ClientHello,
  pointFormats: boolean,
): RawExtension[] {
  const exts: RawExtension[] = [];
  const reneg = findExtension(ch.extensions, ExtensionType.renegotiationInfo);
  if (reneg && !unmarshalRenegotiationInfo(reneg))
    throw new HandshakeFailure('bad renegotiation_info', AlertDescription.handshakeFailure);
  if (reneg || ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV)) {
    exts.push({ type: ExtensionType.renegotiationInfo, data: marshalRenegotiationInfo() });
  }
  const ems = findExtension(ch.extensions, ExtensionType.extendedMasterSecret);
  ctx.extendedMasterSecret = ems !== undefined && unmarshalExtendedMasterSecret(ems);
  if (ctx.extendedMasterSecret)
    exts.push({ type: ExtensionType.extendedMasterSecret, data: marshalExtendedMasterSecret() });
  const srtpExt = findExtension(ch.extensions, ExtensionType.useSrtp);
  if (srtpExt) {
    const offer = unmarshalUseSrtp(srtpExt);
    if (!offer) throw new HandshakeFailure('malformed use_srtp', AlertDescription.decodeError);
    const chosen = ctx.config.srtpProfileIds.find((id) => offer.profiles.includes(id));
    if (chosen !== undefined) {
      ctx.srtpProfile = srtpProfileById(chosen);
      exts.push({
        type: ExtensionType.useSrtp,
        data: marshalUseSrtp({ profiles: [chosen], mki: new Uint8Array(0) }),
      });
    }
  }
  if (pointFormats) exts.push({ type: ExtensionType.ecPointFormats, data: marshalEcPointFormats() });
  return exts;
}

/**
 * Server: everything it picks from a ClientHello, in our preference order
 * among what the client offers. Sets the suite, EMS and SRTP profile on `ctx`.
 */
export function negotiateClientHello(ctx: HandshakeContext, ch: ClientHello): ServerChoice {
  const group = chooseGroup(ctx, ch);
  const pointFormats = checkPointFormats(ch);
  const signatureScheme = chooseScheme(ctx, ch);
  chooseSuite(ctx, ch);
  const extensions = serverHelloExtensions(ctx, ch, pointFormats);
  return { group, signatureScheme, extensions };
}
