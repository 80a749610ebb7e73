/**
 * The messages of the data-channel scenarios, generated the same way in the
 * page (to send) and in the test (to know what must arrive): message `i` is
 * 1 KiB to 64 KiB of pseudo-random content, binary for even `i`, a UTF-8
 * string (with multi-byte characters) for odd `i`.
 */

export const MIN_MESSAGE_BYTES = 1024;
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Size in bytes of message `i`: 0 and 1 are the extremes, the rest spread between. */
export function messageBytes(i: number): number {
  if (i === 0) return MIN_MESSAGE_BYTES;
  if (i === 1) return MAX_MESSAGE_BYTES;
  return MIN_MESSAGE_BYTES + ((Math.imul(i, 2654435761) >>> 0) % (MAX_MESSAGE_BYTES - MIN_MESSAGE_BYTES + 1));
}

/** xorshift32 seeded by the index: cheap, deterministic, different per message. */
function fill(i: number, out: Uint8Array, alphabet?: number): void {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) | 1;
  for (let k = 0; k < out.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[k] = alphabet ? 0x21 + ((x >>> 0) % alphabet) : x & 0xff;
  }
}

/** Two characters of 2 and 3 UTF-8 bytes in front of every string message. */
const STRING_PREFIX = 'Ω€';
const STRING_PREFIX_BYTES = 5;

export function messageAt(i: number): Uint8Array | string {
  const bytes = messageBytes(i);
  if (i % 2 === 0) {
    const out = new Uint8Array(bytes);
    fill(i, out);
    return out;
  }
  const ascii = new Uint8Array(bytes - STRING_PREFIX_BYTES);
  fill(i, ascii, 94);
  return STRING_PREFIX + new TextDecoder().decode(ascii);
}

/** A message's bytes as sent (strings as UTF-8). */
export function messageBytesOf(m: Uint8Array | string): Uint8Array {
  return typeof m === 'string' ? new TextEncoder().encode(m) : m;
}

/** A small message carrying its sequence number (for the lossy channel). */
export function sequenceMessage(seq: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint32(0, seq);
  fill(seq, out.subarray(4));
  return out;
}
