/**
 * Softmax, loss and scores for training: per-epoch validation (early stopping reads it) and
 * the accuracy / macro-F1 that reports and experiments print.
 */
import type { Net } from './network.js';
import type { Matrix } from './train-types.js';

export function softmaxInto(z: Float64Array, out: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < z.length; i++) out[i] = out[i]! / sum;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  macroF1: number;
  predictions: Int32Array;
}

/** Accuracy and macro-F1 (over classes present in gold or predictions) of predictions. */
export function scorePredictions(pred: Int32Array, gold: Int32Array, k: number): { accuracy: number; macroF1: number } {
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const support = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    predicted[pred[i]!]!++;
    support[gold[i]!]!++;
    if (pred[i] === gold[i]) {
      tp[gold[i]!]!++;
      correct++;
    }
  }
  let f1s = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (support[c] === 0 && predicted[c] === 0) continue;
    const p = predicted[c]! > 0 ? tp[c]! / predicted[c]! : 0;
    const r = support[c]! > 0 ? tp[c]! / support[c]! : 0;
    f1s += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    classes++;
  }
  return { accuracy: pred.length > 0 ? correct / pred.length : 0, macroF1: classes > 0 ? f1s / classes : 0 };
}

/** Unweighted mean cross-entropy and scores of `net` (no dropout) on standardized rows `xs` of `m`. */
export function evaluate(net: Net, xs: Float32Array, m: Matrix, k: number): EvalResult {
  const row = new Float64Array(m.d);
  const p = new Float64Array(k);
  const predictions = new Int32Array(m.n);
  let loss = 0;
  for (let r = 0; r < m.n; r++) {
    for (let c = 0, o = r * m.d; c < m.d; c++) row[c] = xs[o + c]!;
    const z = net.forward(row, 0, null);
    softmaxInto(z, p);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
    predictions[r] = best;
    loss -= Math.log(Math.max(p[m.y[r]!]!, 1e-12));
  }
  const s = scorePredictions(predictions, m.y, k);
  return { loss: m.n > 0 ? loss / m.n : 0, ...s, predictions };
}
