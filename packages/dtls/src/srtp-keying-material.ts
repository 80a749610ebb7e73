import { type SrtpProfileInfo, splitSrtpKeyingMaterial } from '@tsfu/srtp';

/** RFC 5764 §4.2 exporter label. */
export const DTLS_SRTP_EXPORTER_LABEL = 'EXTRACTOR-dtls_srtp';

/**
 * SRTP master keys and salts from our point of view: `local*` protects what
 * we send, `remote*` unprotects what we receive.
 */
export interface DtlsSrtpKeyingMaterial {
  profile: SrtpProfileInfo;
  localMasterKey: Buffer;
  localMasterSalt: Buffer;
  remoteMasterKey: Buffer;
  remoteMasterSalt: Buffer;
}

/**
 * Maps `@tsfu/srtp`'s RFC 5764 split (client key | server key | client salt |
 * server salt) onto local/remote for our DTLS role.
 */
export function srtpKeysForRole(
  material: Uint8Array,
  profile: SrtpProfileInfo,
  role: 'client' | 'server',
): DtlsSrtpKeyingMaterial {
  const { client, server } = splitSrtpKeyingMaterial(profile, material);
  const [local, remote] = role === 'client' ? [client, server] : [server, client];
  return {
    profile,
    localMasterKey: local.masterKey,
    localMasterSalt: local.masterSalt,
    remoteMasterKey: remote.masterKey,
    remoteMasterSalt: remote.masterSalt,
  };
}
