/** Finished (RFC 5246 §7.4.9): 12 bytes of verify_data for every suite we speak. */
export const VERIFY_DATA_LENGTH = 12;

export function marshalFinished(verifyData: Uint8Array): Buffer {
  return Buffer.from(verifyData);
}

export function unmarshalFinished(body: Uint8Array): Uint8Array | undefined {
  return body.length === VERIFY_DATA_LENGTH ? body : undefined;
}
