/**
 * A consumer's retransmissions (RFC 4585 NACK → RFC 4588 RTX): a packet it
 * sent is rebuilt from the producer stream's kept copy with the values its
 * sent-packet log recorded — sequence number, timestamp, payload type, VP8
 * picture id/TL0PICIDX — the consumer's SSRC and extension ids, and a fresh
 * abs-send-time; then wrapped as RTX when negotiated.
 */
import { absSendTimeFromMs, RtpPacketView, Vp8Descriptor, wrapRtx, writeAbsSendTime } from '@tsfu/rtp';
import type { RecvStream } from '../rtp/recv-stream.js';
import type { SentPacketLog } from '../rtp/sent-packet-log.js';

// One rebuild buffer and view for every consumer of this thread: packets are handled one at a time.
const rebuilt = Buffer.allocUnsafe(65536);
const rebuiltView = new RtpPacketView();
const rebuiltVp8 = new Vp8Descriptor();
const rtxOut = Buffer.allocUnsafe(65536);

export interface RetransmitterOptions {
  ssrc: number;
  /** RTX payload type and SSRC; payload type -1 when RTX was not negotiated. */
  rtxPayloadType: number;
  rtxSsrc: number;
  /** Producer extension id → consumer extension id (0: removed). */
  extTable: Uint8Array;
  /** The consumer's abs-send-time extension id, 0 when none. */
  absSendTimeId: number;
}

export class Retransmitter {
  private readonly o: RetransmitterOptions;
  private rtxSeq = Math.floor(Math.random() * 0x10000);
  /** The buffer holding the packet the last `rebuild()` gave the length of. */
  buffer: Buffer = rebuilt;

  constructor(options: RetransmitterOptions) {
    this.o = options;
  }

  /**
   * Rebuilds log slot `i` (sent as `seq`) from `streams`' kept packets, RTX-wrapped when negotiated.
   * Returns the length to send from `buffer`; 0 when it was rebuilt but cannot be wrapped; -1 when
   * the producer no longer keeps it.
   */
  rebuild(streams: readonly RecvStream[], log: SentPacketLog, i: number, seq: number, nowMs: number): number {
    const kept = streams[log.encodingOf(i)]?.retransmissionBuffer;
    if (kept === undefined) return -1;
    const j = kept.find(log.sourceSeqOf(i));
    if (j < 0) return -1;
    const n = kept.copyPacket(j, rebuilt);
    const v = rebuiltView;
    if (n < 0 || !v.wrap(rebuilt, n)) return -1;
    const o = this.o;
    v.sequenceNumber = seq;
    v.timestamp = log.timestampOf(i);
    v.ssrc = o.ssrc;
    v.payloadType = log.payloadTypeOf(i);
    v.remapExtensions(o.extTable);
    if (o.absSendTimeId !== 0) {
      const e = v.findExtension(o.absSendTimeId);
      if (e >= 0 && v.extensionValueLengths[e] === 3) {
        writeAbsSendTime(rebuilt, v.extensionValueOffsets[e], absSendTimeFromMs(nowMs));
      }
    }
    const pictureId = log.pictureIdOf(i);
    const tl0 = log.tl0PicIdxOf(i);
    if ((pictureId >= 0 || tl0 >= 0) && rebuiltVp8.parse(rebuilt, v.payloadOffset, v.payloadLength)) {
      if (pictureId >= 0 && rebuiltVp8.pictureId >= 0)
        rebuiltVp8.setPictureId(rebuilt, v.payloadOffset, pictureId);
      if (tl0 >= 0 && rebuiltVp8.tl0PicIdx >= 0) rebuiltVp8.setTl0PicIdx(rebuilt, v.payloadOffset, tl0);
    }
    if (o.rtxPayloadType < 0) {
      this.buffer = rebuilt;
      return n;
    }
    this.rtxSeq = (this.rtxSeq + 1) & 0xffff;
    const r = wrapRtx(v, rtxOut, o.rtxPayloadType, o.rtxSsrc, this.rtxSeq);
    this.buffer = rtxOut;
    return Math.max(r, 0);
  }
}
