/**
 * Pooling of a [rows, seqLen, dim] hidden-state tensor (row-major, right-padded)
 * into one [rows, dim] block. Runs inside the session worker so that only
 * [rows, dim] vectors cross threads.
 */

/** cls = hidden[:, 0, :]. */
export function clsPool(hidden: Float32Array, rows: number, seqLen: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) out.set(hidden.subarray(r * seqLen * dim, r * seqLen * dim + dim), r * dim);
  return out;
}

/** mean = Σ_t mask[r,t]·hidden[r,t,:] / Σ_t mask[r,t], with mask[r,t] = t < lengths[r]. */
export function meanPool(hidden: Float32Array, lengths: Int32Array, rows: number, seqLen: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  const acc = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const n = Math.min(lengths[r]!, seqLen);
    acc.fill(0);
    for (let t = 0; t < n; t++) {
      const base = (r * seqLen + t) * dim;
      for (let d = 0; d < dim; d++) acc[d]! += hidden[base + d]!;
    }
    const inv = n > 0 ? 1 / n : 0;
    for (let d = 0; d < dim; d++) out[r * dim + d] = acc[d]! * inv;
  }
  return out;
}

/** IEEE half → float32, for fp16 models (ORT returns float16 tensors as Uint16Array). */
export function halfToFloat(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
