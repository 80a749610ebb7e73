/**
 * Datagrams a shared UDP port must drop, for flood tests and benchmarks:
 * random bytes, STUN Binding Requests naming an unknown ufrag, DTLS
 * ClientHello records and RTP with an unknown SSRC — each from a source no
 * ICE agent validated. Built once; a flooder cycles through them.
 */
import { randomBytes } from 'node:crypto';
import { StunAttr, StunClass, StunMessageWriter, StunMethod, shortTermKey } from '@tsfu/ice-lite';

export type FloodKind = 'random' | 'stun' | 'dtls' | 'rtp';

export const FLOOD_KINDS: readonly FloodKind[] = ['random', 'stun', 'dtls', 'rtp'];

/** `count` datagrams of each kind, interleaved (random, stun, dtls, rtp, random, …). */
export function floodDatagrams(count = 8): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) for (const kind of FLOOD_KINDS) out.push(floodDatagram(kind, i));
  return out;
}

/** One datagram of `kind`; `i` varies ids and lengths. */
export function floodDatagram(kind: FloodKind, i = 0): Buffer {
  switch (kind) {
    case 'random':
      return randomBytes(40 + ((i * 37) % 200));
    case 'stun':
      return unknownUfragBindingRequest(i);
    case 'dtls':
      return clientHelloRecord(i);
    case 'rtp':
      return unknownSsrcRtp(i);
  }
}

function unknownUfragBindingRequest(i: number): Buffer {
  const w = new StunMessageWriter(new Uint8Array(548));
  w.begin(StunMethod.Binding, StunClass.Request, randomBytes(12))
    .addString(StunAttr.Username, `flood${i.toString(16).padStart(3, '0')}:peer`)
    .addUint32(StunAttr.Priority, 0x6e0001ff)
    .addUint64(StunAttr.IceControlling, BigInt(i + 1))
    .addFlag(StunAttr.UseCandidate)
    .addIntegrity(shortTermKey('not-the-password-of-anyone'))
    .addFingerprint();
  return Buffer.from(w.toBuffer());
}

/** A DTLS 1.2 handshake record carrying a ClientHello (body random: it is never parsed this far). */
function clientHelloRecord(i: number): Buffer {
  const body = randomBytes(120 + (i % 64));
  const b = Buffer.alloc(13 + 12 + body.length);
  b[0] = 22; // handshake
  b.writeUInt16BE(0xfefd, 1); // DTLS 1.2
  b.writeUIntBE(i, 5, 6); // epoch 0, sequence number i
  b.writeUInt16BE(12 + body.length, 11);
  b[13] = 1; // ClientHello
  b.writeUIntBE(body.length, 14, 3);
  b.writeUInt16BE(i & 0xffff, 17); // message_seq
  b.writeUIntBE(body.length, 22, 3); // fragment length (offset 0)
  body.copy(b, 25);
  return b;
}

/** 1200 bytes of RTP (opus PT) with an SSRC no producer announced. */
function unknownSsrcRtp(i: number): Buffer {
  const b = randomBytes(1200);
  b[0] = 0x80;
  b[1] = 111;
  b.writeUInt16BE(i & 0xffff, 2);
  b.writeUInt32BE((i * 960) >>> 0, 4);
  b.writeUInt32BE((0xf100d000 + i) >>> 0, 8);
  return b;
}
