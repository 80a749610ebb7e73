/** Small RTP/RTCP builders for tests. */
export function rtpPacket(
  seq: number,
  ssrc: number,
  payloadLength: number,
  opts: { csrcs?: number; extensionWords?: number; fill?: number; spare?: number } = {},
): { buf: Buffer; length: number } {
  const csrcs = opts.csrcs ?? 0;
  const extWords = opts.extensionWords ?? -1;
  const headerLength = 12 + csrcs * 4 + (extWords >= 0 ? 4 + extWords * 4 : 0);
  const length = headerLength + payloadLength;
  const buf = Buffer.alloc(length + (opts.spare ?? 32));
  buf[0] = 0x80 | (extWords >= 0 ? 0x10 : 0) | csrcs; // V=2, X, CC
  buf[1] = 111; // PT
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE((seq * 960) >>> 0, 4); // timestamp
  buf.writeUInt32BE(ssrc >>> 0, 8);
  let o = 12;
  for (let i = 0; i < csrcs; i++, o += 4) buf.writeUInt32BE(0x1000 + i, o);
  if (extWords >= 0) {
    buf.writeUInt16BE(0xbede, o); // one-byte header extensions (RFC 8285)
    buf.writeUInt16BE(extWords, o + 2);
    o += 4;
    // One 3-byte element per word: ID = i + 1, L = 2 (length - 1), data aa bb cc.
    for (let i = 0; i < extWords; i++, o += 4)
      buf.writeUInt32BE((((((i + 1) << 4) | 2) << 24) | 0xaabbcc) >>> 0, o);
  }
  for (let i = 0; i < payloadLength; i++) buf[o + i] = (opts.fill ?? seq + i) & 0xff;
  return { buf, length };
}

/** An RTCP receiver report with `blocks` report blocks from `ssrc`. */
export function rtcpPacket(ssrc: number, blocks = 1, spare = 32): { buf: Buffer; length: number } {
  const length = 8 + blocks * 24;
  const buf = Buffer.alloc(length + spare);
  buf[0] = 0x80 | blocks; // V=2, RC
  buf[1] = 201; // PT = RR
  buf.writeUInt16BE(length / 4 - 1, 2);
  buf.writeUInt32BE(ssrc >>> 0, 4);
  for (let i = 8; i < length; i++) buf[i] = (i * 7) & 0xff;
  return { buf, length };
}
