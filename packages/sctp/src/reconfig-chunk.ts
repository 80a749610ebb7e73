/**
 * RE-CONFIG chunk (RFC 6525 §3.1) with the two parameters WebRTC data channels
 * use to close a channel: Outgoing SSN Reset Request (13, §4.1) and
 * Re-configuration Response (16, §4.4). Other parameters are kept as `unknown`.
 *
 * Outgoing SSN Reset Request: type=13 | length | Request Seq(32) |
 *   Response Seq(32) | Sender's Last Assigned TSN(32) | Stream Number(16)…
 * Re-configuration Response: type=16 | length | Response Seq(32) | Result(32)
 *   [Sender's Next TSN(32) | Receiver's Next TSN(32)]
 */
import { ChunkType } from './chunk-type.js';
import { ParamType } from './init-chunk.js';
import { pad4, readU16, readU32, writeChunkHeader, writeU16, writeU32 } from './sctp-packet.js';

/** Re-configuration Response results (RFC 6525 §4.4). */
export const ReconfigResult = {
  SUCCESS_NOTHING_TO_DO: 0,
  SUCCESS_PERFORMED: 1,
  DENIED: 2,
  ERROR_WRONG_SSN: 3,
  ERROR_REQUEST_ALREADY_IN_PROGRESS: 4,
  ERROR_BAD_SEQUENCE_NUMBER: 5,
  IN_PROGRESS: 6,
} as const;

export type ReconfigParam =
  | {
      type: typeof ParamType.OUTGOING_SSN_RESET_REQUEST;
      requestSeq: number;
      responseSeq: number;
      lastTsn: number;
      streams: number[];
    }
  | { type: typeof ParamType.RECONFIG_RESPONSE; responseSeq: number; result: number }
  | { type: 'unknown'; paramType: number };

/** Parses the parameters of the chunk at `buf[off..off+length)`; undefined when malformed. */
export function unmarshalReconfig(buf: Uint8Array, off: number, length: number): ReconfigParam[] | undefined {
  const out: ReconfigParam[] = [];
  const end = off + length;
  let p = off + 4;
  if (p >= end) return undefined;
  while (p < end) {
    if (p + 4 > end) return undefined;
    const t = readU16(buf, p);
    const l = readU16(buf, p + 2);
    if (l < 4 || p + l > end) return undefined;
    if (t === ParamType.OUTGOING_SSN_RESET_REQUEST) {
      if (l < 16 || (l - 16) % 2 !== 0) return undefined;
      const streams: number[] = [];
      for (let i = p + 16; i < p + l; i += 2) streams.push(readU16(buf, i));
      out.push({
        type: t,
        requestSeq: readU32(buf, p + 4),
        responseSeq: readU32(buf, p + 8),
        lastTsn: readU32(buf, p + 12),
        streams,
      });
    } else if (t === ParamType.RECONFIG_RESPONSE) {
      if (l !== 12 && l !== 20) return undefined;
      out.push({ type: t, responseSeq: readU32(buf, p + 4), result: readU32(buf, p + 8) });
    } else {
      out.push({ type: 'unknown', paramType: t });
    }
    p += pad4(l);
  }
  return out;
}

function paramLength(p: ReconfigParam): number {
  if (p.type === ParamType.OUTGOING_SSN_RESET_REQUEST) return 16 + p.streams.length * 2;
  if (p.type === ParamType.RECONFIG_RESPONSE) return 12;
  return 0;
}

export function reconfigLength(params: ReconfigParam[]): number {
  let n = 4;
  for (const p of params) n += pad4(paramLength(p));
  return n;
}

export function marshalReconfig(params: ReconfigParam[], buf: Uint8Array, off: number): number {
  const total = reconfigLength(params);
  buf.fill(0, off, off + total);
  let p = writeChunkHeader(buf, off, ChunkType.RECONFIG, 0, total);
  for (const prm of params) {
    const l = paramLength(prm);
    if (prm.type === ParamType.OUTGOING_SSN_RESET_REQUEST) {
      writeU16(buf, p, prm.type);
      writeU16(buf, p + 2, l);
      writeU32(buf, p + 4, prm.requestSeq);
      writeU32(buf, p + 8, prm.responseSeq);
      writeU32(buf, p + 12, prm.lastTsn);
      for (let i = 0; i < prm.streams.length; i++) writeU16(buf, p + 16 + i * 2, prm.streams[i]);
    } else if (prm.type === ParamType.RECONFIG_RESPONSE) {
      writeU16(buf, p, prm.type);
      writeU16(buf, p + 2, l);
      writeU32(buf, p + 4, prm.responseSeq);
      writeU32(buf, p + 8, prm.result);
    }
    p += pad4(l);
  }
  return off + total;
}
