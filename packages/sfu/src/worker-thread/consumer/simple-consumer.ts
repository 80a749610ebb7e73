/**
 * A consumer of a producer with one stream (mediasoup's SimpleConsumer):
 * video starts, and restarts after a pause, at a keyframe; audio at once.
 * Temporal layers (a single encoding with several) are the base's.
 */
import type { ConsumerLayers } from '../../types/consumer.js';
import type { RecvStream } from '../rtp/recv-stream.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import { Consumer } from './consumer.js';

export class SimpleConsumer extends Consumer {
  readonly type: 'simple' | 'svc' = 'simple';
  /** Waiting for a keyframe before forwarding (start, resume). */
  private syncRequired = true;

  override get preferredLayers(): ConsumerLayers | undefined {
    return undefined;
  }

  get currentLayers(): ConsumerLayers | undefined {
    return undefined;
  }

  get forwardedStream(): RecvStream | undefined {
    return this.producer.streams[0];
  }

  override setPreferredLayers(_layers: ConsumerLayers, _nowMs: number): void {
    // A simple consumer has no layers to prefer (as mediasoup's).
  }

  protected selectLayer(stream: RecvStream, packet: RtpPacket, nowMs: number): boolean {
    if (!this.syncRequired) return true;
    if (this.kind === 'video' && !packet.isKeyFrame) {
      this.producer.requestKeyFrame(stream, nowMs);
      return false;
    }
    this.syncRequired = false;
    this.rewriter.switchSource();
    this.pictureIds.resync();
    return true;
  }

  onResumed(nowMs: number): void {
    this.syncRequired = true;
    this.requestKeyFrame(nowMs);
  }
}
