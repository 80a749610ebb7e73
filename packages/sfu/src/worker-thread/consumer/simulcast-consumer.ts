/**
 * A consumer of a simulcast producer (several streams, one per spatial
 * layer; mediasoup's SimulcastConsumer): it forwards one stream at a time,
 * the preferred one if it is active, else the best lower one, else the
 * lowest higher one, and switches at that stream's next keyframe —
 * sequence numbers, timestamps and VP8 picture ids continue across the
 * switch. Temporal layers are the base's, capped by the bandwidth
 * allocation on the stream it gives (each stream's temporal layers are
 * measured at the producer, `RecvStream.temporalRate`).
 */
import type { ConsumerDump, ConsumerLayers } from '../../types/consumer.js';
import { layerIndex, lowestOfferedTemporal } from '../bwe/bitrate-allocator.js';
import type { RecvStream } from '../rtp/recv-stream.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import { Consumer } from './consumer.js';

export class SimulcastConsumer extends Consumer {
  readonly type = 'simulcast';
  /** The spatial layer (stream) to switch to, -1 while none is active. */
  targetSpatial = -1;
  /** The spatial layer being forwarded, -1 before the first keyframe. */
  currentSpatial = -1;
  /** The highest spatial layer the transport's bandwidth allocation allows (no limit: Infinity). */
  bweSpatialLimit = Number.POSITIVE_INFINITY;
  /** The highest temporal layer the allocation allows on the stream of `bweSpatialLimit`. */
  bweTemporalLimit = Number.POSITIVE_INFINITY;
  /** Each (spatial, temporal) layer's recent peak bitrate, by `layerIndex` (see `bweLayerBitrates`). */
  private readonly layerPeaks: number[] = [];

  get currentLayers(): ConsumerLayers | undefined {
    if (this.currentSpatial < 0) return undefined;
    return { spatialLayer: this.currentSpatial, temporalLayer: this.currentTemporal };
  }

  get forwardedStream(): RecvStream | undefined {
    return this.producer.streams[Math.max(0, this.currentSpatial)];
  }

  protected override get syncStream(): RecvStream | undefined {
    const streams = this.producer.streams;
    return streams[this.targetSpatial >= 0 ? this.targetSpatial : Math.max(0, this.currentSpatial)];
  }

  protected override get pliStream(): RecvStream | undefined {
    const streams = this.producer.streams;
    return streams[this.currentSpatial >= 0 ? this.currentSpatial : Math.max(0, this.targetSpatial)];
  }

  /** On the stream the allocation limits, no more temporal layers than it gives. */
  protected override get targetTemporal(): number {
    if (this.currentSpatial !== this.bweSpatialLimit) return this.preferredTemporal;
    return Math.min(this.preferredTemporal, this.bweTemporalLimit);
  }

  protected override get rewritesPictureIds(): boolean {
    return true;
  }

  protected selectLayer(stream: RecvStream, packet: RtpPacket, nowMs: number): boolean {
    if (stream.encodingIdx === this.currentSpatial) return !this.overrunsLink();
    if (this.targetSpatial < 0) this.updateTargetLayer(nowMs);
    if (stream.encodingIdx !== this.targetSpatial) return false;
    if (!packet.isKeyFrame) {
      this.producer.requestKeyFrame(stream, nowMs);
      return false;
    }
    // Switch at this keyframe: seq and timestamp continue, picture ids continue.
    this.currentSpatial = stream.encodingIdx;
    this.rewriter.switchSource();
    this.pictureIds.resync();
    this.notifyLayers();
    return true;
  }

  /**
   * Whether the layer being forwarded is above what the bandwidth allocation allows while a lower one
   * is on its way (its keyframe requested): its packets would only fill the bottleneck's queue ahead of
   * that keyframe — and be lost there — so they are not sent (the picture holds until the switch).
   * An allocation that only follows the preferred layer (it offers nothing above it) says nothing of
   * the link: after `setPreferredLayers` down the current layer goes on until the keyframe, as in
   * mediasoup.
   */
  private overrunsLink(): boolean {
    return (
      this.currentSpatial > this.bweSpatialLimit &&
      this.bweSpatialLimit < this.preferredSpatial &&
      this.targetSpatial >= 0 &&
      this.targetSpatial < this.currentSpatial
    );
  }

