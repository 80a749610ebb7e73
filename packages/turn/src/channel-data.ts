/**
 * ChannelData messages (RFC 8656 §12.4): a 4-byte header (channel number,
 * length) then the application data. Over UDP the padding to 4 bytes is
 * optional; over TCP/TLS it is mandatory (§12.5), so a stream's framer can find
 * the next message.
 */
import { MAX_CHANNEL_NUMBER, MIN_CHANNEL_NUMBER } from './turn-constants.js';

export const CHANNEL_DATA_HEADER_LENGTH = 4;

/** True when the first two bits say ChannelData (0b01): channel numbers 0x4000–0x7FFF. */
export function looksLikeChannelData(buf: Uint8Array, length: number): boolean {
  return length >= CHANNEL_DATA_HEADER_LENGTH && (buf[0] & 0xc0) === 0x40;
}

/** True for a bindable channel number: up to `max` (RFC 8656's 0x4FFF, or RFC 5766's 0x7FFF). */
export function isValidChannelNumber(n: number, max: number = MAX_CHANNEL_NUMBER): boolean {
  return n >= MIN_CHANNEL_NUMBER && n <= max;
}

/**
 * A ChannelData message carrying `data[0..length)` for `channel`, padded to 4
 * bytes when `pad` (streams). A new buffer: it is handed to a socket.
 */
export function buildChannelData(channel: number, data: Uint8Array, length: number, pad: boolean): Buffer {
  const total = CHANNEL_DATA_HEADER_LENGTH + (pad ? (length + 3) & ~3 : length);
  const out = Buffer.allocUnsafe(total);
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  out.set(data.subarray(0, length), CHANNEL_DATA_HEADER_LENGTH);
  for (let i = CHANNEL_DATA_HEADER_LENGTH + length; i < total; i++) out[i] = 0;
  return out;
}
