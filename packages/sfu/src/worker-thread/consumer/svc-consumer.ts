/**
 * A consumer of an SVC producer: one stream carrying spatial and/or temporal
 * layers (VP9 `L3T3`, `L3T3_KEY`, `L1T3`; mediasoup's SvcConsumer). For VP9
 * it reads each packet's payload descriptor and forwards the layers up to
 * its current ones (`SvcLayerFilter`: up at a keyframe or switching point,
 * down at a frame end), closing the sequence number gap of what it drops and
 * marking the end of each forwarded picture. Its target layers are the
 * preferred ones, capped by the transport's bandwidth allocation (each
 * (spatial, temporal) layer's bitrate measured here, cumulative: a layer
 * needs the spatial and temporal layers below it) and by what the producer
 * sends. AV1 (`L1T3`, `L3T3`, `L3T3_KEY`) with the dependency descriptor
 * extension: each packet's spatial and temporal layer from its frame
 * template, the same rules as VP9 (a temporal layer 0 frame is the switching
 * point up); the descriptor goes to the consumer as it came (its active decode
 * targets not rewritten, as in mediasoup 3.27, which does not forward it).
 * VP8 `L1T3` (one encoding with
 * temporal layers is `svc` too, as in mediasoup): the base's temporal rule.
 * H264 with temporal layers: keyframe sync, every layer forwarded.
 */
import { Av1DependencyDescriptor, Av1TemplateStructure, RTP_EXTENSION_URI, Vp9Descriptor } from '@tsfu/rtp';
import type { ConsumerDump, ConsumerLayers } from '../../types/consumer.js';
import { layerIndex, lowestOfferedTemporal } from '../bwe/bitrate-allocator.js';
import { BitrateMeter } from '../rtp/bitrate-meter.js';
import type { RecvStream } from '../rtp/recv-stream.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import { Consumer, type ConsumerOptions } from './consumer.js';
import { SvcLayerFilter } from './svc-layer-filter.js';

// One descriptor of each for every SVC consumer of this thread: packets are handled one at a time.
const vp9 = new Vp9Descriptor();
const dependencyDescriptor = new Av1DependencyDescriptor();
const av1Layers = { sid: 0, tid: 0 };
const MARKER = 0x80;

export class SvcConsumer extends Consumer {
  readonly type = 'svc';
  private readonly filter: SvcLayerFilter;
  private readonly isVp9: boolean;
  /** The producer's AV1 dependency descriptor extension id (0: none, or not AV1). */
  private readonly av1DescriptorId: number;
  /** The frame templates' layers from the latest AV1 template structure. */
  private readonly av1Templates = new Av1TemplateStructure();
  /** The highest spatial layer the transport's bandwidth allocation allows (no limit: Infinity). */
  private bweSpatialLimit = Number.POSITIVE_INFINITY;
  /** The highest temporal layer the allocation allows on its spatial layer `bweSpatialLimit`. */
  private bweTemporalLimit = Number.POSITIVE_INFINITY;
  /** What the producer sends per (spatial, temporal) layer alone (`layerIndex`), and its recent peak. */
  private readonly layerMeters: BitrateMeter[] = [];
  private readonly layerPeaks: number[] = [];
  /** Byte 1 (marker, PT) of the packet being sent, restored after it was sent. */
  private savedByte1 = -1;

  constructor(o: ConsumerOptions) {
    super(o);
    this.filter = new SvcLayerFilter(this.spatialLayers, this.temporalLayers);
    this.isVp9 = this.mimeType.toLowerCase() === 'video/vp9';
    const dd = o.producer.rtpParameters.headerExtensions?.find(
      (e) => e.uri === RTP_EXTENSION_URI.dependencyDescriptor,
    );
    this.av1DescriptorId = this.mimeType.toLowerCase() === 'video/av1' && dd ? dd.id : 0;
    for (let i = 0; i < this.spatialLayers * this.temporalLayers; i++)
      this.layerMeters.push(new BitrateMeter());
    this.updateTarget(0);
  }

  get currentLayers(): ConsumerLayers | undefined {
    const f = this.filter;
    if (f.currentSpatial < 0) return undefined;
    const temporal = this.baseTemporal ? this.currentTemporal : f.currentTemporal;
    return { spatialLayer: f.currentSpatial, temporalLayer: Math.max(0, temporal) };
  }

  get forwardedStream(): RecvStream | undefined {
    return this.producer.streams[0];
  }

  override sendRtpPacket(stream: RecvStream, packet: RtpPacket, mappedPt: number, nowMs: number): void {
    super.sendRtpPacket(stream, packet, mappedPt, nowMs);
    // The marker bit set for this consumer (`selectLayer`) is not the next consumer's.
    if (this.savedByte1 >= 0) {
      packet.data[1] = this.savedByte1;
      this.savedByte1 = -1;
    }
  }

