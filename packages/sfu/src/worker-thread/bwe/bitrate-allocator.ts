/**
 * Splits a transport's available bitrate over its consumers (mediasoup's
 * Transport::DistributeAvailableOutgoingBitrate): consumers by priority,
 * highest first, take turns; in each round a consumer of priority p may step
 * up to p layers, each step costing the difference between the next layer's
 * bitrate and its current one, as long as the bitrate left covers it. A
 * consumer's layers are (spatial, temporal) pairs in mediasoup's order,
 * spatial-major (`layerIndex`): behind a link that cannot carry a spatial
 * layer at its full frame rate it gets that layer with fewer temporal layers
 * before a lower spatial one (which pairs a consumer offers is its choice:
 * see `lowestOfferedTemporal`). As in mediasoup, a step to a pair
 * cheaper than the current one (a higher spatial layer at a lower frame rate)
 * costs nothing and is taken. Rounds
 * repeat until nobody can step up. Every consumer gets at least its lowest
 * active layer (video must go on). Keeping the layer a consumer is on
 * counts its bitrate 15 % lower than taking it anew, so that an estimate
 * wobbling around a layer's bitrate does not switch layers back and forth
 * (each switch costs a keyframe). Runs on estimate changes, not per packet.
 */
const KEEP_DISCOUNT = 0.85;

/**
 * How many temporal layers a consumer may drop on a spatial layer above its lowest before it goes down
 * a spatial layer (the lowest may drop all but its base). Behind 600 kbit/s, VP9 L3T3_KEY on its top
 * spatial layer with the base temporal layer only (a quarter of the frames, each a reference for all
 * that follow) stalled Chromium for 3 s after a few packets were lost, and froze 3 times: one layer
 * dropped halves the frame rate and keeps the picture alive.
 */
export const UPPER_SPATIAL_TEMPORAL_DROP = 1;

/**
 * The lowest temporal layer a consumer offers the allocation on `spatial` (below it: 0, not offered),
 * whose highest offered temporal layer there is `highest`. Dropping temporal layers is how a consumer
 * stays on the spatial layer it forwards (`current`) or a lower one; a spatial layer above it is offered
 * at its full frame rate only: stepping up to a higher spatial layer at a lower frame rate (in VP8
 * simulcast, the top stream's two lower temporal layers cost about what the middle stream does) is a
 * keyframe for a slide show, and behind 600 kbit/s such steps overran the link (the estimate then
 * fell to 50 kbit/s).
 */
export function lowestOfferedTemporal(spatial: number, highest: number, current: number): number {
  if (spatial === 0) return 0;
  return spatial <= current ? highest - UPPER_SPATIAL_TEMPORAL_DROP : highest;
}

/** The allocation index of spatial layer `spatial`, temporal layer `temporal` of a stream with `temporalLayers`. */
export function layerIndex(spatial: number, temporal: number, temporalLayers: number): number {
  return spatial * temporalLayers + temporal;
}

export interface AllocationEntry {
  /** The consumer's priority (1 is the default; higher gets more turns). */
  priority: number;
  /**
   * Bitrate of each layer it may take (index `layerIndex(spatial, temporal)`: what it sends on that
   * pair), up to its preferred pair; 0 for an inactive one.
   */
  layerBitrates: readonly number[];
  /** The chosen layer (output), -1 when none is active. */
  layer: number;
  /** The layer it forwards now (-1: none): up to it, steps cost less. */
  current?: number;
}

export interface AllocationResult {
  /** What the chosen layers add up to, bps. */
  used: number;
  /** What the preferred (highest active) layers would add up to, bps: the bitrate worth probing for. */
  desired: number;
  /** Whether some consumer got less than its highest active layer (only then is probing worth it). */
  limited: boolean;
}

function nextActive(e: AllocationEntry, from: number): number {
  for (let i = from + 1; i < e.layerBitrates.length; i++) if (e.layerBitrates[i] > 0) return i;
  return -1;
}

export function allocateBitrate(available: number, entries: AllocationEntry[]): AllocationResult {
  let desired = 0;
  let used = 0;
  const tops: number[] = [];
  for (const e of entries) {
    e.layer = nextActive(e, -1);
    let top = e.layer;
    for (let i = e.layer; i >= 0; i = nextActive(e, i)) top = i;
    tops.push(top);
    if (e.layer < 0) continue;
    used += e.layerBitrates[e.layer];
    desired += e.layerBitrates[top];
  }
  let left = available - used;
  const order = entries.filter((e) => e.layer >= 0).sort((a, b) => b.priority - a.priority);
  for (;;) {
    const before = left;
    for (const e of order) {
      for (let k = 0; k < Math.max(1, e.priority); k++) {
        const next = nextActive(e, e.layer);
        if (next < 0) break;
        const keep = next <= (e.current ?? -1) ? KEEP_DISCOUNT : 1;
        const cost = (e.layerBitrates[next] - e.layerBitrates[e.layer]) * keep;
        if (cost > left) break;
        left -= cost;
        e.layer = next;
      }
    }
    if (left === before) break;
  }
  let limited = false;
  for (let i = 0; i < entries.length; i++) if (entries[i].layer < tops[i]) limited = true;
  return { used: available - left, desired, limited };
}
