/**
 * Splits a TCP/TLS byte stream from a TURN client into STUN messages and
 * ChannelData messages (RFC 8656 §12.5): STUN starts with bits 00 and is
 * 20 + its length long; ChannelData starts with 01 and is 4 + its length
 * rounded up to 4. Anything else cannot be framed, and the stream is closed.
 * Whole messages inside a chunk are handed out as views (no copy); a message
 * cut by a read boundary is gathered in a buffer that grows with the bytes
 * actually received.
 */
import { STUN_HEADER_LENGTH } from '@tsfu/ice-lite';
import { CHANNEL_DATA_HEADER_LENGTH } from './channel-data.js';

/** A message's full size on the stream, 0 when more header bytes are needed, -1 when it cannot be framed. */
function frameSize(b: Uint8Array, o: number, available: number): number {
  if (available < 4) return 0;
  const top = b[o] & 0xc0;
  const len = (b[o + 2] << 8) | b[o + 3];
  if (top === 0x00) return (len & 3) === 0 ? STUN_HEADER_LENGTH + len : -1;
  if (top === 0x40) return CHANNEL_DATA_HEADER_LENGTH + ((len + 3) & ~3);
  return -1;
}

export class TurnStreamFramer {
  private pending: Buffer | undefined;
  private held = 0;
  private failed = false;

  /** @param onMessage one message, a view valid during the call only; ChannelData includes its padding. */
  constructor(private readonly onMessage: (message: Uint8Array) => void) {}

  get isFailed(): boolean {
    return this.failed;
  }

  /** Feeds bytes read from the stream; false when it cannot be framed and must be closed. */
  push(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    let i = 0;
    const n = chunk.length;
    if (this.held > 0) {
      // Complete the header first, then the body.
      while (this.held < 4 && i < n) this.reserve(this.held + 1)[this.held++] = chunk[i++];
      const want = frameSize(this.pending!, 0, this.held);
      if (want < 0) return this.fail();
      if (want === 0) return true;
      const take = Math.min(want - this.held, n - i);
      this.reserve(want).set(chunk.subarray(i, i + take), this.held);
      this.held += take;
      i += take;
      if (this.held < want) return true;
      this.held = 0;
      this.onMessage(this.pending!.subarray(0, want));
    }
    while (i < n) {
      const size = frameSize(chunk, i, n - i);
      if (size < 0) return this.fail();
      if (size === 0 || n - i < size) break;
      this.onMessage(chunk.subarray(i, i + size));
      i += size;
    }
    if (i < n) {
      this.reserve(n - i).set(chunk.subarray(i, n), 0);
      this.held = n - i;
    }
    return true;
  }

  private reserve(needed: number): Buffer {
    const p = this.pending;
    if (p !== undefined && p.length >= needed) return p;
    const grown = Buffer.allocUnsafe(
      Math.max(needed, 256, p === undefined ? 0 : Math.min(p.length * 2, 65536 + 20)),
    );
    if (p !== undefined && this.held > 0) grown.set(p.subarray(0, this.held), 0);
    this.pending = grown;
    return grown;
  }

  private fail(): boolean {
    this.failed = true;
    this.pending = undefined;
    this.held = 0;
    return false;
  }
}
