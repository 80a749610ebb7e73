import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** NamedGroup codes (RFC 8422 §5.1.1, RFC 7748, draft-ietf-tls-ecdhe-mlkem). */
export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  x25519: 29,
  /** Offered by Chromium; only ever skipped here (DTLS 1.3 key share). */
  x25519mlkem768: 0x11ec,
} as const;

export type DtlsNamedGroupName = 'x25519' | 'P-256' | 'P-384';

/** An ephemeral ECDHE key pair for one handshake. */
export interface EcdheKeyShare {
  readonly group: number;
  /** Public value as it goes on the wire (raw X25519 or an uncompressed point). */
  readonly publicKey: Buffer;
  /** Shared secret with the peer's public value, or undefined if that value is invalid. */
  computeSecret(peerPublicKey: Uint8Array): Buffer | undefined;
}

class X25519KeyShare implements EcdheKeyShare {
  readonly group = NamedGroup.x25519;
  readonly publicKey: Buffer;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    this.privateKey = privateKey;
    // JWK, not DER: node:crypto's DER codec costs ~100 µs per call here, JWK ~2 µs.
    this.publicKey = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  }

  computeSecret(peer: Uint8Array): Buffer | undefined {
    if (peer.length !== 32) return undefined;
    try {
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') },
        format: 'jwk',
      });
      const secret = diffieHellman({ privateKey: this.privateKey, publicKey });
      // RFC 7748 §6.1: an all-zero result means a small-order peer point.
      let acc = 0;
      for (const b of secret) acc |= b;
      return acc === 0 ? undefined : secret;
    } catch {
      // An invalid peer point: the handshake fails with illegal_parameter on undefined.
      return undefined;
    }
  }
}

class NistKeyShare implements EcdheKeyShare {
  readonly publicKey: Buffer;
  private readonly ecdh;

  constructor(
    readonly group: number,
    curve: string,
    private readonly pointLength: number,
  ) {
    this.ecdh = createECDH(curve);
    this.publicKey = this.ecdh.generateKeys();
  }

  computeSecret(peer: Uint8Array): Buffer | undefined {
    // Only uncompressed points (0x04 || X || Y), as ec_point_formats says.
    if (peer.length !== this.pointLength || peer[0] !== 4) return undefined;
    try {
      return this.ecdh.computeSecret(peer);
    } catch {
      // An invalid peer point: the handshake fails with illegal_parameter on undefined.
      return undefined;
    }
  }
}

/** Groups we implement, in default preference order. */
export const SUPPORTED_GROUPS: readonly number[] = [
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

export function isSupportedGroup(group: number): boolean {
  return SUPPORTED_GROUPS.includes(group);
}

export function namedGroupByName(name: DtlsNamedGroupName): number {
  switch (name) {
    case 'x25519':
      return NamedGroup.x25519;
    case 'P-256':
      return NamedGroup.secp256r1;
    case 'P-384':
      return NamedGroup.secp384r1;
  }
}

export function namedGroupName(group: number): DtlsNamedGroupName | undefined {
  switch (group) {
    case NamedGroup.x25519:
      return 'x25519';
    case NamedGroup.secp256r1:
      return 'P-256';
    case NamedGroup.secp384r1:
      return 'P-384';
    default:
      return undefined;
  }
}

/** A fresh key share for `group`, or undefined if we do not speak it. */
export function generateKeyShare(group: number): EcdheKeyShare | undefined {
  switch (group) {
    case NamedGroup.x25519:
      return new X25519KeyShare();
    case NamedGroup.secp256r1:
      return new NistKeyShare(group, 'prime256v1', 65);
    case NamedGroup.secp384r1:
      return new NistKeyShare(group, 'secp384r1', 97);
    default:
      return undefined;
  }
}
