/**
 * VP8 picture ids and TL0PICIDX as one consumer sends them: they continue
 * across a switch of source stream (simulcast) and close the gap a dropped
 * temporal layer leaves (mediasoup's VP8 EncodingContext). Rewrites the
 * descriptor in the consumer's copy of the packet and says what it wrote,
 * for the sent-packet log.
 */
import type { Vp8Descriptor } from '@tsfu/rtp';

export class Vp8PictureIds {
  private resyncPending = false;
  private pictureIdOffset = 0;
  private tl0Offset = 0;
  private lastPictureId = -1;
  private lastTl0 = -1;
  private lastDroppedPictureId = -1;
  /** What the last `rewrite()` wrote (-1: nothing). */
  writtenPictureId = -1;
  writtenTl0PicIdx = -1;

  /** The source changed: the next picture continues from the last one sent. */
  resync(): void {
    this.resyncPending = true;
  }

  /** A dropped frame's picture id: later ones move down by one (once per picture, not per packet). */
  drop(pictureId: number): void {
    if (pictureId === this.lastDroppedPictureId) return;
    this.lastDroppedPictureId = pictureId;
    this.pictureIdOffset = (this.pictureIdOffset + 0x7fff) & 0x7fff;
  }

  /** Rewrites the descriptor `d` (parsed from the source) in `buf` at payload offset `off`. */
  rewrite(d: Vp8Descriptor, buf: Uint8Array, off: number): void {
    this.writtenPictureId = -1;
    this.writtenTl0PicIdx = -1;
    if (d.pictureId >= 0) {
      const mod = d.pictureIdBits === 15 ? 0x8000 : 0x80;
      if (this.resyncPending) {
        this.pictureIdOffset =
          this.lastPictureId < 0 ? 0 : (this.lastPictureId + 1 - d.pictureId + mod) % mod;
        if (d.tl0PicIdx >= 0)
          this.tl0Offset = this.lastTl0 < 0 ? 0 : (this.lastTl0 + 1 - d.tl0PicIdx + 256) & 0xff;
        this.resyncPending = false;
      }
      const pid = (d.pictureId + this.pictureIdOffset) % mod;
      d.setPictureId(buf, off, pid);
      this.lastPictureId = pid;
      this.writtenPictureId = pid;
    }
    if (d.tl0PicIdx >= 0) {
      const tl0 = (d.tl0PicIdx + this.tl0Offset) & 0xff;
      d.setTl0PicIdx(buf, off, tl0);
      this.lastTl0 = tl0;
      this.writtenTl0PicIdx = tl0;
    }
  }
}
