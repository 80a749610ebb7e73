import { describe, expect, it } from 'vitest';
import { SHA1_INITIAL_STATE, sha1Compress } from './sha1-block.js';

/** SHA-1 of a message that fits one padded block, through sha1Compress alone. */
function sha1OneBlock(message: Buffer): string {
  const block = Buffer.alloc(64);
  message.copy(block);
  block[message.length] = 0x80; // padding bit
  block.writeUInt32BE(message.length * 8, 60); // message length in bits
  const state = new Int32Array(SHA1_INITIAL_STATE);
  sha1Compress(state, block, 0);
  const out = Buffer.alloc(20);
  for (let i = 0; i < 5; i++) out.writeInt32BE(state[i], i * 4);
  return out.toString('hex');
}

describe('SHA-1 compression function', () => {
  // FIPS 180-2 Appendix A.1 ("abc") and the well-known empty-string digest.
  const rows: [string, string][] = [
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ];
  for (const [msg, digest] of rows) {
    it(JSON.stringify(msg), () => expect(sha1OneBlock(Buffer.from(msg))).toBe(digest));
  }
});
