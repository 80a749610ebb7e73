/**
 * `enableTraceEvent()`'s argument as mediasoup reads it: an array of strings
 * (else TypeError); names the object does not trace are dropped, not refused.
 */
export function traceEventTypes<T extends string>(types: unknown, known: readonly T[]): T[] {
  if (!Array.isArray(types)) throw new TypeError('types must be an array');
  if (types.some((t) => typeof t !== 'string')) throw new TypeError('every type must be a string');
  return known.filter((k) => types.includes(k));
}
