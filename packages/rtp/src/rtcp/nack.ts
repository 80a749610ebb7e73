/** Generic NACK (RFC 4585 §6.2.1): PID + BLP pairs, to and from lists of sequence numbers. */
import { seqDiff16 } from '../seq-arith.js';
import {
  allocRtcpPacket,
  RtcpPacketType,
  RtpfbFormat,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './rtcp-header.js';

export interface RtcpNack {
  kind: 'nack';
  senderSsrc: number;
  mediaSsrc: number;
  /** Lost sequence numbers, in the order the PID/BLP pairs list them. */
  lost: number[];
}

/** A PID and its bitmask of the 16 following lost packets. */
export interface NackPair {
  pid: number;
  blp: number;
}

/**
 * Packs sequence numbers, oldest first (wrap-aware), into PID+BLP pairs: a
 * number within 16 after the current PID becomes a bit of its BLP, any other
 * starts a new pair.
 */
export function nackPairsFromSequenceNumbers(lost: readonly number[]): NackPair[] {
  const pairs: NackPair[] = [];
  let current: NackPair | undefined;
  for (const raw of lost) {
    const seq = raw & 0xffff;
    const d = current ? seqDiff16(seq, current.pid) : 0;
    if (current && d >= 1 && d <= 16) {
      current.blp |= 1 << (d - 1);
    } else if (!current || d !== 0) {
      current = { pid: seq, blp: 0 };
      pairs.push(current);
    }
  }
  return pairs;
}

/** Expands PID+BLP pairs into the sequence numbers they mark lost. */
export function sequenceNumbersFromNackPairs(pairs: readonly NackPair[]): number[] {
  const out: number[] = [];
  for (const { pid, blp } of pairs) {
    out.push(pid);
    for (let i = 0; i < 16; i++) if (blp & (1 << i)) out.push((pid + i + 1) & 0xffff);
  }
  return out;
}

/**
 * Allocation-free access for the forwarding path: the number of PID+BLP
 * pairs in a NACK body (offset and length as `RtcpCompoundView` gives them),
 * then each pair by index.
 */
export function nackPairCount(bodyLength: number): number {
  return bodyLength >= 12 ? (bodyLength - 8) >> 2 : 0;
}

/** PID of the i-th pair of a NACK body. */
export function nackPid(b: Uint8Array, bodyOffset: number, i: number): number {
  return readU16(b, bodyOffset + 8 + i * 4);
}

/** BLP of the i-th pair of a NACK body. */
export function nackBlp(b: Uint8Array, bodyOffset: number, i: number): number {
  return readU16(b, bodyOffset + 10 + i * 4);
}

export function parseNack(b: Uint8Array, o: number, length: number): RtcpNack | undefined {
  if (length < 12 || (length - 8) % 4 !== 0) return undefined;
  const pairs: NackPair[] = [];
  for (let p = o + 8; p < o + length; p += 4) pairs.push({ pid: readU16(b, p), blp: readU16(b, p + 2) });
  return {
    kind: 'nack',
    senderSsrc: readU32(b, o),
    mediaSsrc: readU32(b, o + 4),
    lost: sequenceNumbersFromNackPairs(pairs),
  };
}

export function serializeNack(p: RtcpNack): Buffer {
  const pairs = nackPairsFromSequenceNumbers(p.lost);
  const out = allocRtcpPacket(RtcpPacketType.RTPFB, RtpfbFormat.NACK, 8 + pairs.length * 4);
  writeU32(out, 4, p.senderSsrc);
  writeU32(out, 8, p.mediaSsrc);
  pairs.forEach((pair, i) => {
    writeU16(out, 12 + i * 4, pair.pid);
    writeU16(out, 14 + i * 4, pair.blp);
  });
  return out;
}
