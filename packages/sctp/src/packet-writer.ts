/**
 * Outgoing packets: the common header with our ports and the peer's tag,
 * the checksum written in place, and the small control chunks (ERROR,
 * ABORT, chunks without a value). `Bundle` fills MTU-sized packets with
 * DATA, SACK and FORWARD TSN chunks during one transmit pass.
 */
import type { SctpStats } from './association-types.js';
import { ChunkType, ErrorCause } from './chunk-type.js';
import {
  COMMON_HEADER_LENGTH,
  finishPacket,
  pad4,
  writeChunkHeader,
  writeCommonHeader,
  writeU16,
  writeU32,
} from './sctp-packet.js';

export class PacketWriter {
  /** The peer's verification tag; 0 until the handshake tells it. */
  peerTag = 0;

  constructor(
    readonly localPort: number,
    public remotePort: number,
    private readonly sendPacket: (packet: Buffer) => void,
    private readonly stats: SctpStats,
  ) {}

  /** A packet with its common header written, room for `chunkBytes` of chunks (or `capacity` bytes). */
  newPacket(chunkBytes: number, vtag: number, capacity = 0): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(capacity, COMMON_HEADER_LENGTH + chunkBytes));
    writeCommonHeader(buf, this.localPort, this.remotePort, vtag);
    return buf;
  }

  /** Checksums the first `end` bytes of `buf` and sends them. */
  finishAndSend(buf: Buffer, end: number): void {
    const pkt = end === buf.length ? buf : buf.subarray(0, end);
    finishPacket(pkt, end);
    this.send(pkt);
  }

  /** Sends a finished packet. */
  send(pkt: Buffer): void {
    this.stats.packetsSent++;
    this.sendPacket(pkt);
  }

  /** A packet with one chunk that has no value (COOKIE ACK, SHUTDOWN ACK, SHUTDOWN COMPLETE). */
  sendSimple(type: number): void {
    const buf = this.newPacket(4, this.peerTag);
    writeChunkHeader(buf, COMMON_HEADER_LENGTH, type, 0, 4);
    this.finishAndSend(buf, COMMON_HEADER_LENGTH + 4);
  }

  /** ERROR chunk with one cause of `causeLen` bytes; a value (big-endian) when it has room. */
  sendErrorCause(cause: number, causeLen: number, value = 0): void {
    if (this.peerTag === 0) return;
    const buf = this.newPacket(4 + causeLen, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ERROR, 0, 4 + causeLen);
    writeU16(buf, p, cause);
    writeU16(buf, p + 2, causeLen);
    if (causeLen >= 8) writeU32(buf, p + 4, value);
    this.stats.errorsSent++;
    this.finishAndSend(buf, p + causeLen);
  }

  /** One ERROR chunk with an "Unrecognized Chunk Type" cause per reported chunk (RFC 9260 §3.3.10.6). */
  sendUnrecognized(chunks: Buffer[]): void {
    if (this.peerTag === 0) return;
    let total = 4;
    for (const c of chunks) total += 4 + pad4(c.length);
    const buf = this.newPacket(total, this.peerTag);
    let p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ERROR, 0, total);
    for (const c of chunks) {
      writeU16(buf, p, ErrorCause.UNRECOGNIZED_CHUNK_TYPE);
      writeU16(buf, p + 2, 4 + c.length);
      c.copy(buf, p + 4);
      p += 4 + c.length;
      while (p & 3) buf[p++] = 0;
    }
    this.stats.errorsSent++;
    this.finishAndSend(buf, p);
  }

  /** ABORT with one cause carrying a 32-bit value (e.g. "No User Data" and the TSN). */
  sendAbort(cause: number, value: number): void {
    const buf = this.newPacket(12, this.peerTag);
    const p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ABORT, 0, 12);
    writeU16(buf, p, cause);
    writeU16(buf, p + 2, 8);
    writeU32(buf, p + 4, value);
    this.finishAndSend(buf, p + 8);
  }

  /** ABORT with a User-Initiated Abort cause carrying `reason` (UTF-8). */
  sendUserAbort(reason: string): void {
    const r = Buffer.from(reason, 'utf8');
    const causeLen = 4 + r.length;
    const buf = this.newPacket(4 + pad4(causeLen), this.peerTag);
    let p = writeChunkHeader(buf, COMMON_HEADER_LENGTH, ChunkType.ABORT, 0, 4 + causeLen);
    writeU16(buf, p, ErrorCause.USER_INITIATED_ABORT);
    writeU16(buf, p + 2, causeLen);
    r.copy(buf, p + 4);
    p += 4 + r.length;
    while (p & 3) buf[p++] = 0;
    this.finishAndSend(buf, p);
  }
}

/**
 * The packet being filled by one transmit pass. One instance per
 * association: a pass always ends with `flush()`, and `flush()` lets go of
 * the packet before sending it, so a send callback that re-enters the
 * association starts from an empty bundle.
 */
export class Bundle {
  buf: Buffer | undefined = undefined;
  /** Write offset in `buf`. */
  end = 0;

  constructor(
    private readonly writer: PacketWriter,
    /** Largest packet (the MTU). */
    readonly cap: number,
  ) {}

  /** Whether a chunk of `len` bytes still fits the packet being built. */
  fits(len: number): boolean {
    return this.end + len <= this.cap;
  }

  /** Starts a packet unless one is open; one chunk larger than the MTU still gets room. */
  open(chunkLen = 0): Buffer {
    if (!this.buf) {
      const cap = this.cap;
      this.buf = this.writer.newPacket(
        Math.max(cap, COMMON_HEADER_LENGTH + chunkLen),
        this.writer.peerTag,
        cap,
      );
      this.end = COMMON_HEADER_LENGTH;
    }
    return this.buf;
  }

  /** Sends the packet being built, if any. */
  flush(): void {
    const buf = this.buf;
    if (!buf) return;
    this.buf = undefined;
    this.writer.finishAndSend(buf, this.end);
  }
}