  protected selectLayer(stream: RecvStream, packet: RtpPacket, nowMs: number): boolean {
    const len = packet.payloadLength;
    if (len === 0) return true; // padding: the base drops it without a gap
    const f = this.filter;
    const synced = f.currentSpatial >= 0;
    let pass: boolean;
    if (this.isVp9 && vp9.parse(packet.buffer, packet.payloadOffset, len)) {
      const sid = vp9.hasLayerIndices ? vp9.sid : 0;
      const tid = vp9.hasLayerIndices ? vp9.tid : 0;
      this.measure(sid, tid, packet.length, nowMs);
      const switchUpTo = vp9.switchingUpPoint ? tid : -1;
      pass = f.pass(sid, tid, vp9.isKeyFrame, vp9.beginningOfFrame, vp9.endOfFrame, switchUpTo);
    } else if (this.readAv1Layers(packet)) {
      const dd = dependencyDescriptor;
      const { sid, tid } = av1Layers;
      this.measure(sid, tid, packet.length, nowMs);
      // A temporal layer 0 frame references no frame of a higher layer before it: all open from it.
      const switchUpTo = tid === 0 ? this.temporalLayers - 1 : -1;
      pass = f.pass(sid, tid, packet.isKeyFrame, dd.startOfFrame, dd.endOfFrame, switchUpTo);
    } else {
      pass = this.passesTemporalOnly(packet, synced);
      const tid = this.baseTemporal ? packet.temporalLayer : 0;
      this.measure(0, Math.max(0, tid), packet.length, nowMs);
    }
    if (f.needsKeyFrame) this.producer.requestKeyFrame(stream, nowMs);
    if (!pass) {
      // Before the first keyframe there is no sequence to keep gapless (the sync starts one).
      if (synced) this.rewriter.drop(packet);
      return false;
    }
    if (!synced) {
      this.rewriter.switchSource();
      this.pictureIds.resync();
    }
    if (f.marker && !packet.marker) {
      this.savedByte1 = packet.data[1];
      packet.data[1] |= MARKER;
    }
    if (f.changed) this.notifyLayers();
    return true;
  }

  /**
   * AV1: the packet's spatial and temporal layer from its dependency descriptor's frame template
   * (into `av1Layers`); false without the extension, or before a template structure named the
   * template (then the packet goes by keyframe alone, `passesTemporalOnly`).
   */
  private readAv1Layers(packet: RtpPacket): boolean {
    if (this.av1DescriptorId === 0) return false;
    const i = packet.findExtension(this.av1DescriptorId);
    if (i < 0) return false;
    const dd = dependencyDescriptor;
    const t = this.av1Templates;
    if (!dd.parse(packet.buffer, packet.extensionValueOffsets[i], packet.extensionValueLengths[i], t)) {
      return false;
    }
    const sid = t.spatialIdOf(dd.templateId);
    const tid = t.temporalIdOf(dd.templateId);
    if (sid < 0 || tid < 0) return false;
    av1Layers.sid = sid;
    av1Layers.tid = tid;
    return true;
  }

  private measure(sid: number, tid: number, bytes: number, nowMs: number): void {
    const s = Math.min(sid, this.spatialLayers - 1);
    const t = Math.min(tid, this.temporalLayers - 1);
    this.layerMeters[layerIndex(s, t, this.temporalLayers)].add(bytes, nowMs);
  }

  /**
   * One spatial layer without layer descriptor (H264, VP8 `L1T3`, VP9 without layer indices, AV1
   * before a template structure): sync at a keyframe; temporal layers are the base's (VP8 TID; H264
   * carries none: every layer is forwarded).
   */
  private passesTemporalOnly(packet: RtpPacket, synced: boolean): boolean {
    const f = this.filter;
    f.changed = false;
    f.marker = false;
    if (synced) return true;
    if (!packet.isKeyFrame) return false;
    f.currentSpatial = 0;
    f.currentTemporal = f.targetTemporal;
    f.changed = true;
    return true;
  }

  /** AV1: the receiver needs the descriptor to put the layer frames of a picture together. */
  protected override get forwardsDependencyDescriptor(): boolean {
    return this.mimeType.toLowerCase() === 'video/av1';
  }

  /** Temporal layers are the filter's (VP9) or the dependency descriptor's (AV1) (the base's VP8-style rule does not apply). */
  protected override passesTemporalLayer(packet: RtpPacket): boolean {
    return this.baseTemporal ? super.passesTemporalLayer(packet) : true;
  }

