/**
 * Splitting the last micro-batch of the known work between sessions (session-pool.ts).
 *
 * When a session takes a batch that is more work than everything queued behind it, the
 * other sessions run out of work and idle until it ends: at the end of each run, up to a
 * whole batch's time on all cores but one (seconds, for a 1,024-token BERT-base batch on
 * CPU). The pool runs the first half and queues the second for the next free session,
 * which may split it again, so pieces shrink geometrically and the sessions finish
 * together. On CPU a batch's cost follows its padded tokens down to small batches, so the
 * pieces cost little; they stop at a minimum size all the same (halfPoint), since every
 * run has a fixed cost.
 *
 * Halves keep the batch's padded length: its rows are length-sorted and its cuts already
 * sit where lengths step up (batcher.ts), so re-padding would save little and would make
 * the padding figures differ from what the plan reported.
 */
import type { BatchInput } from './session-pool.js';
import type { BatchVectors, KindBlock } from './worker-protocol.js';

/** Where to halve a batch, or undefined when either half would be under `minPieceTokens` padded tokens. */
export function halfPoint(input: Pick<BatchInput, 'rows' | 'seqLen'>, minPieceTokens: number): number | undefined {
  const at = Math.floor(input.rows / 2);
  return at >= 1 && at * input.seqLen >= minPieceTokens ? at : undefined;
}

/** Rows [0, at) and [at, rows) of a padded batch, each in arrays of its own (safe to transfer). */
export function splitBatch(input: BatchInput, at: number): [BatchInput, BatchInput] {
  if (!(Number.isInteger(at) && at >= 1 && at < input.rows)) throw new RangeError(`cannot split ${input.rows} rows at ${at}`);
  const { seqLen } = input;
  const part = (from: number, to: number): BatchInput => ({
    rows: to - from,
    seqLen,
    ids: input.ids.slice(from * seqLen, to * seqLen),
    typeIds: input.typeIds.slice(from * seqLen, to * seqLen),
    lengths: input.lengths.slice(from, to),
    kinds: input.kinds,
  });
  const first = part(0, at);
  // A test-only crash marker goes with the first half: that half's worker dies as the whole batch's would.
  if (input.testExitCode !== undefined) first.testExitCode = input.testExitCode;
  return [first, part(at, input.rows)];
}

/** The vectors of two halves, rows of `a` first: what the whole batch would have returned. */
export function joinVectors(a: BatchVectors, b: BatchVectors): BatchVectors {
  const out: BatchVectors = {};
  for (const kind of Object.keys(a) as Array<keyof BatchVectors>) {
    const x: KindBlock = a[kind]!;
    const y = b[kind];
    if (!y || y.dim !== x.dim) throw new Error(`the halves of a split batch disagree on ${kind}`);
    const data = new Float32Array(x.data.length + y.data.length);
    data.set(x.data);
    data.set(y.data, x.data.length);
    out[kind] = { data, dim: x.dim };
  }
  return out;
}
