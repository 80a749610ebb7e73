import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmRecordCipher } from './aes-gcm-cipher.js';
import { ChaCha20Poly1305RecordCipher } from './chacha20-poly1305-cipher.js';
import { CIPHER_SUITES } from './cipher-suite.js';

const key16 = Buffer.alloc(16, 0x11);
const key32 = Buffer.alloc(32, 0x22);
const iv4 = Buffer.from([1, 2, 3, 4]);
const iv12 = Buffer.from('000102030405060708090a0b', 'hex');

describe('AES-GCM records (RFC 5288 / RFC 6347)', () => {
  it('lays out header, explicit nonce = epoch||seq, ciphertext and tag as an independent GCM computes', () => {
    const c = new AesGcmRecordCipher(key16, iv4, key16, iv4);
    const pt = Buffer.from('hello dtls');
    const rec = c.seal(23, 0xfefd, 1, 0x0203040506, pt);
    // header: type 23, version fefd, epoch 1, seq 0x000203040506, length 8 + 10 + 16
    expect(rec.subarray(0, 13).toString('hex')).toBe('17fefd0001000203040506' + '0022');
    expect(rec.subarray(13, 21).toString('hex')).toBe('0001000203040506');
    const nonce = Buffer.concat([iv4, rec.subarray(13, 21)]);
    const aad = Buffer.from('0001000203040506' + '17' + 'fefd' + '000a', 'hex');
    const g = createCipheriv('aes-128-gcm', key16, nonce);
    g.setAAD(aad);
    const want = Buffer.concat([g.update(pt), g.final(), g.getAuthTag()]);
    expect(rec.subarray(21)).toEqual(want);
    expect(c.open(rec, 13, rec.length - 13, 23, 0xfefd, 1, 0x0203040506)).toEqual(pt);
  });

  it('rejects a flipped bit, a wrong header field and a body shorter than the overhead', () => {
    const c = new AesGcmRecordCipher(key32, iv4, key32, iv4);
    const rec = c.seal(23, 0xfefd, 1, 7, Buffer.from('x'));
    for (let i = 13; i < rec.length; i++) {
      const t = Buffer.from(rec);
      t[i] ^= 0x80;
      expect(c.open(t, 13, t.length - 13, 23, 0xfefd, 1, 7)).toBeUndefined();
    }
    expect(c.open(rec, 13, rec.length - 13, 22, 0xfefd, 1, 7)).toBeUndefined(); // type is authenticated
    expect(c.open(rec, 13, rec.length - 13, 23, 0xfefd, 1, 8)).toBeUndefined(); // seq is authenticated
    expect(c.open(rec, 13, 20, 23, 0xfefd, 1, 7)).toBeUndefined();
  });
});

describe('ChaCha20-Poly1305 records (RFC 7905)', () => {
  it('nonce = IV xor padded epoch||seq, no explicit nonce', () => {
    const c = new ChaCha20Poly1305RecordCipher(key32, iv12, key32, iv12);
    const pt = Buffer.from('chacha');
    const rec = c.seal(23, 0xfefd, 1, 5, pt);
    expect(rec.length).toBe(13 + 6 + 16);
    const nonce = Buffer.from(iv12);
    // 4 zero bytes || epoch 0x0001 || sequence 0x000000000005
    const seq = Buffer.from('00000000' + '0001' + '000000000005', 'hex');
    for (let i = 0; i < 12; i++) nonce[i] ^= seq[i];
    const g = createCipheriv('chacha20-poly1305', key32, nonce, { authTagLength: 16 });
    g.setAAD(Buffer.from('0001000000000005' + '17' + 'fefd' + '0006', 'hex'), { plaintextLength: 6 });
    expect(rec.subarray(13)).toEqual(Buffer.concat([g.update(pt), g.final(), g.getAuthTag()]));
    expect(c.open(rec, 13, rec.length - 13, 23, 0xfefd, 1, 5)).toEqual(pt);
    const t = Buffer.from(rec);
    t[14] ^= 1;
    expect(c.open(t, 13, t.length - 13, 23, 0xfefd, 1, 5)).toBeUndefined();
    expect(c.open(rec, 13, 10, 23, 0xfefd, 1, 5)).toBeUndefined();
  });
});

describe('cipher suite table', () => {
  it('lists the key and IV sizes each AEAD needs', () => {
    expect(CIPHER_SUITES.map((s) => [s.id.toString(16), s.keyLength, s.fixedIvLength, s.prfHash])).toEqual([
      ['c02b', 16, 4, 'sha256'],
      ['c02f', 16, 4, 'sha256'],
      ['c02c', 32, 4, 'sha384'],
      ['c030', 32, 4, 'sha384'],
      ['cca9', 32, 12, 'sha256'],
      ['cca8', 32, 12, 'sha256'],
    ]);
  });
});
