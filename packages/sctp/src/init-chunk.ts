/**
 * INIT and INIT ACK chunks (RFC 9260 §3.3.2, §3.3.3) with the parameters WebRTC
 * uses: State Cookie (7), Forward-TSN-Supported (0xc000, RFC 3758) and Supported
 * Extensions (0x8008, RFC 5061).
 *
 * value: Initiate Tag(32) a_rwnd(32) OS(16) MIS(16) Initial TSN(32) params…
 */
import { ChunkType, unknownParamAction } from './chunk-type.js';
import { pad4, readU16, readU32, writeChunkHeader, writeU16, writeU32 } from './sctp-packet.js';

export const ParamType = {
  HEARTBEAT_INFO: 1,
  STATE_COOKIE: 7,
  UNRECOGNIZED_PARAM: 8,
  OUTGOING_SSN_RESET_REQUEST: 13,
  INCOMING_SSN_RESET_REQUEST: 14,
  RECONFIG_RESPONSE: 16,
  SUPPORTED_EXTENSIONS: 0x8008,
  FORWARD_TSN_SUPPORTED: 0xc000,
} as const;

export interface InitChunk {
  /** INIT (1) or INIT ACK (2). */
  type: number;
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  forwardTsnSupported: boolean;
  /** Chunk types listed in Supported Extensions. */
  supportedExtensions: number[];
  /** INIT ACK only. */
  stateCookie?: Uint8Array;
  /** Unknown parameters whose type asks for a report (copied whole, padded). */
  unrecognizedParams: Uint8Array[];
}

const INIT_FIXED = 16;

/**
 * Parses the chunk at `buf[off..off+length)` (header included). Returns
 * `undefined` on any malformed field: a zero tag or zero stream counts (RFC 9260
 * §3.3.2 says both are invalid) or a parameter overrunning the chunk.
 */
export function unmarshalInit(buf: Uint8Array, off: number, length: number): InitChunk | undefined {
  if (length < 4 + INIT_FIXED) return undefined;
  const type = buf[off];
  const v = off + 4;
  const out: InitChunk = {
    type,
    initiateTag: readU32(buf, v),
    aRwnd: readU32(buf, v + 4),
    outboundStreams: readU16(buf, v + 8),
    inboundStreams: readU16(buf, v + 10),
    initialTsn: readU32(buf, v + 12),
    forwardTsnSupported: false,
    supportedExtensions: [],
    unrecognizedParams: [],
  };
  if (out.initiateTag === 0 || out.outboundStreams === 0 || out.inboundStreams === 0) return undefined;
  const end = off + length;
  let p = v + INIT_FIXED;
  while (p < end) {
    if (p + 4 > end) return undefined;
    const ptype = readU16(buf, p);
    const plen = readU16(buf, p + 2);
    if (plen < 4 || p + plen > end) return undefined;
    switch (ptype) {
      case ParamType.STATE_COOKIE:
        out.stateCookie = buf.subarray(p + 4, p + plen);
        break;
      case ParamType.FORWARD_TSN_SUPPORTED:
        out.forwardTsnSupported = true;
        break;
      case ParamType.SUPPORTED_EXTENSIONS:
        for (let i = p + 4; i < p + plen; i++) out.supportedExtensions.push(buf[i]);
        break;
      default: {
        const action = unknownParamAction(ptype);
        if (action === 'stop-report' || action === 'skip-report') {
          out.unrecognizedParams.push(buf.slice(p, p + pad4(plen)));
        }
        if (action === 'stop' || action === 'stop-report') return out;
      }
    }
    p += pad4(plen);
  }
  if (type === ChunkType.INIT_ACK && out.stateCookie === undefined) return undefined;
  return out;
}

/** Byte length of the marshaled chunk (padded). */
export function initChunkLength(c: InitChunk): number {
  let n = 4 + INIT_FIXED;
  if (c.forwardTsnSupported) n += 4;
  if (c.supportedExtensions.length > 0) n += pad4(4 + c.supportedExtensions.length);
  if (c.stateCookie) n += pad4(4 + c.stateCookie.length);
  for (const u of c.unrecognizedParams) n += 4 + pad4(u.length);
  return n;
}

/** Writes the chunk at `off`; returns the offset after it (padding zeroed). */
export function marshalInit(c: InitChunk, buf: Uint8Array, off: number): number {
  const total = initChunkLength(c);
  buf.fill(0, off, off + total);
  let p = writeChunkHeader(buf, off, c.type, 0, total);
  writeU32(buf, p, c.initiateTag);
  writeU32(buf, p + 4, c.aRwnd);
  writeU16(buf, p + 8, c.outboundStreams);
  writeU16(buf, p + 10, c.inboundStreams);
  writeU32(buf, p + 12, c.initialTsn);
  p += INIT_FIXED;
  if (c.forwardTsnSupported) {
    writeU16(buf, p, ParamType.FORWARD_TSN_SUPPORTED);
    writeU16(buf, p + 2, 4);
    p += 4;
  }
  if (c.supportedExtensions.length > 0) {
    writeU16(buf, p, ParamType.SUPPORTED_EXTENSIONS);
    writeU16(buf, p + 2, 4 + c.supportedExtensions.length);
    for (let i = 0; i < c.supportedExtensions.length; i++) buf[p + 4 + i] = c.supportedExtensions[i];
    p += pad4(4 + c.supportedExtensions.length);
  }
  if (c.stateCookie) {
    writeU16(buf, p, ParamType.STATE_COOKIE);
    writeU16(buf, p + 2, 4 + c.stateCookie.length);
    buf.set(c.stateCookie, p + 4);
    p += pad4(4 + c.stateCookie.length);
  }
  for (const u of c.unrecognizedParams) {
    // Unrecognized Parameter (8) wraps each unknown parameter whole (RFC 9260 §3.3.3).
    writeU16(buf, p, ParamType.UNRECOGNIZED_PARAM);
    writeU16(buf, p + 2, 4 + u.length);
    buf.set(u, p + 4);
    p += 4 + pad4(u.length);
  }
  return off + total;
}
