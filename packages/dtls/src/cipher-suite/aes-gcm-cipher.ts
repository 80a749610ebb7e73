import { type CipherGCMTypes, createCipheriv, createDecipheriv } from 'node:crypto';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from '../record/record-header.js';
import { AAD_LENGTH, type RecordCipher, writeAdditionalData } from './record-cipher.js';

const EXPLICIT_NONCE_LENGTH = 8;
const TAG_LENGTH = 16;
const GCM_OPTIONS = { authTagLength: TAG_LENGTH } as const;

/**
 * AES-GCM records (RFC 5288, RFC 6347 §4.1.2.1): nonce = 4-byte implicit
 * salt || 8-byte explicit nonce, the explicit part being epoch||sequence,
 * which is unique per key by construction.
 */
export class AesGcmRecordCipher implements RecordCipher {
  readonly overhead = EXPLICIT_NONCE_LENGTH + TAG_LENGTH;
  private readonly algorithm: CipherGCMTypes;
  private readonly writeNonce = Buffer.alloc(12);
  private readonly readNonce = Buffer.alloc(12);
  private readonly aad = Buffer.alloc(AAD_LENGTH);

  constructor(
    private readonly writeKey: Buffer,
    writeIv: Buffer,
    private readonly readKey: Buffer,
    readIv: Buffer,
  ) {
    this.algorithm = writeKey.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm';
    writeIv.copy(this.writeNonce, 0, 0, 4);
    readIv.copy(this.readNonce, 0, 0, 4);
  }

  seal(contentType: number, version: number, epoch: number, seq: number, plaintext: Uint8Array): Buffer {
    const n = plaintext.length;
    const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + this.overhead + n);
    writeRecordHeader(out, 0, contentType, version, epoch, seq, this.overhead + n);
    // explicit nonce = the record's epoch||sequence (bytes 3..11 of the header)
    out.copy(out, RECORD_HEADER_LENGTH, 3, 11);
    out.copy(this.writeNonce, 4, 3, 11);
    writeAdditionalData(this.aad, contentType, version, epoch, seq, n);
    const c = createCipheriv(this.algorithm, this.writeKey, this.writeNonce, GCM_OPTIONS);
    c.setAAD(this.aad);
    const body = RECORD_HEADER_LENGTH + EXPLICIT_NONCE_LENGTH;
    const ct = c.update(plaintext);
    ct.copy(out, body);
    const rest = c.final();
    if (rest.length > 0) rest.copy(out, body + ct.length);
    c.getAuthTag().copy(out, body + n);
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
    const n = bodyLength - this.overhead;
    if (n < 0) return undefined;
    this.readNonce.set(buf.subarray(bodyOffset, bodyOffset + EXPLICIT_NONCE_LENGTH), 4);
    writeAdditionalData(this.aad, contentType, version, epoch, seq, n);
    const ctStart = bodyOffset + EXPLICIT_NONCE_LENGTH;
    try {
      const d = createDecipheriv(this.algorithm, this.readKey, this.readNonce, GCM_OPTIONS);
      d.setAAD(this.aad);
      d.setAuthTag(buf.subarray(ctStart + n, ctStart + n + TAG_LENGTH));
      const pt = d.update(buf.subarray(ctStart, ctStart + n));
      d.final();
      return pt;
    } catch {
      // A record that fails authentication (node only throws): the caller drops it, counted as badRecords.
      return undefined;
    }
  }
}
