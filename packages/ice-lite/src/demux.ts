/**
 * Demultiplexing of a shared UDP/TCP port: the one demux every transport
 * uses. By the first byte (RFC 7983 §7) and, for RTP versus RTCP, the second
 * read whole (RFC 5761 §4, `@tsfu/rtp`'s `isRtcpPacketType`).
 */
import { isRtcpPacketType } from '@tsfu/rtp';

export const PacketKind = {
  Unknown: 0,
  /** 0–3 */
  Stun: 1,
  /** 16–19 */
  Zrtp: 2,
  /** 20–63 */
  Dtls: 3,
  /** 64–79 */
  TurnChannel: 4,
  /** 128–191, second byte not an RTCP packet type (RTP PT 64–95 with M=0 included) */
  Rtp: 5,
  /** 128–191, second byte 192–223 (RTCP SR, RR, …; as RTP: PT 64–95 with M=1) */
  Rtcp: 6,
} as const;
export type PacketKind = (typeof PacketKind)[keyof typeof PacketKind];

/** Classifies `buf[0..length)`; never reads past `length`. */
export function classifyPacket(buf: Uint8Array, length: number = buf.length): PacketKind {
  if (length < 1 || buf.length < 1) return PacketKind.Unknown;
  const b = buf[0];
  if (b <= 3) return PacketKind.Stun;
  if (b >= 20 && b <= 63) return PacketKind.Dtls;
  if (b >= 128 && b <= 191) {
    if (length < 2 || buf.length < 2) return PacketKind.Unknown;
    return isRtcpPacketType(buf[1]) ? PacketKind.Rtcp : PacketKind.Rtp;
  }
  if (b >= 16 && b <= 19) return PacketKind.Zrtp;
  if (b >= 64 && b <= 79) return PacketKind.TurnChannel;
  return PacketKind.Unknown;
}
