import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex } from './hex.test-util.js';
import { HmacSha1 } from './hmac-sha1.js';

describe('HMAC-SHA1 over scratch buffers', () => {
  // RFC 2202 §3 test cases 1 and 2.
  const rows: [string, Buffer, Buffer, string][] = [
    [
      'RFC 2202 case 1',
      Buffer.alloc(20, 0x0b),
      Buffer.from('Hi There'),
      'b617318655057264e28bc0b6fb378c8ef146be00',
    ],
    [
      'RFC 2202 case 2',
      Buffer.from('Jefe'),
      Buffer.from('what do ya want for nothing?'),
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    ],
  ];
  for (const [name, key, data, expected] of rows) {
    it(name, () => {
      const out = Buffer.alloc(20);
      new HmacSha1(key).sign(data, 0, data.length, -1, out, 0, 20);
      expect(out.toString('hex')).toBe(expected);
      expect(new HmacSha1(key).verify(data, 0, data.length, -1, hex(expected), 0, 20)).toBe(true);
    });
  }

  for (const [path, jsMaxInnerBlocks] of [
    ['default split', undefined],
    ['all native inner hashes', 0],
    ['all JS inner hashes', Infinity],
  ] as const) {
    it(`${path}: appends the 32-bit suffix (ROC) and matches createHmac at every length`, () => {
      const key = randomBytes(20);
      const mac = new HmacSha1(key, { jsMaxInnerBlocks });
      // every length around the 1-, 2- and 3-block padding boundaries, then large ones
      const lengths = [...Array.from({ length: 200 }, (_, i) => i), 1200, 5000];
      for (const n of lengths) {
        for (const roc of [-1, 0xdeadbeef]) {
          const data = randomBytes(n + 3);
          const h = createHmac('sha1', key).update(data.subarray(3));
          if (roc >= 0) h.update(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
          const ref = h.digest();
          const out = Buffer.alloc(22);
          mac.sign(data, 3, n, roc, out, 2, 20);
          expect(out.subarray(2).toString('hex'), `n=${n} roc=${roc}`).toBe(ref.toString('hex'));
          expect(mac.verify(data, 3, n, roc, ref, 0, 10)).toBe(true);
          ref[9] ^= 1;
          expect(mac.verify(data, 3, n, roc, ref, 0, 10)).toBe(false);
        }
      }
    });
  }
});
