/**
 * @tsfu/dtls — DTLS 1.2 (RFC 6347) client and server with DTLS-SRTP
 * (RFC 5764), on node:crypto only.
 */
export { type Alert, AlertDescription, AlertLevel, alertName } from './alert.js';
export {
  CIPHER_SUITES,
  type CipherSuite,
  type CipherSuiteName,
  cipherSuiteById,
  cipherSuiteByName,
} from './cipher-suite/cipher-suite.js';
export { CookieGenerator } from './cookie.js';
export { type DtlsNamedGroupName, NamedGroup } from './crypto/named-group.js';
export { SignatureScheme } from './crypto/signature-scheme.js';
export {
  certificateDerToPem,
  DtlsCertificate,
  type DtlsCertificateGenerateOptions,
} from './dtls-certificate.js';
export { type DtlsRole, resolveDtlsRole } from './dtls-role.js';
export {
  type DtlsState,
  DtlsTransport,
  type DtlsTransportEvents,
  type DtlsTransportOptions,
  type DtlsTransportStats,
} from './dtls-transport.js';
export { ExtensionType, type RawExtension } from './extension/extension.js';
export {
  certificateFingerprint,
  type DtlsFingerprint,
  FINGERPRINT_ALGORITHMS,
  type FingerprintAlgorithm,
  matchesFingerprint,
} from './fingerprint.js';
export {
  DTLS_SRTP_EXPORTER_LABEL,
  type DtlsSrtpKeyingMaterial,
  srtpKeysForRole,
} from './srtp-keying-material.js';
