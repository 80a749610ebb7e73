/**
 * An RTP packet as the worker forwards it: `@tsfu/rtp`'s view of the bytes
 * plus what its payload descriptor says — keyframe, temporal and spatial
 * layer, layer sync — read through `@tsfu/rtp`'s descriptors (VP8, VP9,
 * H264, AV1) the first time anyone asks, for the codec its producer named
 * (`setPayloadCodec`). Each transport reuses one for every packet it
 * receives, so asking allocates nothing.
 */
import { isAv1KeyFrame, isH264KeyFrame, RtpPacketView, Vp8Descriptor, Vp9Descriptor } from '@tsfu/rtp';

/** Which payload descriptor a payload type carries. */
export const PayloadCodec = { None: 0, Vp8: 1, Vp9: 2, H264: 3, Av1: 4 } as const;
export type PayloadCodec = (typeof PayloadCodec)[keyof typeof PayloadCodec];

/** The descriptor a codec's packets carry, by MIME type (`None` for audio and codecs we do not read). */
export function payloadCodecOf(mimeType: string): PayloadCodec {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return PayloadCodec.Vp8;
    case 'video/vp9':
      return PayloadCodec.Vp9;
    case 'video/h264':
      return PayloadCodec.H264;
    case 'video/av1':
      return PayloadCodec.Av1;
    default:
      return PayloadCodec.None;
  }
}

const EMPTY = Buffer.alloc(0);

export class RtpPacket extends RtpPacketView {
  private bytes: Buffer = EMPTY;
  private codec: PayloadCodec = PayloadCodec.None;
  /** False until the descriptor of the current payload was read. */
  private described = true;
  private keyFrame = false;
  private temporal = -1;
  private spatial = -1;
  private layerSync = false;
  private frameStart = true;
  private hasVp8 = false;
  private readonly vp8 = new Vp8Descriptor();
  private readonly vp9 = new Vp9Descriptor();

  /** Points at `buf[0, length)` (a Buffer: senders protect the packet from it). */
  override wrap(buf: Buffer, length: number = buf.length): boolean {
    this.bytes = buf;
    this.codec = PayloadCodec.None;
    this.described = true;
    this.keyFrame = false;
    this.temporal = -1;
    this.spatial = -1;
    this.layerSync = false;
    this.frameStart = true;
    this.hasVp8 = false;
    return super.wrap(buf, length);
  }

  /** The bytes the packet was wrapped over. */
  get data(): Buffer {
    return this.bytes;
  }

  /** Names the codec of this packet's payload (its producer knows it by payload type). */
  setPayloadCodec(codec: PayloadCodec): void {
    this.codec = codec;
    this.described = codec === PayloadCodec.None;
  }

  /** The start of a keyframe (its first packet for VP8/VP9; any packet of an IDR for H264). */
  get isKeyFrame(): boolean {
    if (!this.described) this.describe();
    return this.keyFrame;
  }

  /** Temporal layer id, -1 when the payload does not say. */
  get temporalLayer(): number {
    if (!this.described) this.describe();
    return this.temporal;
  }

  /** Spatial layer id (VP9), -1 when the payload does not say. */
  get spatialLayer(): number {
    if (!this.described) this.describe();
    return this.spatial;
  }

  /** A switching point up to this packet's temporal layer (VP8 Y bit, VP9 U bit). */
  get isLayerSync(): boolean {
    if (!this.described) this.describe();
    return this.layerSync;
  }

  /**
   * The first packet of a frame (VP8: start of partition 0; VP9: beginning of the picture's first
   * layer frame); true when the payload does not say. Layers switch here, not within a frame.
   */
  get isFrameStart(): boolean {
    if (!this.described) this.describe();
    return this.frameStart;
  }

  /** The VP8 payload descriptor (picture id, TL0PICIDX and their offsets), or undefined. */
  get vp8Descriptor(): Vp8Descriptor | undefined {
    if (!this.described) this.describe();
    return this.hasVp8 ? this.vp8 : undefined;
  }

  private describe(): void {
    this.described = true;
    const len = this.payloadLength;
    if (len === 0) return;
    const buf = this.buffer;
    const off = this.payloadOffset;
    switch (this.codec) {
      case PayloadCodec.Vp8:
        if (this.vp8.parse(buf, off, len)) {
          this.hasVp8 = true;
          this.keyFrame = this.vp8.isKeyFrame;
          this.temporal = this.vp8.tid;
          this.layerSync = this.vp8.layerSync;
          this.frameStart = this.vp8.startOfPartition && this.vp8.partitionIndex === 0;
        }
        break;
      case PayloadCodec.Vp9:
        if (this.vp9.parse(buf, off, len)) {
          this.keyFrame = this.vp9.isKeyFrame;
          this.temporal = this.vp9.tid;
          this.spatial = this.vp9.hasLayerIndices ? this.vp9.sid : -1;
          this.layerSync = this.vp9.switchingUpPoint;
          this.frameStart = this.vp9.beginningOfFrame && this.spatial <= 0;
        }
        break;
      case PayloadCodec.H264:
        this.keyFrame = isH264KeyFrame(buf, off, len);
        break;
      case PayloadCodec.Av1:
        this.keyFrame = isAv1KeyFrame(buf, off, len);
        break;
    }
  }
}
