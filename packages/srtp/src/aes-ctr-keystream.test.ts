import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesCtrKeystream } from './aes-ctr-keystream.js';
import { hex } from './hex.test-util.js';

describe('AES counter-mode keystream (long-lived ECB + XOR)', () => {
  it('RFC 3711 Appendix B.2 keystream', () => {
    // Session key, and IV = session salt << 16 with SSRC = 0 and index = 0.
    const ks = new AesCtrKeystream(hex('2B7E151628AED2A6ABF7158809CF4F3C'));
    const iv = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
    const zeros = Buffer.alloc(48);
    const out = Buffer.alloc(48);
    ks.xor(iv, zeros, 0, out, 0, 48);
    expect(out.toString('hex').toUpperCase()).toBe(
      'E03EAD0935C95E80E166B16DD92B4EB4' + // counter 0000
        'D23513162B02D0F72A43A2FE4A5F97AB' + // counter 0001
        '41E95B3BB0A2E8DD477901E4FCA894C0', // counter 0002
    );
  });

  it('matches node aes-128-ctr / aes-256-ctr at any offset, length and alignment, in place or not', () => {
    for (const keyLen of [16, 32]) {
      const key = randomBytes(keyLen);
      const ks = new AesCtrKeystream(key);
      for (const n of [0, 1, 3, 15, 16, 17, 100, 188, 1188, 1500, 3000]) {
        for (const off of [0, 1, 2, 4, 12, 13]) {
          const iv = randomBytes(16);
          iv[14] = 0;
          iv[15] = 0;
          const src = randomBytes(off + n + 8);
          const ref = createCipheriv(keyLen === 16 ? 'aes-128-ctr' : 'aes-256-ctr', key, iv).update(
            src.subarray(off, off + n),
          );
          const dst = Buffer.alloc(n + 24);
          ks.xor(iv, src, off, dst, 4, n);
          expect(dst.subarray(4, 4 + n).equals(ref)).toBe(true);
          expect(dst.subarray(4 + n).every((b) => b === 0)).toBe(true); // nothing written past n
          const inPlace = Buffer.from(src);
          ks.xor(iv, inPlace, off, inPlace, off, n);
          expect(inPlace.subarray(off, off + n).equals(ref)).toBe(true);
        }
      }
    }
  });
});
