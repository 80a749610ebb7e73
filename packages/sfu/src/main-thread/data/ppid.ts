/**
 * WebRTC DataChannel PPIDs (RFC 8831): 51 string, 53 binary, 56/57 their empty
 * forms, which carry one placeholder byte on the wire (SCTP has no empty user message).
 */
export function messageAndPpid(
  message: string | Buffer,
  ppid: number | undefined,
): { data: Uint8Array; ppid: number } {
  if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
    throw new TypeError('message must be a string or a Buffer');
  }
  const p =
    typeof ppid === 'number'
      ? ppid
      : typeof message === 'string'
        ? message.length > 0
          ? 51
          : 56
        : message.length > 0
          ? 53
          : 57;
  if (p === 56) return { data: Buffer.from(' '), ppid: p };
  if (p === 57) return { data: new Uint8Array(1), ppid: p };
  // A copy of exactly the message: a Buffer from Node's pool would otherwise clone the whole pool slab.
  return {
    data: typeof message === 'string' ? new Uint8Array(Buffer.from(message)) : new Uint8Array(message),
    ppid: p,
  };
}
