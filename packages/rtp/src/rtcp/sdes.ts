/** Source description (RFC 3550 §6.5): chunks of items, CNAME first. */
import { allocRtcpPacket, RtcpPacketType, readU32, writeU32 } from './rtcp-header.js';

export const SdesItemType = {
  END: 0,
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
} as const;

export interface RtcpSdesItem {
  type: number;
  text: string;
}

export interface RtcpSdesChunk {
  ssrc: number;
  items: RtcpSdesItem[];
}

export interface RtcpSdes {
  kind: 'sdes';
  chunks: RtcpSdesChunk[];
}

export function parseSdes(b: Uint8Array, o: number, length: number, count: number): RtcpSdes | undefined {
  const end = o + length;
  const chunks: RtcpSdesChunk[] = [];
  let p = o;
  for (let c = 0; c < count; c++) {
    if (p + 4 > end) return undefined;
    const chunk: RtcpSdesChunk = { ssrc: readU32(b, p), items: [] };
    p += 4;
    for (;;) {
      // Tolerate a last chunk that runs to the end without its null item (werift sends those).
      if (p >= end && c === count - 1) break;
      if (p >= end) return undefined;
      const type = b[p];
      if (type === SdesItemType.END) {
        // The item list ends with a null octet, then pads to a 32-bit boundary.
        p = o + Math.ceil((p + 1 - o) / 4) * 4;
        break;
      }
      if (p + 2 > end) return undefined;
      const len = b[p + 1];
      if (p + 2 + len > end) return undefined;
      chunk.items.push({ type, text: Buffer.from(b.buffer, b.byteOffset + p + 2, len).toString('utf8') });
      p += 2 + len;
    }
    chunks.push(chunk);
  }
  return { kind: 'sdes', chunks };
}

export function serializeSdes(p: RtcpSdes): Buffer {
  const encoded = p.chunks.map((c) =>
    c.items.map((i) => ({ type: i.type, text: Buffer.from(i.text, 'utf8') })),
  );
  let body = 0;
  for (const items of encoded) {
    let n = 4;
    for (const i of items) {
      if (i.text.length > 255) throw new RangeError('SDES item longer than 255 bytes');
      n += 2 + i.text.length;
    }
    body += Math.ceil((n + 1) / 4) * 4;
  }
  const out = allocRtcpPacket(RtcpPacketType.SDES, p.chunks.length, body);
  let o = 4;
  p.chunks.forEach((c, ci) => {
    const start = o;
    writeU32(out, o, c.ssrc);
    o += 4;
    for (const i of encoded[ci]) {
      out[o] = i.type;
      out[o + 1] = i.text.length;
      out.set(i.text, o + 2);
      o += 2 + i.text.length;
    }
    o = start + Math.ceil((o + 1 - start) / 4) * 4; // null item + padding, already zero
  });
  return out;
}

/** The CNAME of the first chunk that has one. */
export function sdesCname(p: RtcpSdes): string | undefined {
  for (const c of p.chunks) for (const i of c.items) if (i.type === SdesItemType.CNAME) return i.text;
  return undefined;
}
