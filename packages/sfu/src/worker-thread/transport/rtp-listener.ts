/**
 * Which producer stream an incoming RTP packet belongs to (mediasoup's
 * RtpListener): by SSRC, by RTX SSRC, or — for SSRCs nobody signalled — by
 * the MID and RID (or repaired RID) header extensions, once per SSRC.
 */
import { type RtpPacketView, readSdesText } from '@tsfu/rtp';
import type { Producer } from '../producer.js';
import type { RecvStream } from '../rtp/recv-stream.js';

export class RtpListener {
  private readonly ssrcTable = new Map<number, RecvStream>();
  private readonly rtxSsrcTable = new Map<number, RecvStream>();
  private readonly streamProducer = new Map<RecvStream, Producer>();
  private readonly producers = new Set<Producer>();
  /** The last `find()`: whether the packet came on the stream's RTX SSRC. */
  isRtx = false;

  /** Adds `p`'s streams; throws (as mediasoup) when an SSRC or the MID is taken. */
  addProducer(p: Producer): void {
    for (const s of p.streams) {
      if (s.ssrc !== 0 && this.ssrcTable.has(s.ssrc))
        throw new Error(`ssrc already exists in RTP listener [ssrc:${s.ssrc}]`);
    }
    if (p.mid !== undefined) {
      for (const other of this.producers) {
        if (other.mid === p.mid) throw new Error(`MID already exists in RTP listener [mid:${p.mid}]`);
      }
    }
    this.producers.add(p);
    for (const s of p.streams) {
      this.streamProducer.set(s, p);
      if (s.ssrc !== 0) this.ssrcTable.set(s.ssrc, s);
      if (s.rtxSsrc) this.rtxSsrcTable.set(s.rtxSsrc, s);
    }
  }

  removeProducer(p: Producer): void {
    this.producers.delete(p);
    for (const s of p.streams) {
      this.streamProducer.delete(s);
      if (this.ssrcTable.get(s.ssrc) === s) this.ssrcTable.delete(s.ssrc);
      if (s.rtxSsrc && this.rtxSsrcTable.get(s.rtxSsrc) === s) this.rtxSsrcTable.delete(s.rtxSsrc);
    }
  }

  /** The stream of `v` (sets `isRtx`), binding an unsignalled SSRC by MID/RID; undefined when none. */
  find(v: RtpPacketView): RecvStream | undefined {
    const ssrc = v.ssrc;
    let stream = this.ssrcTable.get(ssrc);
    if (stream !== undefined) {
      this.isRtx = false;
      return stream;
    }
    stream = this.rtxSsrcTable.get(ssrc);
    if (stream !== undefined) {
      this.isRtx = true;
      return stream;
    }
    return this.bindUnknownSsrc(v);
  }

  /** The stream whose media SSRC is `ssrc` (an SR's sender). */
  streamBySsrc(ssrc: number): RecvStream | undefined {
    return this.ssrcTable.get(ssrc);
  }

  producerOf(stream: RecvStream): Producer | undefined {
    return this.streamProducer.get(stream);
  }

  /** An SSRC no producer signalled: match by MID (+ RID / repaired RID), as mediasoup's RtpListener. */
  private bindUnknownSsrc(v: RtpPacketView): RecvStream | undefined {
    for (const p of this.producers) {
      if (p.midExtId !== 0 && p.mid !== undefined) {
        const i = v.findExtension(p.midExtId);
        if (i < 0) continue;
        if (readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]) !== p.mid)
          continue;
      } else if (p.ridExtId === 0) {
        continue;
      }
      let rid: string | undefined;
      let isRtx = false;
      if (p.ridExtId !== 0) {
        const i = v.findExtension(p.ridExtId);
        if (i >= 0) rid = readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]);
      }
      if (rid === undefined && p.rridExtId !== 0) {
        const i = v.findExtension(p.rridExtId);
        if (i >= 0) {
          rid = readSdesText(v.buffer, v.extensionValueOffsets[i], v.extensionValueLengths[i]);
          isRtx = rid !== undefined;
        }
      }
      let stream: RecvStream | undefined;
      if (rid !== undefined) stream = p.streams.find((s) => s.rid === rid);
      else if (p.streams.length === 1 && p.streams[0].rid === undefined) {
        stream = p.streams[0];
        isRtx = p.rtxApt[v.payloadType] >= 0;
      }
      if (!stream) continue;
      const ssrc = v.ssrc;
      if (isRtx) {
        if (stream.rtxSsrc && this.rtxSsrcTable.get(stream.rtxSsrc) === stream)
          this.rtxSsrcTable.delete(stream.rtxSsrc);
        stream.rtxSsrc = ssrc;
        this.rtxSsrcTable.set(ssrc, stream);
      } else {
        if (stream.ssrc !== 0 && this.ssrcTable.get(stream.ssrc) === stream)
          this.ssrcTable.delete(stream.ssrc);
        stream.ssrc = ssrc;
        this.ssrcTable.set(ssrc, stream);
      }
      this.isRtx = isRtx;
      return stream;
    }
    return undefined;
  }

  /** mediasoup's dump tables: SSRC/MID/RID → producer id. */
  dump(): {
    ssrcTable: { key: number; value: string }[];
    midTable: { key: number; value: string }[];
    ridTable: { key: number; value: string }[];
  } {
    const ssrcTable = [...this.ssrcTable].map(([key, s]) => ({
      key,
      value: this.streamProducer.get(s)?.id ?? '',
    }));
    const midTable: { key: number; value: string }[] = [];
    const ridTable: { key: number; value: string }[] = [];
    for (const p of this.producers) {
      // mediasoup's flatbuffers dump types these keys as numbers; MIDs/RIDs are strings here.
      if (p.mid !== undefined) midTable.push({ key: p.mid as unknown as number, value: p.id });
      for (const st of p.streams)
        if (st.rid !== undefined) ridTable.push({ key: st.rid as unknown as number, value: p.id });
    }
    return { ssrcTable, midTable, ridTable };
  }
}
