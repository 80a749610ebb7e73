/**
 * The hot path makes short-lived native objects per packet (node:crypto cipher
 * handles, their output Buffers) whose freeing happens inside the young-generation
 * GC pause. V8's default lets the young generation grow to 16 MiB semispaces, so
 * under load a scavenge frees thousands of them at once and stalls forwarding
 * for 5–12 ms; a 1 MiB semispace (young generation = 3 semispaces) collects
 * the same garbage in pauses under 1 ms for the same total GC time (bench:
 * `node bench/dist/load.js --probe`). Shared with the I/O thread.
 */
export const HOT_PATH_RESOURCE_LIMITS = {
  maxYoungGenerationSizeMb: Number(process.env.TSFU_YOUNG_GENERATION_MB) || 3,
};
