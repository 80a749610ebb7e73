/**
 * Transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): packet status
 * chunks (run-length or status vector with 1- or 2-bit symbols) then receive
 * deltas (1 byte unsigned "small", 2 bytes signed "large", 250 µs units).
 */
import {
  allocRtcpPacket,
  RtcpPacketType,
  RtpfbFormat,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './rtcp-header.js';

/** Packet status symbols. */
export const TwccStatus = {
  NotReceived: 0,
  SmallDelta: 1,
  LargeDelta: 2,
  /** Reserved in draft-01; parsed as received with no delta. */
  NoDelta: 3,
} as const;

export interface TwccPacket {
  received: boolean;
  /** Receive delta from the previous received packet (the first: from reference time), µs, a multiple of 250. */
  deltaUs: number;
}

export interface RtcpTransportCc {
  kind: 'transport-cc';
  senderSsrc: number;
  mediaSsrc: number;
  baseSequenceNumber: number;
  /** 24-bit signed reference time, multiples of 64 ms. */
  referenceTime: number;
  /** Feedback packet count (8 bits). */
  fbPktCount: number;
  /** One entry per sequence number from `baseSequenceNumber` on. */
  packets: TwccPacket[];
}

export function parseTransportCc(b: Uint8Array, o: number, length: number): RtcpTransportCc | undefined {
  if (length < 16) return undefined;
  const end = o + length;
  const count = readU16(b, o + 10);
  const statuses = new Uint8Array(count);
  let p = o + 16;
  let n = 0;
  while (n < count) {
    if (p + 2 > end) return undefined;
    const chunk = readU16(b, p);
    p += 2;
    if ((chunk & 0x8000) === 0) {
      const status = (chunk >> 13) & 0x03;
      const run = chunk & 0x1fff;
      for (let i = 0; i < run && n < count; i++) statuses[n++] = status;
    } else if ((chunk & 0x4000) === 0) {
      for (let i = 13; i >= 0 && n < count; i--) statuses[n++] = (chunk >> i) & 0x01;
    } else {
      for (let i = 12; i >= 0 && n < count; i -= 2) statuses[n++] = (chunk >> i) & 0x03;
    }
  }
  const packets: TwccPacket[] = [];
  for (let i = 0; i < count; i++) {
    const s = statuses[i];
    if (s === TwccStatus.SmallDelta) {
      if (p + 1 > end) return undefined;
      packets.push({ received: true, deltaUs: b[p] * 250 });
      p += 1;
    } else if (s === TwccStatus.LargeDelta) {
      if (p + 2 > end) return undefined;
      packets.push({ received: true, deltaUs: ((readU16(b, p) << 16) >> 16) * 250 });
      p += 2;
    } else {
      packets.push({ received: s === TwccStatus.NoDelta, deltaUs: 0 });
    }
  }
  return {
    kind: 'transport-cc',
    senderSsrc: readU32(b, o),
    mediaSsrc: readU32(b, o + 4),
    baseSequenceNumber: readU16(b, o + 8),
    referenceTime: (((b[o + 12] << 16) | (b[o + 13] << 8) | b[o + 14]) << 8) >> 8,
    fbPktCount: b[o + 15],
    packets,
  };
}

/** Status symbol a packet is sent with: its delta decides small or large. */
function statusOf(p: TwccPacket): number {
  if (!p.received) return TwccStatus.NotReceived;
  const ticks = Math.round(p.deltaUs / 250);
  return ticks >= 0 && ticks <= 255 ? TwccStatus.SmallDelta : TwccStatus.LargeDelta;
}

/** Encodes statuses into chunks: runs of 7+ as run-length, the rest as 1-bit or 2-bit vectors. */
export function encodeTwccChunks(statuses: ArrayLike<number>): number[] {
  const chunks: number[] = [];
  const n = statuses.length;
  let i = 0;
  while (i < n) {
    let run = 1;
    while (i + run < n && statuses[i + run] === statuses[i] && run < 0x1fff) run++;
    if (run >= 7) {
      chunks.push((statuses[i] << 13) | run);
      i += run;
      continue;
    }
    let twoBit = false;
    for (let k = i; k < Math.min(n, i + 14); k++) if (statuses[k] > 1) twoBit = true;
    if (!twoBit) {
      let c = 0x8000;
      for (let k = 0; k < 14; k++) if (i + k < n && statuses[i + k]) c |= 1 << (13 - k);
      chunks.push(c);
      i += 14;
    } else {
      let c = 0xc000;
      for (let k = 0; k < 7; k++) if (i + k < n) c |= statuses[i + k] << (12 - 2 * k);
      chunks.push(c);
      i += 7;
    }
  }
  return chunks;
}

export function serializeTransportCc(p: RtcpTransportCc): Buffer {
  if (p.packets.length > 0xffff) throw new RangeError('too many packets for one feedback');
  const statuses = p.packets.map(statusOf);
  const chunks = encodeTwccChunks(statuses);
  let deltaBytes = 0;
  for (const s of statuses)
    deltaBytes += s === TwccStatus.SmallDelta ? 1 : s === TwccStatus.LargeDelta ? 2 : 0;
  const unpadded = 16 + chunks.length * 2 + deltaBytes;
  const body = Math.ceil(unpadded / 4) * 4;
  const out = allocRtcpPacket(RtcpPacketType.RTPFB, RtpfbFormat.TRANSPORT_CC, body);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  writeU16(out, 12, p.baseSequenceNumber & 0xffff);
  writeU16(out, 14, p.packets.length);
  const ref = p.referenceTime & 0xffffff;
  out[16] = ref >>> 16;
  out[17] = ref >>> 8;
  out[18] = ref;
  out[19] = p.fbPktCount & 0xff;
  let o = 20;
  for (const c of chunks) {
    writeU16(out, o, c);
    o += 2;
  }
  p.packets.forEach((pk, i) => {
    const ticks = Math.round(pk.deltaUs / 250);
    if (statuses[i] === TwccStatus.SmallDelta) out[o++] = ticks;
    else if (statuses[i] === TwccStatus.LargeDelta) {
      if (ticks < -32768 || ticks > 32767) throw new RangeError('receive delta out of range');
      writeU16(out, o, ticks & 0xffff);
      o += 2;
    }
  });
  // Pad to a word with the P bit, as libwebrtc does, so the padding is not taken for deltas.
  if (body !== unpadded) {
    out[0] |= 0x20;
    out[out.length - 1] = body - unpadded;
  }
  return out;
}
