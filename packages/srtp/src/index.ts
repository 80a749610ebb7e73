export { AesCtrKeystream } from './aes-ctr-keystream.js';
export { HmacSha1 } from './hmac-sha1.js';
export {
  deriveSrtpSessionKey,
  deriveSrtpSessionKeys,
  SrtpKdfLabel,
  type SrtpSessionKeys,
  srtpSessionSaltLength,
} from './key-derivation.js';
export {
  type SrtpKeyingMaterial,
  type SrtpMasterKeys,
  splitSrtpKeyingMaterial,
  srtpKeyingMaterialLength,
} from './keying-material.js';
export { estimateSrtpIndex } from './packet-index.js';
export {
  SRTP_PROFILES,
  type SrtpCryptoSuite,
  type SrtpProfileInfo,
  srtpProfileById,
  srtpProfileByName,
} from './profiles.js';
export { ReplayCheck, ReplayWindow } from './replay-window.js';
export type { SrtpCipher } from './srtp-cipher.js';
export { SrtpCipherAeadAesGcm } from './srtp-cipher-aead-aes-gcm.js';
export { SrtpCipherAesCmHmacSha1 } from './srtp-cipher-aes-cm-hmac-sha1.js';
export { SrtpContext, type SrtpContextOptions, type SrtpContextStats } from './srtp-context.js';
export { SrtpError, srtpErrorName } from './srtp-error.js';
