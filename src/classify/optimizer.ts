/**
 * AdamW (Loshchilov & Hutter): Adam moments with weight decay decoupled from the gradient,
 * applied to weights, not biases (the usual choice: biases add little capacity to overfit with).
 */
import type { Layer } from './network.js';

const b1 = 0.9;
const b2 = 0.999;
const eps = 1e-8;

/** One AdamW step over a parameter array (decoupled decay `lrWd` = lr · weight decay). */
function adamwUpdate(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  scale: number,
  stepSize: number,
  invSqrtC2: number,
  lrWd: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * scale;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const pi = p[i]!;
    p[i] = pi - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps) - lrWd * pi;
  }
}

interface Moments {
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
}

export class AdamW {
  private readonly moments: Moments[];
  private steps = 0;

  constructor(private readonly layers: readonly Layer[]) {
    this.moments = layers.map((L) => ({
      mw: new Float64Array(L.w.length),
      vw: new Float64Array(L.w.length),
      mb: new Float64Array(L.outDim),
      vb: new Float64Array(L.outDim),
    }));
  }

  /** Applies the accumulated gradients times `scale` (1 / the batch's total sample weight). */
  step(lr: number, wd: number, scale: number): void {
    const step = ++this.steps;
    const stepSize = lr / (1 - Math.pow(b1, step));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(b2, step));
    this.layers.forEach((L, l) => {
      const m = this.moments[l]!;
      adamwUpdate(L.w, L.gw, m.mw, m.vw, scale, stepSize, invSqrtC2, lr * wd);
      adamwUpdate(L.b, L.gb, m.mb, m.vb, scale, stepSize, invSqrtC2, 0);
    });
  }
}
