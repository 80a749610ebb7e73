/**
 * Numbers of the STUN wire format (RFC 8489 §5, §14, §18) and the ICE
 * attributes (RFC 8445 §16.1, draft-thatcher-ice-renomination).
 */

/** Fixed STUN header: type (2), length (2), magic cookie (4), transaction id (12). */
export const STUN_HEADER_LENGTH = 20;
export const STUN_MAGIC_COOKIE = 0x2112a442;
export const STUN_TRANSACTION_ID_LENGTH = 12;
/** FINGERPRINT is the CRC-32 of the message XORed with this ("STUN"). */
export const STUN_FINGERPRINT_XOR = 0x5354554e;
/** MESSAGE-INTEGRITY attribute on the wire: 4-byte header + 20-byte HMAC-SHA1. */
export const STUN_INTEGRITY_ATTRIBUTE_LENGTH = 24;
/** FINGERPRINT attribute on the wire: 4-byte header + 4-byte CRC. */
export const STUN_FINGERPRINT_ATTRIBUTE_LENGTH = 8;
/** RFC 8489 §14.3: USERNAME is less than 513 bytes. */
export const STUN_MAX_USERNAME_LENGTH = 513;

/** STUN methods this package knows by name. */
export const StunMethod = {
  Binding: 0x001,
} as const;

/** The two class bits of the message type (RFC 8489 §5). */
export const StunClass = {
  Request: 0b00,
  Indication: 0b01,
  SuccessResponse: 0b10,
  ErrorResponse: 0b11,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** Attribute types (RFC 8489 §18.3, RFC 8445 §16.1, renomination draft). */
export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  MessageIntegritySha256: 0x001c,
  XorMappedAddress: 0x0020,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  Software: 0x8022,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
  /** Renomination (draft-thatcher-ice-renomination): value is a 32-bit nomination counter. */
  Nomination: 0xc001,
} as const;

/** Address family codes inside (XOR-)MAPPED-ADDRESS. */
export const STUN_FAMILY_IPV4 = 0x01;
export const STUN_FAMILY_IPV6 = 0x02;

/** Reason phrases of the error codes the ICE-Lite agent sends. */
export const StunErrorReason: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthenticated',
  420: 'Unknown Attribute',
  487: 'Role Conflict',
});

/** Builds the 14-bit message type from a method and a class (RFC 8489 §5, figure 3). */
export function stunMessageType(method: number, cls: StunClass): number {
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((cls & 0b01) << 4) |
    ((cls & 0b10) << 7)
  );
}

/** The method encoded in a message type. */
export function stunMethodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

/** The class encoded in a message type. */
export function stunClassOf(type: number): StunClass {
  return (((type >> 4) & 0b01) | ((type >> 7) & 0b10)) as StunClass;
}

/** Attributes 0x0000–0x7FFF must be understood, or the request is rejected with 420. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}
