import { createCipheriv, createDecipheriv } from 'node:crypto';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from '../record/record-header.js';
import { AAD_LENGTH, type RecordCipher, writeAdditionalData } from './record-cipher.js';

const TAG_LENGTH = 16;

/**
 * ChaCha20-Poly1305 records (RFC 7905 §2): no explicit nonce; the nonce is
 * the 12-byte write IV XOR the left-padded epoch||sequence.
 */
export class ChaCha20Poly1305RecordCipher implements RecordCipher {
  readonly overhead = TAG_LENGTH;
  private readonly nonce = Buffer.alloc(12);
  private readonly aad = Buffer.alloc(AAD_LENGTH);

  constructor(
    private readonly writeKey: Buffer,
    private readonly writeIv: Buffer,
    private readonly readKey: Buffer,
    private readonly readIv: Buffer,
  ) {}

  private makeNonce(iv: Buffer, epoch: number, seq: number): Buffer {
    const n = this.nonce;
    iv.copy(n, 0, 0, 12);
    n[4] ^= epoch >> 8;
    n[5] ^= epoch & 0xff;
    const hi = Math.floor(seq / 0x1_0000_0000);
    const lo = seq >>> 0;
    n[6] ^= hi >> 8;
    n[7] ^= hi & 0xff;
    n[8] ^= lo >>> 24;
    n[9] ^= (lo >>> 16) & 0xff;
    n[10] ^= (lo >>> 8) & 0xff;
    n[11] ^= lo & 0xff;
    return n;
  }

  seal(contentType: number, version: number, epoch: number, seq: number, plaintext: Uint8Array): Buffer {
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + TAG_LENGTH + n);
    writeRecordHeader(out, 0, contentType, version, epoch, seq, TAG_LENGTH + n);
    writeAdditionalData(this.aad, contentType, version, epoch, seq, n);
    const c = createCipheriv('chacha20-poly1305', this.writeKey, this.makeNonce(this.writeIv, epoch, seq), {
      authTagLength: TAG_LENGTH,
    });
    c.setAAD(this.aad, { plaintextLength: n });
    const ct = c.update(plaintext);
    ct.copy(out, RECORD_HEADER_LENGTH);
    const rest = c.final();
    if (rest.length > 0) rest.copy(out, RECORD_HEADER_LENGTH + ct.length);
    c.getAuthTag().copy(out, RECORD_HEADER_LENGTH + n);
    return out;
  }

  open(
    buf: Uint8Array,
    bodyOffset: number,
    bodyLength: number,
    contentType: number,
    version: number,
    epoch: number,
    seq: number,
  ): Buffer | undefined {
    const n = bodyLength - TAG_LENGTH;
    if (n < 0) return undefined;
    writeAdditionalData(this.aad, contentType, version, epoch, seq, n);
    try {
      const d = createDecipheriv('chacha20-poly1305', this.readKey, this.makeNonce(this.readIv, epoch, seq), {
        authTagLength: TAG_LENGTH,
      });
      d.setAAD(this.aad, { plaintextLength: n });
      d.setAuthTag(buf.subarray(bodyOffset + n, bodyOffset + n + TAG_LENGTH));
      const pt = d.update(buf.subarray(bodyOffset, bodyOffset + n));
      d.final();
      return pt;
    } catch {
      // A record that fails authentication (node only throws): the caller drops it, counted as badRecords.
      return undefined;
    }
  }
}
