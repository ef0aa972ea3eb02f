/**
 * How many rows a chunk job holds when `submit` is not given `--chunk-size`.
 *
 * A chunk is the unit workers share out: a run of fewer chunks than the workers' free
 * slots leaves some of them idle — 512 rows in chunks of 256 went to ONE worker at
 * concurrency 2 while the other waited. Larger chunks cost less (each one is sorted by
 * length and cut into micro-batches on its own, so a small chunk pads more: on SICK, 6.3%
 * padding in chunks of 64 against 2.7% in chunks of 256), so the rule is:
 *
 *   chunk size = ceil(rows / (2 × slots)), within [MIN_CHUNK_ROWS, DEFAULT_CHUNK_ROWS]
 *
 * where `slots` is the chunk jobs the scoring workers alive at submit take at once (the sum
 * of their `--concurrency`, from their heartbeats; at least one default worker's, 2, when
 * none is alive yet). Two chunks per slot let a worker that finishes early take another
 * instead of the run waiting on the slowest. A run of more than 2 × slots × 256 rows keeps
 * chunks of 256, as before; the size is stored in the run spec, so workers joining later
 * and a resumed submit use the same chunks.
 */
export const DEFAULT_CHUNK_ROWS = 256;
export const MIN_CHUNK_ROWS = 16;
/** One worker's default `--concurrency`: the slots assumed when no worker is alive at submit. */
export const ASSUMED_SLOTS = 2;

export function planChunkSize(rows: number, slots: number): number {
  const perSlot = Math.ceil(Math.max(0, rows) / (2 * Math.max(ASSUMED_SLOTS, Math.floor(slots))));
  return Math.min(DEFAULT_CHUNK_ROWS, Math.max(MIN_CHUNK_ROWS, perSlot));
}
