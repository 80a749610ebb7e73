/** ServerHelloDone (RFC 5246 §7.4.5): an empty body. */
export function marshalServerHelloDone(): Buffer {
  return Buffer.alloc(0);
}

export function unmarshalServerHelloDone(body: Uint8Array): true | undefined {
  return body.length === 0 ? true : undefined;
}
