/**
 * Which packets of one SVC stream (VP9 spatial + temporal layers) a consumer
 * forwards, and when its current layers move toward the target ones — the
 * rules of mediasoup's VP9 encoding context:
 * - spatial up only at a keyframe (an upper layer frame predicts from its own
 *   earlier frames, which the receiver did not get);
 * - spatial down at the end of a frame of the target layer, no keyframe: in
 *   full SVC the lower layers never reference the upper ones; in K-SVC
 *   (`L3T3_KEY`) each layer references only its own earlier frames after the
 *   keyframe, which the receiver decoded along with the upper layer (it
 *   decodes every layer frame of a picture and shows the highest). mediasoup
 *   waits for a keyframe here for K-SVC; we do not: the keyframe wait kept the
 *   upper layers filling a bottleneck's queue, and each keyframe cost a freeze;
 * - temporal up at the beginning of a frame from which on the higher layers
 *   decode (VP9: a frame marked as a switching up point (U bit) opens its own
 *   layer; AV1: a temporal layer 0 frame opens them all), temporal down at the
 *   end of a frame of the target layer;
 * - the last packet of the highest forwarded spatial layer of a picture gets
 *   the marker bit (the end of the picture for the receiver).
 * Pure state over plain numbers: no packet, no clock (table-tested). The codec's
 * descriptor says the layers and points (VP9 payload descriptor; AV1 dependency
 * descriptor's frame templates, as mediasoup's AV1 handler).
 */
export class SvcLayerFilter {
  targetSpatial = -1;
  targetTemporal = -1;
  /** -1 until the first keyframe. */
  currentSpatial = -1;
  currentTemporal = -1;
  /** Set by `pass()`: the packet passed must carry the marker bit. */
  marker = false;
  /** Set by `pass()`: the current layers changed with this packet. */
  changed = false;

  constructor(
    readonly spatialLayers: number,
    readonly temporalLayers: number,
  ) {}

  /** Back to no layer: the next keyframe syncs (start, resume). */
  reset(): void {
    this.currentSpatial = -1;
    this.currentTemporal = -1;
  }

  /** Whether a keyframe is needed to reach the target (the consumer asks the producer for one). */
  get needsKeyFrame(): boolean {
    return this.targetSpatial > this.currentSpatial;
  }

  /**
   * One packet of spatial layer `sid`, temporal layer `tid` (0 when the descriptor has none): true to
   * forward it. `keyFrame`: the first packet of a keyframe; `begin`/`end`: first/last packet of its
   * layer frame; `switchUpTo`: the highest temporal layer whose frames decode from this frame on
   * (-1: not a switching point).
   */
  pass(
    sid: number,
    tid: number,
    keyFrame: boolean,
    begin: boolean,
    end: boolean,
    switchUpTo: number,
  ): boolean {
    this.marker = false;
    this.changed = false;
    if (this.targetSpatial < 0 || this.targetTemporal < 0) return false;
    if (sid >= this.spatialLayers || tid >= this.temporalLayers) return false;
    let s = this.currentSpatial;
    let t = this.currentTemporal;
    if (this.targetSpatial > s) {
      if (keyFrame) {
        s = this.targetSpatial;
        t = 0;
      }
    } else if (this.targetSpatial < s && sid === this.targetSpatial && end) {
      s = this.targetSpatial;
    }
    if (s < 0 || sid > s) return false;
    if (this.targetTemporal > t) {
      const upTo = Math.min(t < 0 ? tid : switchUpTo, this.targetTemporal);
      if (begin && upTo > t && tid <= upTo) t = upTo;
    } else if (this.targetTemporal < t) {
      if (tid === this.targetTemporal && end) t = this.targetTemporal;
    }
    if (tid > t) return false;
    if (sid === s && end) this.marker = true;
    if (s !== this.currentSpatial || t !== this.currentTemporal) {
      this.currentSpatial = s;
      this.currentTemporal = t;
      this.changed = true;
    }
    return true;
  }
}
