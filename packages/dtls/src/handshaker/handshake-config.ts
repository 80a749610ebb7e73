import type { CookieGenerator } from '../cookie.js';
import type { DtlsCertificate } from '../dtls-certificate.js';
import type { RawExtension } from '../extension/extension.js';

/** The transport's options, resolved to wire values (pion's handshakeConfig). */
export interface HandshakeConfig {
  readonly role: 'client' | 'server';
  readonly certificate: DtlsCertificate;
  /** `use_srtp` profile ids in preference order; empty disables it. */
  readonly srtpProfileIds: number[];
  readonly suiteIds: number[];
  readonly groupIds: number[];
  readonly mtu: number;
  readonly initialRetransmitMs: number;
  readonly maxRetransmitMs: number;
  readonly handshakeTimeoutMs: number;
  readonly requestClientCertificate: boolean;
  readonly cookieContext: string;
  readonly cookies: CookieGenerator;
  readonly clientHelloOverrides: { extensions?: RawExtension[]; cipherSuites?: number[] } | undefined;
}
