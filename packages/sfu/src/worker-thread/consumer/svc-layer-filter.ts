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
 * - temporal up at the beginning of a frame marked as a switching up point
 *   (VP9 U bit), temporal down at the end of a frame of the target layer;
 * - the last packet of the highest forwarded spatial layer of a picture gets
 *   the marker bit (the end of the picture for the receiver).
 * Pure state over plain numbers: no packet, no clock (table-tested).
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
   * layer frame; `switchUp`: a temporal switching up point.
   */
  pass(
    sid: number,
    tid: number,
    keyFrame: boolean,
    begin: boolean,
    end: boolean,
    switchUp: boolean,
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
      if (tid > t && tid <= this.targetTemporal && (t < 0 || switchUp) && begin) t = tid;
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
