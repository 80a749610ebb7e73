/**
 * extended_master_secret (RFC 7627): an empty extension; when both sides send
 * it the master secret is bound to the session hash.
 */
export function marshalExtendedMasterSecret(): Buffer {
  return Buffer.alloc(0);
}

export function unmarshalExtendedMasterSecret(data: Uint8Array): boolean {
  return data.length === 0;
}
