/**
 * Multiply-add work of a BERT forward pass, counted the way a matmul peak is measured:
 * 2 FLOPs per multiply-add, MatMul/Gemm only. LayerNorm, GELU, softmax, bias adds and
 * embedding lookups are left out on purpose: against a dense-matmul peak they would be
 * counted at a speed they never reach, and leaving them out keeps pairs/s = peak / FLOPs
 * an upper bound rather than an estimate.
 *
 * Counted per micro-batch as ONNX Runtime runs it: every padded position goes through every
 * layer (nothing skips padding on CPU), and attention is quadratic in the padded length.
 */

export interface BertShape {
  layers: number;
  hidden: number;
  intermediate: number;
  /** Classifier outputs (0 for a model without a classification head). */
  labels: number;
}

/** One micro-batch as it ran: `rows` sequences padded to `seqLen` tokens. */
export interface BatchShape {
  rows: number;
  seqLen: number;
}

/**
 * FLOPs per row (pair) over `batches`, each padded position counted:
 * per layer per token, Q/K/V and output projections 4 · 2H², the two FFN matmuls 2 · 2·H·I
 * (= 24·H² for I = 4H), and attention 4·T·H (Q·Kᵀ and probs·V, each 2·T·H for T = seqLen);
 * per row, the pooler (2·H²) and the classifier (2·H·labels), which read the first token only.
 */
export function flopsPerPair(batches: readonly BatchShape[], shape: BertShape): number {
  const { layers: L, hidden: H, intermediate: I, labels } = shape;
  let rows = 0;
  let flops = 0;
  for (const { rows: r, seqLen: T } of batches) {
    if (!(Number.isInteger(r) && r >= 1 && Number.isInteger(T) && T >= 1)) throw new RangeError(`bad batch shape ${r} × ${T}`);
    const perToken = L * (8 * H * H + 4 * H * I + 4 * T * H);
    flops += r * T * perToken + r * (2 * H * H + 2 * H * labels);
    rows += r;
  }
  if (rows === 0) throw new RangeError('flopsPerPair needs at least one row');
  return flops / rows;
}

/** Each row alone at its own length: the work with no padding at all. */
export function unpadded(lengths: readonly number[]): BatchShape[] {
  return lengths.map((seqLen) => ({ rows: 1, seqLen }));
}