  /**
   * Picks the spatial layer to forward: the preferred one (or the allocation's limit, if lower) if
   * active, else the best lower, else the lowest higher.
   */
  updateTargetLayer(nowMs: number): void {
    const streams = this.producer.streams;
    const top = Math.min(this.preferredSpatial, this.bweSpatialLimit);
    let target = -1;
    for (let i = Math.min(top, streams.length - 1); i >= 0; i--) {
      if (streams[i].isActive(nowMs)) {
        target = i;
        break;
      }
    }
    if (target < 0) {
      for (let i = top + 1; i < streams.length; i++) {
        if (streams[i].isActive(nowMs)) {
          target = i;
          break;
        }
      }
    }
    this.targetSpatial = target;
    if (target >= 0 && target !== this.currentSpatial && this.active) {
      this.producer.requestKeyFrame(streams[target], nowMs);
    }
  }

  /**
   * Each (spatial, temporal) layer's bitrate up to the preferred pair, by `layerIndex`: what its stream
   * carries of temporal layers up to it; 0 for a stream that is not active and for a pair with more
   * temporal layers dropped than `lowestOfferedTemporal` allows (none above the forwarded stream), and
   * none on the lowest stream: it is the floor every consumer gets, at its full frame rate. (With a
   * (0, 0) floor, in apps/demo's cluster test on a 2-core machine — three nodes, four Chromium pages,
   * no bottleneck, the estimates fell to a few hundred kbit/s under the CPU load — consumers sat on
   * (0, 0) and a late joiner's page had 2 of its 3 videos stuck under 60 decoded frames for a minute.)
   * A stream whose packets say
   * no temporal layer is one layer (its other pairs cost the same and the allocation passes them
   * over). Each layer's bitrate is its recent peak, decaying 10 % per call (about a second): an
   * encoder that dips for a moment (CPU, a static scene) would otherwise make its layer look cheap,
   * and the switch up would overrun the link as soon as it recovers.
   */
  override bweLayerBitrates(nowMs: number): number[] {
    const streams = this.producer.streams;
    const temporals = this.temporalLayers;
    const out: number[] = [];
    const top = Math.min(this.preferredSpatial, streams.length - 1);
    for (let s = 0; s <= top; s++) {
      const stream = streams[s];
      const active = stream.isActive(nowMs);
      const perLayer = temporals > 1 && stream.hasTemporalLayers;
      let sum = 0;
      const highest = s === top ? this.preferredTemporal : temporals - 1;
      const lowest = s === 0 ? highest : lowestOfferedTemporal(s, highest, this.currentSpatial);
      for (let t = 0; t <= highest; t++) {
        const i = layerIndex(s, t, temporals);
        const rate = perLayer ? stream.temporalRate(t, nowMs) : t === 0 ? stream.bitrate.rate(nowMs) : 0;
        const peak = Math.max(rate, 0.9 * (this.layerPeaks[i] ?? 0));
        this.layerPeaks[i] = peak;
        sum += peak;
        out.push(active && t >= lowest ? Math.max(1, sum) : 0);
      }
    }
    return out;
  }

  override setBweLayer(layer: number, nowMs: number): void {
    const spatial = layer < 0 ? Number.POSITIVE_INFINITY : Math.floor(layer / this.temporalLayers);
    const temporal = layer < 0 ? Number.POSITIVE_INFINITY : layer % this.temporalLayers;
    if (spatial === this.bweSpatialLimit && temporal === this.bweTemporalLimit) return;
    this.bweSpatialLimit = spatial;
    this.bweTemporalLimit = temporal;
    this.updateTargetLayer(nowMs);
  }

  override get bweCurrentLayer(): number {
    if (this.currentSpatial < 0) return -1;
    return layerIndex(this.currentSpatial, Math.max(0, this.currentTemporal), this.temporalLayers);
  }

  override updateLayers(nowMs: number): void {
    // A stopped current layer needs nothing more: the target's keyframe switches away from it.
    this.updateTargetLayer(nowMs);
  }

  override setPreferredLayers(layers: ConsumerLayers, nowMs: number): void {
    this.storePreferredLayers(layers);
    this.updateTargetLayer(nowMs);
  }

  onResumed(nowMs: number): void {
    this.currentSpatial = -1;
    this.updateTargetLayer(nowMs);
    this.requestKeyFrame(nowMs);
  }

  override dump(): ConsumerDump {
    return {
      ...this.baseDump(),
      preferredSpatialLayer: this.preferredSpatial,
      targetSpatialLayer: this.targetSpatial,
      currentSpatialLayer: this.currentSpatial,
      preferredTemporalLayer: this.preferredTemporal,
      targetTemporalLayer: this.targetTemporal,
      currentTemporalLayer: this.currentTemporal,
    };
  }
}
