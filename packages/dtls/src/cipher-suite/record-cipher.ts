import { RECORD_HEADER_LENGTH } from '../record/record-header.js';

/**
 * The AEAD protecting one epoch's records in both directions. One
 * implementation per AEAD family; `seal`/`open` are the per-packet path, so
 * they reuse scratch buffers and allocate only what node:crypto hands back.
 */
export interface RecordCipher {
  /** Bytes a protected record body adds to its plaintext (explicit nonce + tag). */
  readonly overhead: number;
  /** Returns a whole record (header + protected body) for `plaintext`. */
  seal(
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
    plaintext: Uint8Array,
  ): Buffer;
  /**
   * Authenticates and decrypts the body `buf[bodyOffset, bodyOffset + bodyLength)` of a
   * record with the given header fields; undefined when it does not authenticate.
   */
  open(
    buf: Uint8Array,
    bodyOffset: number,
    bodyLength: number,
    contentType: number,
    version: number,
    epoch: number,
    sequenceNumber: number,
  ): Buffer | undefined;
}

/** additional_data (RFC 5246 §6.2.3.3): seq_num(8) + type + version + plaintext length. */
export function writeAdditionalData(
  aad: Buffer,
  contentType: number,
  version: number,
  epoch: number,
  sequenceNumber: number,
  plaintextLength: number,
): void {
  aad.writeUInt16BE(epoch, 0);
  aad.writeUIntBE(sequenceNumber, 2, 6);
  aad[8] = contentType;
  aad.writeUInt16BE(version, 9);
  aad.writeUInt16BE(plaintextLength, 11);
}

export const AAD_LENGTH = RECORD_HEADER_LENGTH;
