/**
 * Extended reports (RFC 3611) with the blocks an SFU uses for receiver-side
 * RTT: Receiver Reference Time (RRTR, BT=4) and DLRR (BT=5). Other blocks
 * are kept as raw bytes.
 */
import {
  allocRtcpPacket,
  copyBytes,
  RtcpPacketType,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './rtcp-header.js';

export const XrBlockType = { RRTR: 4, DLRR: 5 } as const;

export interface XrRrtrBlock {
  type: 'rrtr';
  /** 64-bit NTP timestamp (Q32.32). */
  ntpTimestamp: bigint;
}

export interface XrDlrrItem {
  ssrc: number;
  /** Middle 32 bits of the RRTR's NTP timestamp. */
  lastRr: number;
  /** Delay since that RRTR, 1/65536 s. */
  delaySinceLastRr: number;
}

export interface XrDlrrBlock {
  type: 'dlrr';
  items: XrDlrrItem[];
}

export interface XrOtherBlock {
  type: 'other';
  blockType: number;
  typeSpecific: number;
  /** Block contents after its 4-byte header. */
  data: Uint8Array;
}

export type XrBlock = XrRrtrBlock | XrDlrrBlock | XrOtherBlock;

export interface RtcpXr {
  kind: 'xr';
  ssrc: number;
  blocks: XrBlock[];
}

export function parseXr(b: Uint8Array, o: number, length: number): RtcpXr | undefined {
  if (length < 4) return undefined;
  const end = o + length;
  const blocks: XrBlock[] = [];
  let p = o + 4;
  while (p < end) {
    if (p + 4 > end) return undefined;
    const bt = b[p];
    const words = readU16(b, p + 2);
    const next = p + 4 + words * 4;
    if (next > end) return undefined;
    if (bt === XrBlockType.RRTR) {
      if (words !== 2) return undefined;
      blocks.push({
        type: 'rrtr',
        ntpTimestamp: (BigInt(readU32(b, p + 4)) << 32n) | BigInt(readU32(b, p + 8)),
      });
    } else if (bt === XrBlockType.DLRR) {
      if (words % 3 !== 0) return undefined;
      const items: XrDlrrItem[] = [];
      for (let q = p + 4; q < next; q += 12) {
        items.push({ ssrc: readU32(b, q), lastRr: readU32(b, q + 4), delaySinceLastRr: readU32(b, q + 8) });
      }
      blocks.push({ type: 'dlrr', items });
    } else {
      blocks.push({ type: 'other', blockType: bt, typeSpecific: b[p + 1], data: copyBytes(b, p + 4, next) });
    }
    p = next;
  }
  return { kind: 'xr', ssrc: readU32(b, o), blocks };
}

function blockLength(x: XrBlock): number {
  if (x.type === 'rrtr') return 12;
  if (x.type === 'dlrr') return 4 + x.items.length * 12;
  if (x.data.length % 4 !== 0) throw new RangeError('XR block data must be a multiple of 4 bytes');
  return 4 + x.data.length;
}

export function serializeXr(p: RtcpXr): Buffer {
  let body = 4;
  for (const x of p.blocks) body += blockLength(x);
  const out = allocRtcpPacket(RtcpPacketType.XR, 0, body);
  writeU32(out, 4, p.ssrc);
  let o = 8;
  for (const x of p.blocks) {
    const len = blockLength(x);
    writeU16(out, o + 2, (len - 4) / 4);
    if (x.type === 'rrtr') {
      out[o] = XrBlockType.RRTR;
      const ntp = BigInt.asUintN(64, x.ntpTimestamp);
      writeU32(out, o + 4, Number(ntp >> 32n));
      writeU32(out, o + 8, Number(ntp & 0xffffffffn));
    } else if (x.type === 'dlrr') {
      out[o] = XrBlockType.DLRR;
      x.items.forEach((it, i) => {
        writeU32(out, o + 4 + i * 12, it.ssrc);
        writeU32(out, o + 8 + i * 12, it.lastRr);
        writeU32(out, o + 12 + i * 12, it.delaySinceLastRr);
      });
    } else {
      out[o] = x.blockType;
      out[o + 1] = x.typeSpecific;
      out.set(x.data, o + 4);
    }
    o += len;
  }
  return out;
}
