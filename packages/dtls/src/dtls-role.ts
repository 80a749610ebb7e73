/** mediasoup's DtlsRole. */
export type DtlsRole = 'auto' | 'client' | 'server';

/**
 * The concrete role for our side given the remote's signalled role, with
 * mediasoup's rule: opposite of the remote, and `client` when the remote says
 * `auto` (an ICE-lite SFU is ICE-controlled, so the browser is DTLS server).
 * If our own role is already concrete it wins.
 */
export function resolveDtlsRole(localRole: DtlsRole, remoteRole: DtlsRole): 'client' | 'server' {
  if (localRole !== 'auto') return localRole;
  return remoteRole === 'client' ? 'server' : 'client';
}
