import { SRTP_PROFILES, type SrtpCryptoSuite, srtpProfileByName } from '@tsfu/srtp';
import { CIPHER_SUITES, type CipherSuiteName } from './cipher-suite/cipher-suite.js';
import { type CookieGenerator, defaultCookieGenerator } from './cookie.js';
import { type DtlsNamedGroupName, namedGroupByName, SUPPORTED_GROUPS } from './crypto/named-group.js';
import type { DtlsCertificate } from './dtls-certificate.js';
import type { RawExtension } from './extension/extension.js';
import type { DtlsFingerprint } from './fingerprint.js';
import type { HandshakeConfig } from './handshaker/handshake-config.js';

export interface DtlsTransportOptions {
  /** Which side of the handshake we play (resolve mediasoup's `auto` with `resolveDtlsRole`). */
  role: 'client' | 'server';
  /** Our certificate and key; see `DtlsCertificate.generate` / `fromPem`. */
  certificate: DtlsCertificate;
  /**
   * The peer's certificate fingerprints from signalling. When given, the peer
   * must present a certificate matching one of them, or the transport fails.
   * Can also be supplied later with `setRemoteFingerprints`.
   */
  remoteFingerprints?: DtlsFingerprint[];
  /** `use_srtp` profiles in preference order (default: `@tsfu/srtp`'s order, GCM first); `[]` disables it. */
  srtpProfiles?: SrtpCryptoSuite[];
  /** Cipher suites in preference order (default: every suite, ECDHE-ECDSA-AES128-GCM first). */
  cipherSuites?: CipherSuiteName[];
  /** ECDHE groups in preference order (default x25519, P-256, P-384). */
  groups?: DtlsNamedGroupName[];
  /** Largest datagram we send (default 1200). Handshake messages are fragmented to fit. */
  mtu?: number;
  /** First retransmission timeout of a flight, doubled after each loss (default 100 ms). */
  initialRetransmitMs?: number;
  /** Back-off ceiling (default 3000 ms). */
  maxRetransmitMs?: number;
  /**
   * The handshake must finish within this, or the transport fails (default 30000 ms). A client's clock
   * starts at `start()`, a server's when the first ClientHello with a valid cookie arrives.
   */
  handshakeTimeoutMs?: number;
  /** Server: ask the client for its certificate (default true, as WebRTC needs). */
  requestClientCertificate?: boolean;
  /** Server: binds HelloVerifyRequest cookies to the transport (e.g. the peer's address). */
  cookieContext?: string;
  /** Server: cookie secret holder (default: one per process). */
  cookieGenerator?: CookieGenerator;
  /**
   * Client: imitate another stack's ClientHello (interop testing). Extensions
   * given here replace ours of the same type or are appended; `cipherSuites`
   * replaces the offered list (unknown values, e.g. GREASE, are fine).
   */
  clientHelloOverrides?: { extensions?: RawExtension[]; cipherSuites?: number[] };
  /** Carries one datagram to the peer. Must not throw. */
  send: (datagram: Buffer) => void;
}

/** Checks the options and turns names into wire values; throws on unknown names or a too-small MTU. */
export function resolveHandshakeConfig(options: DtlsTransportOptions): HandshakeConfig {
  const srtpProfileIds = (options.srtpProfiles ?? SRTP_PROFILES.map((p) => p.cryptoSuite)).map((name) => {
    const p = srtpProfileByName(name);
    if (!p) throw new Error(`unknown SRTP profile ${name}`);
    return p.id;
  });
  const suiteIds = (options.cipherSuites ?? CIPHER_SUITES.map((s) => s.name)).map((name) => {
    const s = CIPHER_SUITES.find((c) => c.name === name);
    if (!s) throw new Error(`unknown cipher suite ${name}`);
    return s.id;
  });
  const groupIds = options.groups ? options.groups.map(namedGroupByName) : [...SUPPORTED_GROUPS];
  const mtu = options.mtu ?? 1200;
  if (mtu < 200) throw new RangeError('mtu must be at least 200');
  return {
    role: options.role,
    certificate: options.certificate,
    srtpProfileIds,
    suiteIds,
    groupIds,
    mtu,
    initialRetransmitMs: options.initialRetransmitMs ?? 100,
    maxRetransmitMs: options.maxRetransmitMs ?? 3000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
    requestClientCertificate: options.requestClientCertificate ?? true,
    cookieContext: options.cookieContext ?? '',
    cookies: options.cookieGenerator ?? defaultCookieGenerator,
    clientHelloOverrides: options.clientHelloOverrides,
  };
}
