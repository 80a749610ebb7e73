/**
 * SRTP packet index estimation (RFC 3711 §3.3.1): from the highest index
 * seen (`ROC * 2^16 + s_l`) and a 16-bit sequence number, guess the ROC the
 * sender used. Packets within 2^15 of s_l on either side of a wrap land on the
 * right ROC, so reordering across 65535 → 0 works in both directions.
 *
 * Returns the estimated 48-bit index, or -1 when the guess would be a negative
 * ROC (a packet from before the stream's first index at ROC 0).
 */
export function estimateSrtpIndex(maxIndex: number, seq: number): number {
  const roc = Math.floor(maxIndex / 0x10000);
  const sl = maxIndex % 0x10000;
  let v = roc;
  if (sl < 0x8000) {
    if (seq - sl > 0x8000) v = roc - 1;
  } else if (sl - 0x8000 > seq) {
    v = roc + 1;
  }
  if (v < 0) return -1;
  // ROC is 32 bits: wrap like the sender's counter would.
  if (v > 0xffffffff) v = 0;
  return v * 0x10000 + seq;
}
