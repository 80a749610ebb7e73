export {
  SRTP_PROFILES,
  type SrtpCryptoSuite,
  type SrtpProfileInfo,
  srtpProfileById,
  srtpProfileByName,
} from './profiles.js';
