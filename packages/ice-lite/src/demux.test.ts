import { describe, expect, it } from 'vitest';
import { classifyPacket, PacketKind } from './demux.js';

describe('classifyPacket (RFC 7983)', () => {
  const rows: { name: string; bytes: number[]; length?: number; want: PacketKind }[] = [
    { name: 'STUN Binding Request (0x00)', bytes: [0x00, 0x01], want: PacketKind.Stun },
    { name: 'STUN, top of range (3)', bytes: [0x03, 0x00], want: PacketKind.Stun },
    { name: '4: unassigned', bytes: [0x04], want: PacketKind.Unknown },
    { name: 'ZRTP (16)', bytes: [16], want: PacketKind.Zrtp },
    { name: 'DTLS handshake (22)', bytes: [22, 0xfe, 0xfd], want: PacketKind.Dtls },
    { name: 'DTLS, range ends (20, 63)', bytes: [63], want: PacketKind.Dtls },
    { name: 'DTLS, range start (20)', bytes: [20], want: PacketKind.Dtls },
    { name: 'TURN channel (64)', bytes: [64, 0], want: PacketKind.TurnChannel },
    { name: '80–127: unassigned', bytes: [100, 0], want: PacketKind.Unknown },
    { name: 'RTP, PT 96', bytes: [0x80, 96], want: PacketKind.Rtp },
    { name: 'RTP, marker + PT 96', bytes: [0x80, 0x80 | 96], want: PacketKind.Rtp },
    { name: 'RTCP SR (200)', bytes: [0x80, 200], want: PacketKind.Rtcp },
    { name: 'RTCP RR (201) with count', bytes: [0x81, 201], want: PacketKind.Rtcp },
    { name: 'RTCP range start (192)', bytes: [0x80, 192], want: PacketKind.Rtcp },
    { name: 'RTCP range end (223)', bytes: [0x80, 223], want: PacketKind.Rtcp },
    { name: 'PT 224 is RTP (marker + 96)', bytes: [0x80, 224], want: PacketKind.Rtp },
    { name: 'PT 63 without marker is RTP', bytes: [0x80, 63], want: PacketKind.Rtp },
    { name: 'RTP range end (191)', bytes: [191, 96], want: PacketKind.Rtp },
    // RFC 5761 §4 by the full second byte: PT 64–95 are RTP with M=0, RTCP's 192–223 with M=1.
    { name: 'RTP PT 64, M=0', bytes: [0x80, 64], want: PacketKind.Rtp },
    { name: 'RTP PT 95, M=0', bytes: [0x80, 95], want: PacketKind.Rtp },
    { name: 'PT 64, M=1 is RTCP 192', bytes: [0x80, 0x80 | 64], want: PacketKind.Rtcp },
    { name: 'PT 95, M=1 is RTCP 223', bytes: [0x80, 0x80 | 95], want: PacketKind.Rtcp },
    { name: 'RTP PT 63, M=1 (191)', bytes: [0x80, 191], want: PacketKind.Rtp },
    { name: 'RTP PT 127, M=0', bytes: [0x80, 127], want: PacketKind.Rtp },
    { name: '192+: unassigned', bytes: [0xc0, 96], want: PacketKind.Unknown },
    { name: 'RTP with one byte only', bytes: [0x80], want: PacketKind.Unknown },
    { name: 'empty', bytes: [], want: PacketKind.Unknown },
    { name: 'length 0 over non-empty buffer', bytes: [0x00], length: 0, want: PacketKind.Unknown },
    { name: 'length 1 hides the PT byte', bytes: [0x80, 200], length: 1, want: PacketKind.Unknown },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const buf = Uint8Array.from(row.bytes);
      expect(classifyPacket(buf, row.length ?? buf.length)).toBe(row.want);
    });
  }
});
