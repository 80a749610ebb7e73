/**
 * Demultiplexing of a shared UDP/TCP port by the first byte (RFC 7983 §7,
 * and RFC 5761 §4 for RTP versus RTCP).
 */

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
  /** 128–191, payload type not in the RTCP range */
  Rtp: 5,
  /** 128–191, second byte 192–223 once the marker bit is masked */
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
    // RTCP packet types 192–223 read as an RTP "marker + PT" byte are PT 64–95.
    const pt = buf[1] & 0x7f;
    return pt >= 64 && pt <= 95 ? PacketKind.Rtcp : PacketKind.Rtp;
  }
  if (b >= 16 && b <= 19) return PacketKind.Zrtp;
  if (b >= 64 && b <= 79) return PacketKind.TurnChannel;
  return PacketKind.Unknown;
}
