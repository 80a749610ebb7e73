/**
 * A reusable, allocation-free view of one STUN message (RFC 8489 §5, §14).
 * `parse()` checks the header and walks the attributes once, recording where
 * each attribute the ICE-Lite agent needs lives; values are read on demand.
 * One view is meant to be reused for every datagram of a socket or agent.
 */
import { readU32 } from '@tsfu/rtp';
import { readIpv4, readIpv6 } from './ip-address.js';
import {
  isComprehensionRequired,
  STUN_FAMILY_IPV4,
  STUN_FAMILY_IPV6,
  STUN_HEADER_LENGTH,
  STUN_MAGIC_COOKIE,
  STUN_MAX_USERNAME_LENGTH,
  StunAttr,
  type StunClass,
  stunClassOf,
  stunMethodOf,
} from './stun-constants.js';

/** Outcome of {@link StunMessageView.parse}. Anything but `Ok` leaves the view unusable. */
export const StunParseResult = {
  Ok: 0,
  /** Shorter than the 20-byte header. */
  TooShort: 1,
  /** First two bits not zero or wrong magic cookie: not a STUN message at all. */
  NotStun: 2,
  /** Header length not a multiple of 4 or not matching the bytes given. */
  BadLength: 3,
  /** An attribute overruns the message, or a known attribute has the wrong size. */
  BadAttribute: 4,
  /** Attributes follow FINGERPRINT, which must be last. */
  AttributeAfterFingerprint: 5,
} as const;
export type StunParseResult = (typeof StunParseResult)[keyof typeof StunParseResult];

/** Most unknown comprehension-required attributes remembered for a 420 answer. */
export const MAX_UNKNOWN_ATTRIBUTES = 8;

/**
 * Most attributes recorded in the attribute table (`attributeCount`); a message
 * with more still parses, the extra ones are only not listed.
 */
export const MAX_RECORDED_ATTRIBUTES = 64;

/** A transport address read from (XOR-)MAPPED-ADDRESS. */
export interface StunAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

export class StunMessageView {
  /** The parsed bytes (not copied: the view is valid until they change). */
  buf: Uint8Array = new Uint8Array(0);
  /** Message length on the wire, header included. */
  length = 0;
  type = 0;
  method = 0;
  cls: StunClass = 0;
  /** Offsets of attribute *values* (-1: absent); lengths where they vary. */
  usernameOffset = -1;
  usernameLength = 0;
  softwareOffset = -1;
  softwareLength = 0;
  errorCodeOffset = -1;
  errorCodeLength = 0;
  unknownAttributesOffset = -1;
  unknownAttributesLength = 0;
  realmOffset = -1;
  realmLength = 0;
  nonceOffset = -1;
  nonceLength = 0;
  xorMappedAddressOffset = -1;
  xorMappedAddressLength = 0;
  mappedAddressOffset = -1;
  mappedAddressLength = 0;
  priorityOffset = -1;
  iceControlledOffset = -1;
  iceControllingOffset = -1;
  nominationOffset = -1;
  useCandidate = false;
  /** Offset of the MESSAGE-INTEGRITY attribute header (-1: absent). */
  integrityOffset = -1;
  /** Offset of the FINGERPRINT attribute header (-1: absent). */
  fingerprintOffset = -1;
  /** Offset of the MESSAGE-INTEGRITY-SHA256 attribute header (-1: absent). */
  integritySha256Offset = -1;
  /** Length of its HMAC value: 16 to 32 bytes, a multiple of 4 (RFC 8489 §14.6). */
  integritySha256Length = 0;
  /**
   * Every attribute before MESSAGE-INTEGRITY(-SHA256), in order, repeated ones
   * included (XOR-PEER-ADDRESS may repeat, RFC 8656 §9.1): types, value offsets
   * and value lengths of the first `attributeCount`.
   */
  readonly attributeTypes = new Uint16Array(MAX_RECORDED_ATTRIBUTES);
  readonly attributeOffsets = new Uint32Array(MAX_RECORDED_ATTRIBUTES);
  readonly attributeLengths = new Uint16Array(MAX_RECORDED_ATTRIBUTES);
  attributeCount = 0;
  /** Unknown comprehension-required attribute types, before MESSAGE-INTEGRITY. */
  readonly unknownRequired = new Uint16Array(MAX_UNKNOWN_ATTRIBUTES);
  unknownRequiredCount = 0;