  /** VP8/H264 `L1T3` (no VP9 or AV1 descriptor): the base's temporal rule (VP8 TID, layer sync). */
  private get baseTemporal(): boolean {
    return !this.isVp9 && this.av1DescriptorId === 0;
  }

  /** Target: the preferred layers, capped by the allocation and by the highest spatial layer sent. */
  private updateTarget(nowMs: number): void {
    const f = this.filter;
    let top = Math.min(this.preferredSpatial, this.bweSpatialLimit, this.spatialLayers - 1);
    // Not before anything was measured (start, resume): the keyframe would then sync on layer 0.
    if (this.spatialRate(0, nowMs) > 0) {
      while (top > 0 && this.spatialRate(top, nowMs) === 0) top--;
    }
    f.targetSpatial = Math.max(0, top);
    f.targetTemporal = this.targetTemporal;
  }

  /** On the spatial layer the allocation limits, no more temporal layers than it gives. */
  protected override get targetTemporal(): number {
    if (this.filter.targetSpatial !== this.bweSpatialLimit) return this.preferredTemporal;
    return Math.min(this.preferredTemporal, this.bweTemporalLimit);
  }

  /** What the producer sends of spatial layer `s` (all its temporal layers). */
  private spatialRate(s: number, nowMs: number): number {
    let sum = 0;
    for (let t = 0; t < this.temporalLayers; t++) {
      sum += this.layerMeters[layerIndex(s, t, this.temporalLayers)].rate(nowMs);
    }
    return sum;
  }

  /**
   * Each (spatial, temporal) layer's bitrate for the allocation (`layerIndex`), up to the preferred
   * pair: what is forwarded on it, every spatial layer up to it (each needs the ones below) with the
   * temporal layers up to it; 0 for a spatial layer the producer does not send and for a pair with more
   * temporal layers dropped than `lowestOfferedTemporal` allows. A layer's bitrate is its
   * recent peak decaying 10 % per call (as for simulcast: a dip must not make a layer look cheap).
   */
  override bweLayerBitrates(nowMs: number): number[] {
    const temporals = this.temporalLayers;
    const peaks = this.layerPeaks;
    const top = Math.min(this.preferredSpatial, this.spatialLayers - 1);
    for (let i = 0; i < (top + 1) * temporals; i++) {
      peaks[i] = Math.max(this.layerMeters[i].rate(nowMs), 0.9 * (peaks[i] ?? 0));
    }
    const out: number[] = [];
    const active = this.producer.streams[0]?.isActive(nowMs) === true;
    for (let s = 0; s <= top; s++) {
      const sent = s === 0 || this.spatialRate(s, nowMs) > 0;
      const highest = s === top ? this.preferredTemporal : temporals - 1;
      const lowest = lowestOfferedTemporal(s, highest, this.filter.currentSpatial);
      for (let t = 0; t <= highest; t++) {
        let sum = 0;
        for (let s2 = 0; s2 <= s; s2++) {
          for (let t2 = 0; t2 <= t; t2++) sum += peaks[layerIndex(s2, t2, temporals)];
        }
        out.push(active && sent && t >= lowest ? Math.max(1, sum) : 0);
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
    this.updateTarget(nowMs);
    if (this.filter.needsKeyFrame && this.active) this.requestKeyFrame(nowMs);
  }

  override get bweCurrentLayer(): number {
    const f = this.filter;
    if (f.currentSpatial < 0) return -1;
    const temporal = this.baseTemporal ? this.currentTemporal : f.currentTemporal;
    return layerIndex(f.currentSpatial, Math.max(0, temporal), this.temporalLayers);
  }

  override updateLayers(nowMs: number): void {
    this.updateTarget(nowMs);
  }

  override setPreferredLayers(layers: ConsumerLayers, nowMs: number): void {
    this.storePreferredLayers(layers);
    this.updateTarget(nowMs);
    if (this.filter.needsKeyFrame && this.active) this.requestKeyFrame(nowMs);
  }

  onResumed(nowMs: number): void {
    this.filter.reset();
    this.updateTarget(nowMs);
    this.requestKeyFrame(nowMs);
  }

  override dump(): ConsumerDump {
    const f = this.filter;
    return {
      ...this.baseDump(),
      preferredSpatialLayer: this.preferredSpatial,
      targetSpatialLayer: f.targetSpatial,
      currentSpatialLayer: f.currentSpatial,
      preferredTemporalLayer: this.preferredTemporal,
      targetTemporalLayer: this.baseTemporal ? this.targetTemporal : f.targetTemporal,
      currentTemporalLayer: f.currentTemporal,
    };
  }
}
