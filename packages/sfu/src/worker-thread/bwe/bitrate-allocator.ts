/**
 * Splits a transport's available bitrate over its consumers (mediasoup's
 * Transport::DistributeAvailableOutgoingBitrate): consumers by priority,
 * highest first, take turns; in each round a consumer of priority p may step
 * up to p layers, each step costing the difference between the next layer's
 * bitrate and its current one, as long as the bitrate left covers it. Rounds
 * repeat until nobody can step up. Every consumer gets at least its lowest
 * active layer (video must go on). Keeping the layer a consumer is on
 * counts its bitrate 15 % lower than taking it anew, so that an estimate
 * wobbling around a layer's bitrate does not switch layers back and forth
 * (each switch costs a keyframe). Runs on estimate changes, not per packet.
 */
const KEEP_DISCOUNT = 0.85;

export interface AllocationEntry {
  /** The consumer's priority (1 is the default; higher gets more turns). */
  priority: number;
  /** Bitrate of each layer it may take, up to its preferred one; 0 for an inactive layer. */
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