  /**
   * Parses `buf[0..length)` as one STUN message. Never throws and never reads
   * past `length`. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are
   * ignored (RFC 8489 §14.5); the first of duplicate attributes wins; padding
   * bytes are skipped whatever their value.
   */
  parse(buf: Uint8Array, length: number = buf.length): StunParseResult {
    this.reset();
    if (length > buf.length) length = buf.length;
    if (length < STUN_HEADER_LENGTH) return StunParseResult.TooShort;
    if (
      (buf[0] & 0xc0) !== 0 ||
      ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) !== STUN_MAGIC_COOKIE
    ) {
      return StunParseResult.NotStun;
    }
    const bodyLength = (buf[2] << 8) | buf[3];
    if ((bodyLength & 3) !== 0 || STUN_HEADER_LENGTH + bodyLength !== length)
      return StunParseResult.BadLength;
    this.buf = buf;
    this.length = length;
    this.type = (buf[0] << 8) | buf[1];
    this.method = stunMethodOf(this.type);
    this.cls = stunClassOf(this.type);

    let offset = STUN_HEADER_LENGTH;
    while (offset < length) {
      if (offset + 4 > length) return StunParseResult.BadAttribute;
      if (this.fingerprintOffset >= 0) return StunParseResult.AttributeAfterFingerprint;
      const type = (buf[offset] << 8) | buf[offset + 1];
      const len = (buf[offset + 2] << 8) | buf[offset + 3];
      const value = offset + 4;
      if (value + len > length) return StunParseResult.BadAttribute;
      if (type === StunAttr.Fingerprint) {
        if (len !== 4) return StunParseResult.BadAttribute;
        this.fingerprintOffset = offset;
      } else if (type === StunAttr.MessageIntegritySha256) {
        // After MESSAGE-INTEGRITY it still counts (§14.6); anything after it is ignored.
        if (this.integritySha256Offset < 0) {
          if (len < 16 || len > 32 || (len & 3) !== 0) return StunParseResult.BadAttribute;
          this.integritySha256Offset = offset;
          this.integritySha256Length = len;
        }
      } else if (
        this.integrityOffset < 0 &&
        this.integritySha256Offset < 0 &&
        !this.recordAttribute(type, value, len)
      ) {
        return StunParseResult.BadAttribute;
      }
      offset = value + ((len + 3) & ~3);
    }
    // The last attribute's padding may not overrun the message either.
    if (offset !== length) return StunParseResult.BadAttribute;
    return StunParseResult.Ok;
  }

  /** Records one attribute seen before MESSAGE-INTEGRITY; false when its size is wrong. */
  private recordAttribute(type: number, value: number, len: number): boolean {
    const n = this.attributeCount;
    if (n < MAX_RECORDED_ATTRIBUTES && type !== StunAttr.MessageIntegrity) {
      this.attributeTypes[n] = type;
      this.attributeOffsets[n] = value;
      this.attributeLengths[n] = len;
      this.attributeCount = n + 1;
    }
    switch (type) {
      case StunAttr.MessageIntegrity:
        if (len !== 20) return false;
        this.integrityOffset = value - 4;
        return true;
      case StunAttr.Username:
        if (len > STUN_MAX_USERNAME_LENGTH) return false;
        if (this.usernameOffset < 0) {
          this.usernameOffset = value;
          this.usernameLength = len;
        }
        return true;
      case StunAttr.Priority:
        if (len !== 4) return false;
        if (this.priorityOffset < 0) this.priorityOffset = value;
        return true;
      case StunAttr.UseCandidate:
        if (len !== 0) return false;
        this.useCandidate = true;
        return true;
      case StunAttr.IceControlled:
        if (len !== 8) return false;
        if (this.iceControlledOffset < 0) this.iceControlledOffset = value;
        return true;
      case StunAttr.IceControlling:
        if (len !== 8) return false;
        if (this.iceControllingOffset < 0) this.iceControllingOffset = value;
        return true;
      case StunAttr.Nomination:
        if (len !== 4) return false;
        if (this.nominationOffset < 0) this.nominationOffset = value;
        return true;
      case StunAttr.XorMappedAddress:
        if (len !== 8 && len !== 20) return false;
        if (this.xorMappedAddressOffset < 0) {
          this.xorMappedAddressOffset = value;
          this.xorMappedAddressLength = len;
        }
        return true;
      case StunAttr.MappedAddress:
        if (len !== 8 && len !== 20) return false;
        if (this.mappedAddressOffset < 0) {
          this.mappedAddressOffset = value;
          this.mappedAddressLength = len;
        }
        return true;
      case StunAttr.ErrorCode:
        if (len < 4) return false;
        if (this.errorCodeOffset < 0) {
          this.errorCodeOffset = value;
          this.errorCodeLength = len;
        }
        return true;
      case StunAttr.UnknownAttributes:
        if ((len & 1) !== 0) return false;
        if (this.unknownAttributesOffset < 0) {
          this.unknownAttributesOffset = value;
          this.unknownAttributesLength = len;
        }
        return true;
      case StunAttr.Software:
        if (this.softwareOffset < 0) {
          this.softwareOffset = value;
          this.softwareLength = len;
        }
        return true;
      case StunAttr.Realm:
        if (this.realmOffset < 0) {
          this.realmOffset = value;
          this.realmLength = len;
        }
        return true;
      case StunAttr.Nonce:
        if (this.nonceOffset < 0) {
          this.nonceOffset = value;
          this.nonceLength = len;
        }
        return true;
      default:
        if (isComprehensionRequired(type) && this.unknownRequiredCount < MAX_UNKNOWN_ATTRIBUTES) {
          this.unknownRequired[this.unknownRequiredCount++] = type;
        }
        return true;
    }
  }

  private reset(): void {
    this.length = 0;
    this.type = 0;
    this.method = 0;
    this.cls = 0;
    this.usernameOffset = -1;
    this.usernameLength = 0;
    this.softwareOffset = -1;
    this.softwareLength = 0;
    this.errorCodeOffset = -1;
    this.errorCodeLength = 0;
    this.unknownAttributesOffset = -1;
    this.unknownAttributesLength = 0;
    this.realmOffset = -1;
    this.realmLength = 0;
    this.nonceOffset = -1;
    this.nonceLength = 0;
    this.xorMappedAddressOffset = -1;
    this.xorMappedAddressLength = 0;
    this.mappedAddressOffset = -1;
    this.mappedAddressLength = 0;
    this.priorityOffset = -1;
    this.iceControlledOffset = -1;
    this.iceControllingOffset = -1;
    this.nominationOffset = -1;
    this.useCandidate = false;
    this.integrityOffset = -1;
    this.fingerprintOffset = -1;
    this.integritySha256Offset = -1;
    this.integritySha256Length = 0;
    this.unknownRequiredCount = 0;
    this.attributeCount = 0;
  }

  /**
   * Index in the attribute table of the first attribute of `type` at index
   * `from` or later, or -1. Walk repeated attributes with
   * `for (let i = v.findAttribute(t); i >= 0; i = v.findAttribute(t, i + 1))`.
   */
  findAttribute(type: number, from = 0): number {
    for (let i = from; i < this.attributeCount; i++) if (this.attributeTypes[i] === type) return i;
    return -1;
  }

  /**
   * The (XOR-)address carried by the attribute at table index `index`
   * (XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS…), or undefined when its family or
   * size is wrong.
   */
  addressAt(index: number, xor = true): StunAddress | undefined {
    if (index < 0 || index >= this.attributeCount) return undefined;
    const len = this.attributeLengths[index];
    if (len !== 8 && len !== 20) return undefined;
    const o = this.attributeOffsets[index];
    if ((this.buf[o + 1] === STUN_FAMILY_IPV4) !== (len === 8)) return undefined;
    return this.address(o, xor);
  }

  /** Offset of the 12-byte transaction id. */
  get transactionIdOffset(): number {
    return 8;
  }

  /** The transaction id as lowercase hex (allocates: for logs and tests). */
  transactionIdHex(): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + 8, 12).toString('hex');
  }

  /** PRIORITY value, or -1 when absent. */
  get priority(): number {
    return this.priorityOffset < 0 ? -1 : readU32(this.buf, this.priorityOffset);
  }

  /** NOMINATION value, or -1 when absent. */
  get nomination(): number {
    return this.nominationOffset < 0 ? -1 : readU32(this.buf, this.nominationOffset);
  }

  /** ICE-CONTROLLING tie-breaker, or undefined. */
  get iceControllingTieBreaker(): bigint | undefined {
    return this.iceControllingOffset < 0 ? undefined : readUint64(this.buf, this.iceControllingOffset);
  }

  /** ICE-CONTROLLED tie-breaker, or undefined. */
  get iceControlledTieBreaker(): bigint | undefined {
    return this.iceControlledOffset < 0 ? undefined : readUint64(this.buf, this.iceControlledOffset);
  }

  /** FINGERPRINT value as carried, or -1 when absent. */
  get fingerprint(): number {
    return this.fingerprintOffset < 0 ? -1 : readU32(this.buf, this.fingerprintOffset + 4);
  }

  /** USERNAME as UTF-8 text (allocates). */
  get username(): string | undefined {
    return this.usernameOffset < 0 ? undefined : this.text(this.usernameOffset, this.usernameLength);
  }

  /** SOFTWARE as UTF-8 text (allocates). */
  get software(): string | undefined {
    return this.softwareOffset < 0 ? undefined : this.text(this.softwareOffset, this.softwareLength);
  }

  get realm(): string | undefined {
    return this.realmOffset < 0 ? undefined : this.text(this.realmOffset, this.realmLength);
  }

  get nonce(): string | undefined {
    return this.nonceOffset < 0 ? undefined : this.text(this.nonceOffset, this.nonceLength);
  }

  /** ERROR-CODE as code (300–699) and reason phrase. */
  get errorCode(): { code: number; reason: string } | undefined {
    if (this.errorCodeOffset < 0) return undefined;
    const o = this.errorCodeOffset;
    const code = (this.buf[o + 2] & 0x07) * 100 + this.buf[o + 3];
    return { code, reason: this.text(o + 4, this.errorCodeLength - 4) };
  }

  /** UNKNOWN-ATTRIBUTES as a list of attribute types. */
  get unknownAttributes(): number[] | undefined {
    if (this.unknownAttributesOffset < 0) return undefined;
    const out: number[] = [];
    for (let i = 0; i < this.unknownAttributesLength; i += 2) {
      const o = this.unknownAttributesOffset + i;
      out.push((this.buf[o] << 8) | this.buf[o + 1]);
    }
    return out;
  }

  /** XOR-MAPPED-ADDRESS, de-XORed with the cookie and transaction id. */
  get xorMappedAddress(): StunAddress | undefined {
    return this.xorMappedAddressOffset < 0 ? undefined : this.address(this.xorMappedAddressOffset, true);
  }

  /** MAPPED-ADDRESS (the RFC 3489 form). */
  get mappedAddress(): StunAddress | undefined {
    return this.mappedAddressOffset < 0 ? undefined : this.address(this.mappedAddressOffset, false);
  }

  private address(o: number, xor: boolean): StunAddress | undefined {
    const b = this.buf;
    const family = b[o + 1];
    let port = (b[o + 2] << 8) | b[o + 3];
    if (xor) port ^= STUN_MAGIC_COOKIE >>> 16;
    if (family === STUN_FAMILY_IPV4) {
      // A copy: Buffer#slice would be a view, and XOR must not touch the message.
      const bytes = new Uint8Array(4);
      for (let i = 0; i < 4; i++) bytes[i] = xor ? b[o + 4 + i] ^ b[4 + i] : b[o + 4 + i];
      return { family: 'IPv4', address: readIpv4(bytes, 0), port };
    }
    if (family === STUN_FAMILY_IPV6 && o + 20 <= this.length) {
      const bytes = new Uint8Array(16);
      // The IPv6 XOR key is the magic cookie followed by the transaction id: header bytes 4..20.
      for (let i = 0; i < 16; i++) bytes[i] = xor ? b[o + 4 + i] ^ b[4 + i] : b[o + 4 + i];
      return { family: 'IPv6', address: readIpv6(bytes, 0), port };
    }
    return undefined;
  }

  private text(offset: number, len: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + offset, len).toString('utf8');
  }
}

function readUint64(b: Uint8Array, o: number): bigint {
  return (BigInt(readU32(b, o)) << 32n) | BigInt(readU32(b, o + 4));
}
