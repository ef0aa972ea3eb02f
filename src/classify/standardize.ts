/**
 * Input standardization for training, fitted on the training rows only and applied exactly as
 * mlp.ts does at inference, so the head sees the same numbers in training and in use.
 *
 * Mostly-zero columns (≥ 90% zeros: hashed word-pair counts, rare indicators) keep mean 0 and
 * std 1, so a rare indicator is not blown up to ±50 by a tiny std; constant columns get std 1.
 */
import type { Matrix } from './train-types.js';

/** The value a head file stores: float32, printed with 9 significant digits (round-trips exactly). */
export function f32(v: number): number {
  return Number(Math.fround(v).toPrecision(9));
}

export interface Standardizer {
  mean: Float32Array;
  /** 1 / std, as mlp.ts computes it from the stored std. */
  invStd: Float32Array;
  meanOut: number[];
  stdOut: number[];
}

export function fitStandardizer(m: Matrix): Standardizer {
  const { n, d, x } = m;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const zeros = new Int32Array(d);
  for (let r = 0; r < n; r++) {
    const base = r * d;
    for (let c = 0; c < d; c++) {
      const v = x[base + c]!;
      if (v === 0) zeros[c]!++;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const meanOut: number[] = new Array(d);
  const stdOut: number[] = new Array(d);
  for (let c = 0; c < d; c++) {
    if (zeros[c]! >= 0.9 * n) {
      meanOut[c] = 0;
      stdOut[c] = 1;
      continue;
    }
    const mu = sum[c]! / n;
    const variance = Math.max(0, sq[c]! / n - mu * mu);
    const sd = Math.sqrt(variance);
    meanOut[c] = f32(mu);
    stdOut[c] = sd > 1e-6 ? f32(sd) : 1;
  }
  return {
    meanOut,
    stdOut,
    mean: Float32Array.from(meanOut),
    invStd: Float32Array.from(stdOut, (s) => 1 / s),
  };
}

/** Standardized copy of m.x, computed exactly as mlp.ts does at inference. */
export function standardize(m: Matrix, s: Standardizer): Float32Array {
  const out = new Float32Array(m.n * m.d);
  for (let r = 0; r < m.n; r++) {
    const base = r * m.d;
    for (let c = 0; c < m.d; c++) out[base + c] = (m.x[base + c]! - s.mean[c]!) * s.invStd[c]!;
  }
  return out;
}
