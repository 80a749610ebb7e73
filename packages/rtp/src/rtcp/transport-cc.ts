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
  /** Reserved in draft-01: a feedback using it is rejected, as libwebrtc does. */
  Reserved: 3,
} as const;

/** One received packet of a feedback. */
export interface TwccReceivedPacket {
  /** Position after `baseSequenceNumber`: the packet's sequence number is `(base + offset) & 0xffff`. */
  offset: number;
  /** Receive delta from the previous received packet (the first: from reference time), µs, a multiple of 250. */
  deltaUs: number;
}

/**
 * A feedback lists its received packets only: a run-length chunk of 2 bytes
 * may claim 8,191 "not received" ones, so one entry per status would let a
 * 40-byte packet cost 65,535 objects. Parsing is O(bytes).
 */
export interface RtcpTransportCc {
  kind: 'transport-cc';
  senderSsrc: number;
  mediaSsrc: number;
  baseSequenceNumber: number;
  /** 24-bit signed reference time, multiples of 64 ms. */
  referenceTime: number;
  /** Feedback packet count (8 bits). */
  fbPktCount: number;
  /** Sequence numbers described from `baseSequenceNumber` on (packet status count, 16 bits). */
  packetStatusCount: number;
  /** The received ones, offsets increasing and below `packetStatusCount`; the others were not received. */
  received: TwccReceivedPacket[];
}

/**
 * Walks the status chunks from `p` until `count` statuses are described,
 * calling `onReceived(offset, status)` for each received one (a run of "not
 * received" costs one step). Returns the end of the chunks, or -1 when they
 * overrun `end`, a symbol is reserved or `onReceived` returns false.
 */
function walkChunks(
  b: Uint8Array,
  p: number,
  end: number,
  count: number,
  onReceived: (offset: number, status: number) => boolean,
): number {
  let n = 0;
  while (n < count) {
    if (p + 2 > end) return -1;
    const chunk = readU16(b, p);
    p += 2;
    if ((chunk & 0x8000) === 0) {
      const status = (chunk >> 13) & 0x03;
      const run = Math.min(chunk & 0x1fff, count - n);
      if (status === TwccStatus.Reserved && run > 0) return -1;
      if (status === TwccStatus.NotReceived) n += run;
      else for (let i = 0; i < run; i++) if (!onReceived(n++, status)) return -1;
    } else {
      const bits = (chunk & 0x4000) === 0 ? 1 : 2;
      for (let i = 14 - bits; i >= 0 && n < count; i -= bits) {
        const status = (chunk >> i) & (bits === 1 ? 0x01 : 0x03);
        if (status === TwccStatus.Reserved) return -1;
        if (status !== TwccStatus.NotReceived && !onReceived(n, status)) return -1;
        n++;
      }
    }
  }
  return p;
}

export function parseTransportCc(b: Uint8Array, o: number, length: number): RtcpTransportCc | undefined {
  if (length < 16) return undefined;
  const end = o + length;
  const count = readU16(b, o + 10);
  // First pass: where the deltas start. The second reads one delta per received status and stops
  // at the first that overruns, so a claimed run of received packets costs at most the bytes left.
  let p = walkChunks(b, o + 16, end, count, () => true);
  if (p < 0) return undefined;
  const received: TwccReceivedPacket[] = [];
  const ok = walkChunks(b, o + 16, end, count, (offset, status) => {
    if (status === TwccStatus.SmallDelta) {
      if (p + 1 > end) return false;
      received.push({ offset, deltaUs: b[p] * 250 });
      p += 1;
    } else {
      if (p + 2 > end) return false;
      received.push({ offset, deltaUs: ((readU16(b, p) << 16) >> 16) * 250 });
      p += 2;
    }
    return true;
  });
  if (ok < 0) return undefined;
  return {
    kind: 'transport-cc',
    senderSsrc: readU32(b, o),
    mediaSsrc: readU32(b, o + 4),
    baseSequenceNumber: readU16(b, o + 8),
    referenceTime: (((b[o + 12] << 16) | (b[o + 13] << 8) | b[o + 14]) << 8) >> 8,
    fbPktCount: b[o + 15],
    packetStatusCount: count,
    received,
  };
}

/** Status symbol a received packet is sent with: its delta decides small or large. */
function statusOf(deltaUs: number): number {
  const ticks = Math.round(deltaUs / 250);
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
  const count = p.packetStatusCount;
  if (!Number.isInteger(count) || count < 0 || count > 0xffff)
    throw new RangeError('packet status count out of range');
  const statuses = new Uint8Array(count);
  let deltaBytes = 0;
  let next = 0;
  for (const r of p.received) {
    if (!Number.isInteger(r.offset) || r.offset < next || r.offset >= count)
      throw new RangeError('received offsets must increase and stay below the packet status count');
    statuses[r.offset] = statusOf(r.deltaUs);
    deltaBytes += statuses[r.offset];
    next = r.offset + 1;
  }
  const chunks = encodeTwccChunks(statuses);
  const unpadded = 16 + chunks.length * 2 + deltaBytes;
  const body = Math.ceil(unpadded / 4) * 4;
  const out = allocRtcpPacket(RtcpPacketType.RTPFB, RtpfbFormat.TRANSPORT_CC, body);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  writeU16(out, 12, p.baseSequenceNumber & 0xffff);
  writeU16(out, 14, count);
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
  for (const r of p.received) {
    const ticks = Math.round(r.deltaUs / 250);
    if (statuses[r.offset] === TwccStatus.SmallDelta) out[o++] = ticks;
    else {
      if (ticks < -32768 || ticks > 32767) throw new RangeError('receive delta out of range');
      writeU16(out, o, ticks & 0xffff);
      o += 2;
    }
  }
  // Pad to a word with the P bit, as libwebrtc does, so the padding is not taken for deltas.
  if (body !== unpadded) {
    out[0] |= 0x20;
    out[out.length - 1] = body - unpadded;
  }
  return out;
}
